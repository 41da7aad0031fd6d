package fr.catie.vaniila.web;

import static org.assertj.core.api.Assertions.assertThat;

import fr.catie.vaniila.support.BrowserIT;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/** The web skeleton in a real headless Chromium: log in, create an organisation and a user, switch to French. */
class WebJourneyIT extends BrowserIT {

    @Test
    void adminCreatesAnOrganisationAndAUserWhoLogsInAndSwitchesToFrench() {
        browser.login(ADMIN, "not-the-password");
        assertThat(browser.text(".flash.error")).isEqualTo("Wrong username or password.");
        browser.screenshot("foundation-01-login-error");

        browser.login(ADMIN, ADMIN_PASSWORD);
        assertThat(browser.text("h1")).isEqualTo("Dashboard");
        assertThat(browser.text("#org-name")).isEqualTo("platform");
        browser.screenshot("foundation-02-dashboard");

        String org = unique("webco");
        browser.click("a[href='/admin']");
        assertThat(browser.driver().getCurrentUrl()).endsWith("/admin/organisations");
        browser.type("#org-name", org);
        browser.submit("form[action='/admin/organisations'] button");
        assertThat(browser.text(".flash.success")).isEqualTo("Organisation '" + org + "' created.");
        assertThat(browser.text("#organisations")).contains(org);
        browser.screenshot("foundation-03-organisation-created");

        browser.type("#org-name", "Not Valid");
        browser.driver().findElement(By.id("org-name")).submit();
        // The browser's own pattern check keeps the form; the rule is shown beside the field.
        assertThat(browser.text("#org-name-rule")).contains("lowercase");

        String user = unique("webuser");
        browser.click("a[href='/admin/users']");
        browser.type("#new-username", user);
        browser.type("#new-password", "weak-pass1");
        new Select(browser.find("#new-org")).selectByValue(org);
        browser.submit("form[action='/admin/users'] button.primary");
        assertThat(browser.text(".flash.success")).isEqualTo("Account '" + user + "' created.");
        assertThat(browser.text("tr[data-user='" + user + "']")).contains(org);

        new Select(browser.find("#role-" + user)).selectByValue("ORG_ADMIN");
        browser.submit("tr[data-user='" + user + "'] form[action$='/role'] button");
        assertThat(browser.text(".flash.success")).contains("ORG_ADMIN");
        browser.screenshot("foundation-04-users");

        String weakUser = unique("weak");
        browser.type("#new-username", weakUser);
        browser.type("#new-password", "0000000000");
        browser.submit("form[action='/admin/users'] button.primary");
        assertThat(browser.text(".flash.error")).contains("too weak");

        browser.submit("form.logout button");
        assertThat(browser.text(".flash.success")).isEqualTo("You are logged out.");

        awaitNodes();
        browser.login(user, "weak-pass1");
        assertThat(browser.text("#org-name")).isEqualTo(org);
        // The demo inventory of the tests' portal: 7 nodes, 25 GPUs in three flavors.
        assertThat(browser.text("table.flavors")).contains("rtx2080ti-11g").contains("v100-16g").contains("titanrtx-24g");
        assertThat(browser.text("#main")).contains("7 nodes, 140 cores, 25 GPUs");

        browser.submit(".lang a[hreflang='fr']");
        assertThat(browser.text("h1")).isEqualTo("Tableau de bord");
        assertThat(browser.text("form.logout button")).isEqualTo("Se déconnecter");
        assertThat(browser.text("#main")).contains("7 nœuds, 140 cœurs, 25 GPU");
        browser.screenshot("foundation-05-dashboard-fr");

        // The choice sticks across pages; an organisation admin lands on the users page.
        browser.click("a[href='/admin']");
        assertThat(browser.text("h1")).isEqualTo("Utilisateurs");
        browser.phoneWidth();
        browser.screenshot("foundation-06-users-fr-phone");
        browser.desktopWidth();
    }

    @Test
    void aUserDoesNotReachTheAdministrationPages() {
        String org = unique("plain");
        String user = unique("plainuser");
        orgWithUser(org, user, "USER");
        browser.login(user, USER_PASSWORD);
        assertThat(browser.text("#org-name")).isEqualTo(org);
        assertThat(browser.driver().findElements(By.cssSelector("a[href='/admin']"))).isEmpty();
        browser.open("/admin/users");
        assertThat(browser.text("main")).contains("You are not allowed to see this page.");
    }
}
