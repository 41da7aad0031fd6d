package fr.catie.vaniila.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import fr.catie.vaniila.support.Browser;
import fr.catie.vaniila.support.PortalIT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The web terminal: xterm.js in a real headless Chromium over the portal's WebSocket, and the
 * socket's guards driven by a plain Java WebSocket client (no cookie, another origin, no CSRF token,
 * logout, idleness, oversized messages).
 */
class WebTerminalIT extends PortalIT {

    @Autowired
    private AuditLog audit;

    @Autowired
    private TerminalSessions sessions;

    @Autowired
    private ObjectProvider<InteractiveAllocations> allocations;

    private Browser browser;

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    // ------------------------------------------------------------------ in the browser

    @Test
    void aUserTypesSlurmCommandsInTheBrowserAndTheShellFollowsTheWindowSize() {
        String org = unique("termco");
        String user = unique("termuser");
        String token = orgWithUser(org, user, "USER");
        browser = new Browser("http://localhost:" + port);
        browser.login(user, USER_PASSWORD);
        browser.click("a[href='/terminal']");
        assertThat(browser.text("h1")).isEqualTo("Terminal");
        assertThat(browser.text("#terminal-status")).isEqualTo("Not connected.");
        browser.screenshot("terminal-01-choice");

        browser.click("#terminal-open");
        String screen = awaitScreen(user + "@vaniila:~$");
        assertThat(screen).contains("Vaniila GPU cluster");
        assertThat(browser.text("#terminal-status")).isEqualTo("Connected: command shell.");
        // xterm.js's own style elements carry the page's nonce and were admitted by the policy.
        assertThat(((JavascriptExecutor) browser.driver()).executeScript(
                "const s = [...document.querySelectorAll('#terminal style')];"
                        + "return s.length > 0 && s.every(e => e.sheet && e.sheet.cssRules.length > 0);"))
                .isEqualTo(true);

        type("squeue --me" + Keys.ENTER);
        screen = awaitScreen("JOBID PARTITION");
        assertThat(screen).contains(user + "@vaniila:~$ squeue --me");

        type("sbatch --wrap \"echo hi\"" + Keys.ENTER);
        Matcher submitted = Pattern.compile("Submitted batch job (\\d+)").matcher(awaitScreen("Submitted batch job"));
        assertThat(submitted.find()).isTrue();
        long job = Long.parseLong(submitted.group(1));
        assertThat(api.get("/api/v1/jobs/" + job, token).text("user")).isEqualTo(user);
        browser.screenshot("terminal-02-shell");

        // The size the shell knows is the one xterm.js fitted to the window, before and after a resize.
        assertThat(sttySize()).isEqualTo(fitted());
        String before = fitted();
        browser.driver().manage().window().setSize(new Dimension(900, 700));
        browser.waitFor(d -> !fitted().equals(before));
        assertThat(sttySize()).isEqualTo(fitted());

        browser.phoneWidth();
        browser.waitFor(d -> Integer.parseInt(fitted().split(" ")[1]) < 60);
        assertThat(sttySize()).isEqualTo(fitted());
        type("history" + Keys.ENTER);
        awaitScreen("1  squeue --me");
        browser.screenshot("terminal-03-shell-phone");
        browser.desktopWidth();

        assertThat(audit.latest(null, 200)).anyMatch(e -> e.action().equals("terminal.open") && user.equals(e.actor())
                && e.target().equals("shell"))
                .anyMatch(e -> e.action().equals("terminal.command") && user.equals(e.actor())
                        && e.detail().equals("sbatch --wrap \"echo hi\""));

        type("exit" + Keys.ENTER);
        String ended = browser.waitFor(d -> {
            String s = browser.text("#terminal-status");
            return s.startsWith("Disconnected.") ? s : null;
        });
        assertThat(ended).contains("The terminal ended (logout)");
        assertThat(browser.find("#terminal-reconnect").isDisplayed()).isTrue();
        browser.click("#terminal-reconnect");
        awaitScreen("Connected", "#terminal-status");
        browser.open("/terminal?lang=fr");
        assertThat(browser.text("#terminal-open")).isEqualTo("Ouvrir le terminal");
        browser.screenshot("terminal-04-choice-fr");
        browser.open("/terminal?lang=en");
    }

