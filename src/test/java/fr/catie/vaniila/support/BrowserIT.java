package fr.catie.vaniila.support;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the journeys through the web workspace: a fresh headless Chromium on the shared portal for every test,
 * closed after it (a subclass's own {@code @AfterEach}, such as a last screenshot, runs before the close).
 */
public abstract class BrowserIT extends PortalIT {

    protected Browser browser;

    @BeforeEach
    void openBrowser() {
        browser = new Browser("http://localhost:" + port);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }
}
