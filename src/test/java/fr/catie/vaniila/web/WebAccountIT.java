package fr.catie.vaniila.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.BrowserIT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * The Account page in a real headless Chromium: who the user is, SSH keys made with ssh-keygen (and bad ones
 * refused with their reason), an API token used against the REST API then revoked, and the language.
 * Screenshots under target/screenshots/account-*.png.
 */
class WebAccountIT extends BrowserIT {

    @TempDir
    Path tmp;

    /** Runs ssh-keygen to make a key pair in the temporary folder; returns the public key's line. */
    private String keygen(String name, String... typeAndBits) throws Exception {
        Path key = tmp.resolve(name);
        List<String> command = new java.util.ArrayList<>(List.of("ssh-keygen", "-q", "-N", "", "-C", name + "@it", "-f",
                key.toString()));
        command.addAll(List.of(typeAndBits));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return Files.readString(tmp.resolve(name + ".pub")).strip();
    }

    /** The SHA256 fingerprint ssh-keygen gives for a public key file. */
    private String fingerprint(String name) throws Exception {
        Process p = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", tmp.resolve(name + ".pub").toString())
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        return out.split(" ")[1];
    }

    private void addKey(String text) {
        browser.type("#public-key", text);
        // Until the answer replaces the page, the previous refusal is still there to be read.
        browser.submit("#key-form button[type=submit]");
    }

    @Test
    void keysTokensAndLanguage() throws Exception {
        String org = unique("acctco");
        String user = unique("acct");
        String apiToken = orgWithUser(org, user, "USER");
        int uid = api.get("/api/v1/me", apiToken).json().get("uid").asInt();
        browser.login(user, USER_PASSWORD);
        browser.find("#org-name");
        browser.submit("nav a[href='/account']");
        assertThat(browser.text("h1")).isEqualTo("Account");
        assertThat(browser.text("#account-username")).isEqualTo(user);
        assertThat(browser.text("#account-org")).isEqualTo(org);
        assertThat(browser.text("#account-role")).isEqualTo("User");
        assertThat(browser.text("#account-uid")).isEqualTo(Integer.toString(uid));
        assertThat(browser.text("#no-keys")).contains("ssh-keygen -t ed25519");

        // A real ed25519 key is listed with the fingerprint ssh-keygen gives it.
        String ed25519 = keygen("laptop", "-t", "ed25519");
        addKey(ed25519);
        String fingerprint = fingerprint("laptop");
        assertThat(browser.text(".flash.success")).isEqualTo("Key " + fingerprint + " added.");
        assertThat(browser.text("#key-list")).contains("ssh-ed25519").contains(fingerprint).contains("laptop@it");

        // Malformed and weak keys are refused beside the field, with the module's reason, the text kept.
        addKey("ssh-ed25519 this-is-not-base64 me@laptop");
        assertThat(browser.text("#key-error")).startsWith("This is not an OpenSSH public key");
        assertThat(browser.find("#public-key").getDomAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#public-key").getDomProperty("value")).isEqualTo("ssh-ed25519 this-is-not-base64 me@laptop");
        String weak = keygen("old", "-t", "rsa", "-b", "1024");
        addKey(weak);
        assertThat(browser.text("#key-error")).isEqualTo("This RSA key has only 1024 bits: use an RSA key of at least "
                + "2048 bits, or better an ed25519 key (ssh-keygen -t ed25519).");
        assertThat(browser.driver().findElements(By.cssSelector("#key-list tbody tr"))).hasSize(1);
        browser.screenshot("account-01-keys");

        // A token made on the page works against the REST API until it is revoked.
        browser.type("#token-name", "notebook");
        browser.type("#token-expires", "12312099"); // a date input takes the digits of mm/dd/yyyy in en-US
        browser.click("#token-form button[type=submit]");
        String secret = browser.find("#token-secret").getDomProperty("value");
        assertThat(secret).startsWith("vnl_");
        assertThat(browser.text("#token-created")).contains("Copy it now: it will not be shown again.");
        assertThat(browser.text("#token-list tr[data-token]")).contains("notebook").contains("2100-01-01")
                .contains("active");
        browser.click("#token-copy");
        assertThat(browser.text("#token-copy-state")).isNotEmpty();
        browser.screenshot("account-02-token-created");
        ApiClient.Response me = api.get("/api/v1/me", secret);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.text("username")).isEqualTo(user);
        assertThat(me.text("organisation")).isEqualTo(org);

        browser.open("/account");
        assertThat(browser.driver().findElements(By.id("token-secret"))).as("the secret is shown once").isEmpty();
        String row = "#token-list tr[data-token]:first-child";
        browser.submit(row + " form button");
        assertThat(browser.text(".flash.success")).startsWith("Token ").endsWith(" revoked.");
        assertThat(browser.text(row)).contains("revoked");
        assertThat(api.get("/api/v1/me", secret).status()).isEqualTo(401);

        // The key can be deleted; it then no longer shows.
        browser.submit("#key-list form button");
        assertThat(browser.text(".flash.success")).isEqualTo("Key " + fingerprint + " deleted.");
        assertThat(browser.text("#no-keys")).isNotEmpty();

        // The language, chosen here, sticks to the next pages.
        new Select(browser.find("#lang-select")).selectByValue("fr");
        browser.submit("#lang-select ~ button");
        assertThat(browser.text("h1")).isEqualTo("Compte");
        assertThat(browser.text("#account-role")).isEqualTo("Utilisateur");
        browser.submit("nav a[href='/files']");
        assertThat(browser.text("h1")).isEqualTo("Fichiers");
        assertThat(browser.text("#quota-text")).isEqualTo("0 o utilisés sur 8,0 Mio, 8,0 Mio libres");
        assertThat(browser.text("#files-empty")).isEqualTo("Ce dossier est vide : envoyez des fichiers ou créez un dossier.");
        browser.screenshot("files-07-fr");
        browser.submit("nav a[href='/account']");
        browser.screenshot("account-03-fr");
        browser.phoneWidth();
        assertThat(WebFilesIT.overflowing(browser)).as("wider than a phone").isEmpty();
        browser.screenshot("account-04-fr-phone");
        browser.desktopWidth();
    }