    @Test
    void aShellInAnAllocationOpensFromTheForm() {
        // The relay is another module's; until a bean implements it, the page offers the command shell only.
        String org = unique("allocco");
        String user = unique("allocuser");
        orgWithUser(org, user, "USER");
        browser = new Browser("http://localhost:" + port);
        browser.login(user, USER_PASSWORD);
        browser.open("/terminal");
        if (allocations.getIfAvailable() == null) {
            assertThat(browser.find("input[name=mode][value=allocation]").isEnabled()).isFalse();
            assertThat(browser.text("#allocation-hint")).contains("not available on this portal yet");
        }
        assumeTrue(allocations.getIfAvailable() != null, "no bean implements InteractiveAllocations in this build");

        awaitNodes();
        browser.click("input[name=mode][value=allocation]");
        assertThat(browser.find("#allocation-fields").isDisplayed()).isTrue();
        browser.type("#alloc-gpus", "1");
        browser.type("#alloc-cores", "2");
        browser.type("#alloc-memory", "4");
        browser.type("#alloc-walltime", "00:10:00");
        browser.screenshot("terminal-05-allocation-form");
        browser.click("#terminal-open");
        awaitScreen("Granted job allocation");
        awaitScreen("Connected: shell in an allocation.", "#terminal-status");
        type("echo CVD=$CUDA_VISIBLE_DEVICES" + Keys.ENTER);
        // The PTY echoes the command line too: wait for the value, not the echo.
        browser.waitFor(d -> Pattern.compile("CVD=\\d").matcher(d.findElement(By.cssSelector(".xterm-rows")).getText())
                .find() ? true : null);
        type("stty size" + Keys.ENTER);
        awaitScreen(fitted());
        browser.screenshot("terminal-06-allocation");
        type("exit" + Keys.ENTER);
        browser.waitFor(d -> browser.text("#terminal-status").startsWith("Disconnected.") ? true : null);

        // A request the cluster cannot honour is refused with the reason, beside the form.
        assertThat(askForAllocationOf64Gpus()).contains("64");
        // A wall time that is not one is refused before any job, and its field is marked.
        browser.type("#alloc-gpus", "1");
        browser.type("#alloc-walltime", "1 hour");
        browser.click("#terminal-open");
        browser.waitFor(d -> d.findElement(By.id("terminal-error")).getText().contains("is not a Slurm time") ? true : null);
        assertThat(browser.find("#alloc-walltime").getAttribute("aria-invalid")).isEqualTo("true");
        browser.screenshot("terminal-07-allocation-refused");

        // On the French page, the same refusal is said in French.
        browser.open("/terminal?lang=fr");
        assertThat(askForAllocationOf64Gpus()).contains("64")
                .containsAnyOf("Limite de la file :", "Ne pourra jamais tourner :");
        browser.open("/terminal?lang=en");
    }

    /** Asks the allocation form for 64 GPUs, more than any queue allows; returns the refusal the page shows. */
    private String askForAllocationOf64Gpus() {
        browser.click("input[name=mode][value=allocation]");
        browser.type("#alloc-gpus", "64");
        browser.click("#terminal-open");
        return browser.waitFor(d -> {
            String t = d.findElement(By.id("terminal-error")).getText();
            return t.isBlank() ? null : t;
        });
    }

    private void type(String keys) {
        browser.find(".xterm-helper-textarea");
        new Actions(browser.driver()).sendKeys(keys).perform();
    }

    /** Waits until the terminal's screen shows the text; returns the screen. */
    private String awaitScreen(String expected) {
        return awaitScreen(expected, ".xterm-rows");
    }

