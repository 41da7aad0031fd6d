package fr.catie.vaniila.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven over
 * WebDriver. Absent browser: the test is skipped on a developer machine, but fails under CI, where
 * {@code .ci/run} installs it.
 */
public final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final WebDriver driver;
    private final String base;
    private final Path shots = Path.of("target", "screenshots");

    public Browser(String base) {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && System.getenv("CI") == null) {
            Assumptions.abort("Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // The machine's network is closed: without these flags Chromium keeps trying to reach Google.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--lang=en-US", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        this.driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        this.base = base;
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String path) {
        driver.get(base + path);
    }

    public WebElement find(String css) {
        return waitFor(d -> d.findElement(By.cssSelector(css)));
    }

    /** The element's text, read again when the page was replaced meanwhile (after a redirect). */
    public String text(String css) {
        return waitFor(d -> d.findElement(By.cssSelector(css)).getText());
    }

    public void type(String css, String text) {
        WebElement e = find(css);
        e.clear();
        e.sendKeys(text);
    }

    public void click(String css) {
        waitFor(d -> {
            d.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    /**
     * Clicks a button that posts a form (or a link) and returns once the next page has replaced this one: reading
     * right after a plain click can still see this page, its flash message or heading, when the machine is slow.
     */
    public void submit(String css) {
        WebElement page = driver.findElement(By.tagName("html"));
        click(css);
        waitFor(d -> replaced(page));
    }

    /**
     * Whether an element's document is gone. ChromeDriver says so with a stale-element error, or, while the old
     * document is being torn down, with "Node with given id does not belong to the document" (a plain
     * WebDriverException, which ExpectedConditions.stalenessOf lets through: a rehearsal failed on it).
     */
    private static boolean replaced(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return true;
        } catch (org.openqa.selenium.WebDriverException e) {
            if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                return true;
            }
            throw e;
        }
    }

    public <T> T waitFor(Function<WebDriver, T> condition) {
        return waitFor(condition, Duration.ofSeconds(20));
    }

    /** Waits longer, for what depends on a job's run (the portal's scheduler and agents, on a loaded CI machine). */
    public <T> T waitFor(Function<WebDriver, T> condition, Duration timeout) {
        return new WebDriverWait(driver, timeout).ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition);
    }

    public void phoneWidth() {
        driver.manage().window().setSize(new Dimension(390, 844));
    }

    public void desktopWidth() {
        driver.manage().window().setSize(new Dimension(1280, 900));
    }

    /** Saves a screenshot a reviewer can open: target/screenshots/NAME.png. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(shots);
            Path file = shots.resolve(name + ".png");
            Files.write(file, ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void login(String username, String password) {
        open("/login");
        type("#username", username);
        type("#password", password);
        submit("form button[type=submit]");
    }

    @Override
    public void close() {
        driver.quit();
    }
}