    /** Posts the page's key form to another address, as a forged request from a logged-in page would. */
    private void postFrom(String form, String action) {
        ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeScript(
                "const f = document.querySelector(arguments[0]); f.action = arguments[1]; f.noValidate = true; f.submit();",
                form, action);
    }

    @Test
    void anotherOrganisationCannotDeleteMyKeysOrRevokeMyTokens() throws Exception {
        String alphaToken = orgWithUser(unique("keyalpha"), unique("alpha"), "USER");
        ApiClient.Response key = api.post("/api/v1/ssh-keys",
                ApiClient.json("publicKey", keygen("alpha", "-t", "ed25519")), alphaToken);
        assertThat(key.status()).isEqualTo(201);
        long keyId = key.json().get("id").asLong();
        long tokenId = api.get("/api/v1/tokens", alphaToken).json().get(0).get("id").asLong();

        String beta = unique("beta");
        orgWithUser(unique("keybeta"), beta, "USER");
        browser.login(beta, USER_PASSWORD);
        browser.find("#org-name");
        browser.open("/account");
        assertThat(browser.text("#no-keys")).isNotEmpty();
        assertThat(browser.driver().findElements(By.cssSelector("#token-list tr[data-token='" + tokenId + "']"))).isEmpty();

        postFrom("#key-form", "/account/keys/" + keyId + "/delete");
        assertThat(browser.text(".flash.error")).isEqualTo("No SSH key " + keyId + " among yours.");
        postFrom("#token-form", "/account/tokens/" + tokenId + "/revoke");
        assertThat(browser.text(".flash.error")).isEqualTo("No token with id " + tokenId + " among yours.");

        // Alpha's key and token are untouched.
        assertThat(api.get("/api/v1/ssh-keys", alphaToken).body()).contains("\"id\":" + keyId);
        assertThat(api.get("/api/v1/me", alphaToken).status()).isEqualTo(200);
    }
}