    private String awaitScreen(String expected, String css) {
        try {
            return browser.waitFor(d -> {
                String text = d.findElement(By.cssSelector(css)).getText().replace('\u00a0', ' ');
                return text.contains(expected) ? text : null;
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the page never showed '" + expected + "' in " + css + "; it shows: "
                    + browser.driver().findElement(By.cssSelector(css)).getText(), e);
        }
    }

    /** The rows and columns xterm.js fitted to the window, as {@code stty size} writes them. */
    private String fitted() {
        var screen = browser.find("#terminal");
        return screen.getAttribute("data-rows") + " " + screen.getAttribute("data-columns");
    }

    /** Clears the screen, runs {@code stty size} and reads its answer. */
    private String sttySize() {
        type("clear" + Keys.ENTER);
        // Only the prompt is left once the screen is clear, so an earlier answer cannot be read below.
        browser.waitFor(d -> d.findElement(By.cssSelector(".xterm-rows")).getText().replace('\u00a0', ' ').strip()
                .matches("[\\w.-]+@vaniila:~\\$") ? true : null);
        type("stty size" + Keys.ENTER);
        return browser.waitFor(d -> {
            Matcher answer = Pattern.compile("stty size\\s*\\n(\\d+ \\d+)")
                    .matcher(d.findElement(By.cssSelector(".xterm-rows")).getText().replace('\u00a0', ' '));
            return answer.find() ? answer.group(1) : null;
        });
    }

    // ------------------------------------------------------------------ the socket's guards

    @Test
    void theHandshakeNeedsTheSessionCookieTheSameOriginAndTheCsrfToken() throws Exception {
        String user = unique("guard");
        orgWithUser(unique("guardco"), user, "USER");
        Session web = login(user);
        String origin = "http://localhost:" + port;

        assertRefused(connect(null, origin, web.csrf));
        assertRefused(connect(web.cookie, "http://evil.example", web.csrf));
        assertRefused(connect(web.cookie, "http://localhost:" + (port + 1), web.csrf));
        assertRefused(connect(web.cookie, null, web.csrf));
        assertRefused(connect(web.cookie, origin, null));
        assertRefused(connect(web.cookie, origin, "bm90LXRoZS10b2tlbg=="));

        Client client = new Client();
        WebSocket socket = connect(web.cookie, origin, web.csrf, client).get(10, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"open\",\"mode\":\"shell\",\"columns\":100,\"rows\":30}", true).join();
        client.await(user + "@vaniila:~$ ");
        // A character split across two messages arrives whole.
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        socket.sendBinary(ByteBuffer.wrap(new byte[] {'s', 't', 't', 'y', ' ', 's', 'i', 'z', 'e', ' ', '#', e[0]}), true).join();
        socket.sendBinary(ByteBuffer.wrap(new byte[] {e[1], '\r'}), true).join();
        client.await("stty: only 'stty size' is available in this shell");
        assertThat(client.text()).contains("stty size #é\r\n").doesNotContain("\uFFFD");
        socket.sendText("{\"type\":\"resize\",\"columns\":90,\"rows\":20}", true).join();
        socket.sendBinary(ByteBuffer.wrap("stty size\r".getBytes(StandardCharsets.UTF_8)), true).join();
        client.await("\r\n20 90\r\n");

        // Logging out (in another tab) ends the terminal.
        web.post("/logout", "_csrf=" + enc(web.csrf(web.get("/").body())));
        int code = client.awaitClosed();
        if (!client.control().contains("\"reason\":\"logged-out\"")) {
            // Tomcat itself closes the sockets opened under a login session that ends, before the portal says why.
            assertThat(code).as(client.closeReason).isEqualTo(1008);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sessions.count(user) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(sessions.count(user)).isZero();
    }

    @Test
    void idleTerminalsCloseAndOversizedMessagesAreRefused() throws Exception {
        String user = unique("idle");
        orgWithUser(unique("idleco"), user, "USER");
        Session web = login(user);
        String origin = "http://localhost:" + port;

        Client idle = new Client();
        WebSocket first = connect(web.cookie, origin, web.csrf, idle).get(10, TimeUnit.SECONDS);
        first.sendText("{\"type\":\"open\",\"mode\":\"shell\",\"columns\":80,\"rows\":24}", true).join();
        idle.await("$ ");
        assertThat(sessions.count(user)).isEqualTo(1);
        // Just inside the timeout nothing happens; past it, the terminal ends.
        sessions.closeIdle(Instant.now().plus(Duration.ofMinutes(29)));
        assertThat(sessions.count(user)).isEqualTo(1);
        sessions.closeIdle(Instant.now().plus(Duration.ofMinutes(31)));
        idle.awaitClosed();
        assertThat(idle.control()).contains("\"reason\":\"idle\"").contains("no keystroke for 30 minutes");

        Client big = new Client();
        WebSocket second = connect(web.cookie, origin, web.csrf, big).get(10, TimeUnit.SECONDS);
        second.sendText("{\"type\":\"open\",\"mode\":\"shell\",\"columns\":80,\"rows\":24}", true).join();
        big.await("$ ");
        second.sendBinary(ByteBuffer.wrap(new byte[(64 << 10) + 1]), true);
        assertThat(big.awaitClosed()).isEqualTo(1009);

        Client unknown = new Client();
        WebSocket third = connect(web.cookie, origin, web.csrf, unknown).get(10, TimeUnit.SECONDS);
        third.sendText("{\"type\":\"open\",\"mode\":\"root\"}", true).join();
        unknown.awaitClosed();
        assertThat(unknown.control()).contains("Unknown terminal mode 'root'");
    }

    @Test
    void aFrenchPagesSocketSaysItsRefusalsAndWhyItClosedInFrench() throws Exception {
        String user = unique("langue");
        orgWithUser(unique("langueco"), user, "USER");
        Session web = login(user);
        String origin = "http://localhost:" + port;
        // The language cookie of a page switched to French rides along with the session cookie.
        String french = web.cookie + "; vaniila-lang=fr";

        Client unknown = new Client();
        WebSocket first = connect(french, origin, web.csrf, unknown).get(10, TimeUnit.SECONDS);
        first.sendText("{\"type\":\"hello\"}", true).join();
        unknown.awaitClosed();
        assertThat(unknown.control()).contains("Type de message « hello » inconnu").doesNotContain("Unknown message type");

        Client idle = new Client();
        WebSocket second = connect(french, origin, web.csrf, idle).get(10, TimeUnit.SECONDS);
        second.sendText("{\"type\":\"open\",\"mode\":\"shell\",\"columns\":80,\"rows\":24}", true).join();
        idle.await("$ ");
        sessions.closeIdle(Instant.now().plus(Duration.ofMinutes(31)));
        idle.awaitClosed();
        assertThat(idle.control()).contains("\"reason\":\"idle\"").contains("aucune frappe au clavier depuis 30 minutes");
    }

    @Test
    void anotherOrganisationsJobsAreOutOfReachOfTheTerminal() throws Exception {
        String theirToken = orgWithUser(unique("theirs"), unique("them"), "USER");
        long theirs = submit(theirToken, fr.catie.vaniila.support.ApiClient.json("script", "sleep 600",
                "name", "secret-job", "hold", true));
        String user = unique("ours");
        orgWithUser(unique("ourco"), user, "USER");
        Session web = login(user);
        Client client = new Client();
        WebSocket socket = connect(web.cookie, "http://localhost:" + port, web.csrf, client).get(10, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"open\",\"mode\":\"shell\",\"columns\":120,\"rows\":40}", true).join();
        client.await("$ ");
        socket.sendBinary(ByteBuffer.wrap(("scancel " + theirs + "\rsqueue\rscontrol show job " + theirs + "\r")
                .getBytes(StandardCharsets.UTF_8)), true).join();
        client.await("scontrol show job " + theirs + "\r\n");
        client.await("$ ");
        String text = client.awaitQuiet();
        assertThat(text).contains("Kill job error on job id " + theirs + ": Invalid job id specified")
                .doesNotContain("secret-job");
        assertThat(api.get("/api/v1/jobs/" + theirs, theirToken).text("state")).isNotEqualTo("CANCELLED");

        Client allocation = new Client();
        WebSocket other = connect(web.cookie, "http://localhost:" + port, web.csrf, allocation).get(10, TimeUnit.SECONDS);
        other.sendText("{\"type\":\"open\",\"mode\":\"allocation\",\"gpus\":\"two\",\"walltime\":\"1 hour\"}", true).join();
        allocation.awaitClosed();
        if (allocations.getIfAvailable() == null) {
            assertThat(allocation.control()).contains("Interactive allocations are not available on this portal");
        } else {
            assertThat(allocation.control()).contains("GPUs must be a whole number").contains("is not a Slurm time");
        }
    }

    private static void assertRefused(CompletableFuture<WebSocket> handshake) {
        assertThatThrownBy(() -> handshake.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(WebSocketHandshakeException.class);
    }

    private CompletableFuture<WebSocket> connect(String cookie, String origin, String csrf) {
        return connect(cookie, origin, csrf, new Client());
    }

    private CompletableFuture<WebSocket> connect(String cookie, String origin, String csrf, Client client) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (cookie != null) {
            builder.header("Cookie", "JSESSIONID=" + cookie);
        }
        if (origin != null) {
            builder.header("Origin", origin);
        }
        String query = csrf == null ? "" : "?_csrf=" + enc(csrf);
        return builder.buildAsync(URI.create("ws://localhost:" + port + TerminalConfiguration.SOCKET + query), client);
    }

    /** Collects what the portal sends: output bytes as text, control messages apart. */
    static final class Client implements WebSocket.Listener {
        private final StringBuilder output = new StringBuilder();
        private final StringBuilder control = new StringBuilder();
        private final StringBuilder partial = new StringBuilder();
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private volatile long lastMessage = System.nanoTime();
        volatile String closeReason;

        @Override
        public synchronized CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                control.append(partial).append('\n');
                partial.setLength(0);
            }
            lastMessage = System.nanoTime();
            ws.request(1);
            notifyAll();
            return null;
        }

        @Override
        public synchronized CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bytes.writeBytes(b);
            output.setLength(0);
            output.append(bytes.toString(StandardCharsets.UTF_8));
            lastMessage = System.nanoTime();
            ws.request(1);
            notifyAll();
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeReason = reason;
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(-1);
        }

