package fr.catie.vaniila.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import javax.imageio.ImageIO;

import fr.catie.vaniila.support.Browser;
import fr.catie.vaniila.support.BrowserIT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The Files pages in a real headless Chromium: uploads with progress, download, preview, folders, the quota,
 * path traversal and another organisation's files, with screenshots under target/screenshots/files-*.png.
 */
class WebFilesIT extends BrowserIT {

    private static final String PASSWD_LINE = "root:x:0:0";

    @TempDir
    Path tmp;

    private String token;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    /** A user with an empty workspace, logged in in the browser; returns the workspace on disk. */
    private Path loggedIn(String org, String user) {
        token = orgWithUser(org, user, "USER");
        browser.login(user, USER_PASSWORD);
        browser.find("#org-name");
        browser.open("/files");
        assertThat(browser.text("h1")).isEqualTo("Files");
        return home().resolve("workspaces").resolve(org).resolve(user);
    }

    private HttpResponse<byte[]> fetch(String pathAndQuery) throws Exception {
        String session = browser.driver().manage().getCookieNamed("JSESSIONID").getValue();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + pathAndQuery))
                .header("Cookie", "JSESSIONID=" + session).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** Chooses files in the upload form and waits until each has its outcome. */
    private void upload(Path... files) {
        List<String> paths = new ArrayList<>();
        for (Path f : files) {
            paths.add(f.toAbsolutePath().toString());
        }
        browser.find("#upload-input").sendKeys(String.join("\n", paths));
        browser.click("#upload-form button[type=submit]");
        browser.waitFor(d -> d.findElements(By.cssSelector("#upload-list li.done, #upload-list li.failed")).size()
                == files.length);
    }

    @Test
    void uploadTwoFilesThenDownloadPreviewAndManageFolders() throws Exception {
        String org = unique("fileco");
        String user = unique("filer");
        Path workspace = loggedIn(org, user);
        assertThat(browser.text("#files-empty")).contains("This folder is empty");

        Path notes = tmp.resolve("notes.html");
        String html = "<h1>Title</h1>\n<script>document.title='owned'</script><b>bold</b>\n";
        Files.writeString(notes, html);
        Path data = tmp.resolve("weights.bin");
        byte[] bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(bytes);
        Files.write(data, bytes);

        upload(notes, data);
        assertThat(browser.driver().findElements(By.cssSelector("#upload-list li.done"))).hasSize(2);
        for (WebElement bar : browser.driver().findElements(By.cssSelector("#upload-list li progress"))) {
            assertThat(bar.getDomProperty("value")).isEqualTo("100");
        }
        assertThat(browser.text("#upload-list .all-done")).isEqualTo("All files uploaded.");
        assertThat(browser.text("#files")).contains("notes.html").contains("weights.bin").contains("3.0 MiB");
        assertThat(browser.text("#quota-text")).contains("of 8.0 MiB used");
        browser.screenshot("files-01-uploads");
        // Stored private to the user, byte for byte.
        assertThat(Files.readAllBytes(workspace.resolve("weights.bin"))).isEqualTo(bytes);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(workspace.resolve("weights.bin")))).isEqualTo("rw-------");
        if ("root".equals(System.getProperty("user.name"))) {
            int uid = api.get("/api/v1/me", token).json().get("uid").asInt();
            assertThat(Files.getAttribute(workspace.resolve("weights.bin"), "unix:uid")).isEqualTo(uid);
            assertThat(Files.getAttribute(workspace.resolve("weights.bin"), "unix:gid")).isEqualTo(uid);
        }

        HttpResponse<byte[]> download = fetch("/files/download?path=weights.bin");
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(bytes);
        assertThat(download.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment")
                .contains("weights.bin");
        assertThat(download.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

        // HTML is shown as text in the preview, and never served inline.
        browser.click("#files a.file[href*='notes.html']");
        assertThat(browser.text("#file-name")).isEqualTo("notes.html");
        assertThat(browser.find("#preview-text").getText()).contains("<script>document.title='owned'</script><b>bold</b>");
        assertThat(browser.driver().findElements(By.cssSelector("#preview-text b, #preview-text script"))).isEmpty();
        assertThat(browser.driver().getTitle()).doesNotContain("owned");
        browser.screenshot("files-02-preview-text");
        HttpResponse<byte[]> raw = fetch("/files/raw?path=notes.html");
        assertThat(raw.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment");
        assertThat(raw.headers().firstValue("Content-Type").orElse("")).doesNotContain("html");

        // An image is shown inline, with its own type and nosniff.
        BufferedImage image = new BufferedImage(320, 200, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 320; x++) {
            for (int y = 0; y < 200; y++) {
                image.setRGB(x, y, (x * 255 / 320) << 16 | (y * 255 / 200) << 8 | 0x80);
            }
        }
        Path png = tmp.resolve("loss-curve.png");
        ImageIO.write(image, "png", png.toFile());
        browser.open("/files");
        upload(png);
        HttpResponse<byte[]> inline = fetch("/files/raw?path=loss-curve.png");
        assertThat(inline.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(inline.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(ImageIO.read(new ByteArrayInputStream(inline.body())).getWidth()).isEqualTo(320);
        browser.open("/files/view?path=loss-curve.png");
        // Waits until the browser has decoded the image: its natural width is then the PNG's.
        browser.waitFor(d -> Long.valueOf(320).equals(((org.openqa.selenium.JavascriptExecutor) d)
                .executeScript("return document.getElementById('preview-image').naturalWidth")));
        browser.screenshot("files-03-preview-image");
        browser.click(".file-facts details.rename summary");
        browser.type("#rename-file", "loss.png");
        browser.submit(".file-facts details.rename button");
        assertThat(browser.text(".flash.success")).isEqualTo("'loss-curve.png' renamed to 'loss.png'.");
        assertThat(browser.text("#files tr[data-name='loss.png']")).contains("loss.png");

        // A folder: made, renamed, downloaded as a zip, deleted with everything in it after a confirmation.
        browser.open("/files");
        browser.type("#new-folder", "results");
        browser.submit("form[action='/files/mkdir'] button");
        assertThat(browser.text(".flash.success")).isEqualTo("Folder 'results' created.");
        browser.click("#files tr[data-name='results'] details.rename summary");
        browser.type("#files tr[data-name='results'] details.rename input[name=name]", "run-1");
        browser.submit("#files tr[data-name='results'] details.rename button");
        assertThat(browser.text(".flash.success")).isEqualTo("'results' renamed to 'run-1'.");
        assertThat(Files.isDirectory(workspace.resolve("run-1"))).isTrue();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(workspace.resolve("run-1")))).isEqualTo("rwx------");
        browser.click("#files a.folder[href*='run-1']");
        assertThat(browser.text("nav.crumbs")).contains("My workspace").contains("run-1");
        upload(notes);
        HttpResponse<byte[]> zip = fetch("/files/zip?path=run-1");
        assertThat(zip.statusCode()).isEqualTo(200);
        assertThat(zip.headers().firstValue("Content-Disposition").orElse("")).contains("run-1.zip");
        assertThat(zipEntries(zip.body())).containsExactly("run-1/", "run-1/notes.html");
        browser.click("nav.crumbs a[href='/files']");
        browser.click("#files tr[data-name='run-1'] a.danger");
        assertThat(browser.text("#delete-question")).contains("Delete the folder 'run-1' and everything in it?");
        browser.submit("#delete-confirm");
        assertThat(browser.text(".flash.success")).isEqualTo("'run-1' deleted.");
        assertThat(browser.driver().findElements(By.cssSelector("#files tr[data-name='run-1']"))).isEmpty();
        assertThat(Files.exists(workspace.resolve("run-1"))).isFalse();

        browser.phoneWidth();
        assertThat(overflowing(browser)).as("wider than a phone").isEmpty();
        browser.screenshot("files-04-list-phone");
        browser.desktopWidth();
    }

    /**
     * What makes the page scroll sideways: empty when it fits the window, else the page's width and the
     * elements reaching past the right edge (those inside a table scroll with it and do not count).
     */
    static String overflowing(Browser browser) {
        return (String) ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeScript("""
                const width = document.documentElement.clientWidth;
                if (document.documentElement.scrollWidth <= width) {
                    return '';
                }
                return document.documentElement.scrollWidth + ' px wide: ' + Array.from(document.querySelectorAll('body *'))
                    .filter(e => e.getBoundingClientRect().right > width + 1)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))
                    .slice(0, 10).join(', ');""");
    }

    private static List<String> zipEntries(byte[] zip) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        names.sort(null);
        return names;
    }

    @Test
    void anUploadOverTheQuotaIsRefusedAndLeavesNothing() throws Exception {
        Path workspace = loggedIn(unique("quotaco"), unique("quotauser"));
        // The tests' portal gives each workspace 8 MB: the page refuses a larger file before sending it.
        Path big = tmp.resolve("too-big.bin");
        Files.write(big, new byte[9 * 1024 * 1024]);
        upload(big);
        assertThat(browser.text("#upload-list li.failed .upload-state"))
                .isEqualTo("Not uploaded: Not enough space: these files need 9.0 MiB but your workspace has 8.0 MiB free "
                        + "of its quota of 8.0 MiB. Delete files you no longer need, then retry.");
        browser.screenshot("files-05-over-quota");

        // A job fills the workspace after the page was loaded: the server refuses what the page let through,
        // from the upload's announced length, before storing anything.
        Files.write(workspace.resolve("job-output.bin"), new byte[7 * 1024 * 1024]);
        Path medium = tmp.resolve("medium.bin");
        Files.write(medium, new byte[1536 * 1024]);
        upload(medium);
        assertThat(browser.text("#upload-list li.failed .upload-state")).startsWith("Not uploaded: Not enough space: "
                + "these files need 1.4 MiB but your workspace has 1.0 MiB free of its quota of 8.0 MiB.");
        try (var left = Files.list(workspace)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("job-output.bin");
        }
    }

    @Test
    void traversalIsRefusedAndAnotherOrganisationSeesNothing() throws Exception {
        String orgA = unique("alphaco");
        String userA = unique("alpha");
        Path workspaceA = loggedIn(orgA, userA);
        Files.writeString(workspaceA.resolve("secret.txt"), "alpha's secret");
        Files.createSymbolicLink(workspaceA.resolve("etc"), Path.of("/etc"));

        for (String attempt : List.of("/files?path=../../etc/passwd", "/files/download?path=..%2F..%2F..%2Fetc%2Fpasswd",
                "/files/view?path=%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/files/download?path=/etc/passwd")) {
            HttpResponse<byte[]> r = fetch(attempt);
            assertThat(r.statusCode()).as(attempt).isEqualTo(400);
            assertThat(text(r)).as(attempt).contains("leads outside your workspace").doesNotContain(PASSWD_LINE);
        }
        for (String attempt : List.of("/files/download?path=etc/passwd", "/files?path=etc", "/files/zip?path=etc")) {
            HttpResponse<byte[]> r = fetch(attempt);
            assertThat(r.statusCode()).as(attempt).isEqualTo(400);
            assertThat(text(r)).as(attempt).contains("through a symbolic link").doesNotContain(PASSWD_LINE);
        }
        // Dot segments, encoded dots and slashes in the address itself are refused by the server (Tomcat, then Spring
        // Security's firewall) before any page is reached.
        for (String attempt : List.of("/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd", "/files/a/%2e%2e/view?path=x", "/files/a/../view?path=x", "/files/%2fetc%2fpasswd")) {
            HttpResponse<byte[]> r = fetch(attempt);
            assertThat(r.statusCode()).as(attempt).isEqualTo(400);
            assertThat(text(r)).as(attempt).doesNotContain(PASSWD_LINE);
        }
        // The link is listed as what it is, its target is not zipped, and it can be removed.
        browser.open("/files");
        assertThat(browser.text("#files tr[data-name='etc']")).contains("link outside your workspace");
        assertThat(zipEntries(fetch("/files/zip").body())).containsExactly(userA + "/", userA + "/secret.txt");
        browser.open("/files?path=../" + userA + "/../../etc");
        assertThat(browser.text("#files-problem")).isEqualTo(
                "The path '../" + userA + "/../../etc' leads outside your workspace: give a path inside it, without '..' "
                        + "or a leading '/'.");
        browser.screenshot("files-06-traversal-refused");
        browser.open("/files/delete?path=etc");
        browser.submit("#delete-confirm");
        assertThat(browser.text(".flash.success")).isEqualTo("'etc' deleted.");
        assertThat(Files.exists(workspaceA.resolve("etc"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(Path.of("/etc/passwd"))).isTrue();

        // Another organisation's user: the same names lead into their own workspace, never into alpha's.
        browser.click("form.logout button");
        String orgB = unique("betaco");
        String userB = unique("beta");
        loggedIn(orgB, userB);
        assertThat(browser.driver().findElements(By.cssSelector("#files tr[data-name='secret.txt']"))).isEmpty();
        HttpResponse<byte[]> theirs = fetch("/files/download?path=secret.txt");
        assertThat(theirs.statusCode()).isEqualTo(404);
        assertThat(text(theirs)).doesNotContain("alpha's secret");
        assertThat(fetch("/files/view?path=secret.txt").statusCode()).isEqualTo(404);
        for (String attempt : List.of("/files/download?path=../../" + orgA + "/" + userA + "/secret.txt",
                "/files?path=../../" + orgA + "/" + userA)) {
            HttpResponse<byte[]> r = fetch(attempt);
            assertThat(r.statusCode()).as(attempt).isEqualTo(400);
            assertThat(text(r)).as(attempt).doesNotContain("alpha's secret").doesNotContain("secret.txt<");
        }
        assertThat(Files.readString(workspaceA.resolve("secret.txt"))).isEqualTo("alpha's secret");
    }
}