        synchronized String text() {
            return output.toString();
        }

        synchronized String control() {
            return control.toString();
        }

        synchronized void await(String expected) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!output.toString().contains(expected)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the terminal never showed '" + expected + "'; it shows: " + output
                            + "\ncontrol: " + control);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        /** Waits until the output holds the text {@code count} times. */
        synchronized void awaitCount(String expected, int count) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (occurrences(output.toString(), expected) < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the terminal did not show '" + expected + "' " + count + " times: " + output);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        private static int occurrences(String text, String part) {
            int n = 0;
            for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
                n++;
            }
            return n;
        }

        /** Waits until nothing arrived for half a second; returns the output. */
        String awaitQuiet() throws InterruptedException {
            while (System.nanoTime() - lastMessage < Duration.ofMillis(500).toNanos()) {
                Thread.sleep(100);
            }
            return text();
        }

        int awaitClosed() throws Exception {
            try {
                return closed.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the portal did not close the socket; control: " + control(), e);
            }
        }
    }

    // ------------------------------------------------------------------ a browser's session over plain HTTP

    /** A logged-in browser session: its cookie and the CSRF token of the terminal page. */
    private Session login(String user) throws Exception {
        Session s = new Session();
        String loginCsrf = s.csrf(s.get("/login").body());
        HttpResponse<String> r = s.post("/login", "username=" + enc(user) + "&password=" + enc(USER_PASSWORD) + "&_csrf="
                + enc(loginCsrf));
        assertThat(r.headers().firstValue("Location").orElse("")).doesNotContain("error");
        s.cookie = s.cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("JSESSIONID"))
                .map(HttpCookie::getValue).findFirst().orElseThrow();
        HttpResponse<String> page = s.get("/terminal");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("style-src 'self'; ").containsPattern("style-src-elem 'self' 'nonce-[A-Za-z0-9+/=]{24}'");
        Matcher m = Pattern.compile("data-csrf=\"([^\"]+)\"").matcher(page.body());
        assertThat(m.find()).as("the CSRF token in the terminal page").isTrue();
        s.csrf = m.group(1);
        return s;
    }

    private final class Session {
        final CookieManager cookies = new CookieManager();
        final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER)
                .build();
        String cookie;
        String csrf;

        HttpResponse<String> get(String path) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, String form) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        }

        String csrf(String html) {
            Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
            assertThat(m.find()).as("a CSRF token in the page").isTrue();
            return m.group(1);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
