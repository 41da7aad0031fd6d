package fr.catie.vaniila.web;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import fr.catie.vaniila.support.PortalIT;
import org.junit.jupiter.api.Test;

/**
 * Bench command (not run by the build: its name ends in neither Test nor IT): 50 web terminals open
 * at once over the WebSocket, as 50 logged-in browsers would (the Java WebSocket client with each
 * one's cookie and CSRF token); then, all at the same moment, each types one keystroke (measured
 * to its echo) and runs {@code squeue --me} (measured to the next prompt). The same 50 concurrent
 * job listings over the REST API are the anchor, measured in the same run since the machine is
 * shared and noisy. Prints the numbers; docs/benchmarks/terminal.md has the command and results.
 */
class TerminalLoadBench extends PortalIT {

    static final int TERMINALS = 50;

    @Test
    void concurrentTerminals() throws Exception {
        awaitNodes();
        String org = unique("tbench");
        String user = unique("t");
        String token = orgWithUser(org, user, "USER");
        // A queue with something in it: 30 held jobs, so that squeue prints 31 lines.
        for (int i = 0; i < 30; i++) {
            submit(token, json("name", "held-" + i, "script", "#!/bin/bash\nsleep 1", "hold", true));
        }
        List<String[]> logins = new ArrayList<>();
        for (int i = 0; i < TERMINALS; i++) {
            logins.add(login(user));
        }
        ExecutorService pool = Executors.newFixedThreadPool(TERMINALS);
        try {
            for (int round = 1; round <= 3; round++) {
                List<Long> openMs = Collections.synchronizedList(new ArrayList<>());
                List<Long> echoMs = Collections.synchronizedList(new ArrayList<>());
                List<Long> squeueMs = Collections.synchronizedList(new ArrayList<>());
                CountDownLatch opened = new CountDownLatch(TERMINALS);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                String prompt = user + "@vaniila:~$ ";
                for (String[] login : logins) {
                    done.add(pool.submit((Callable<Void>) () -> {
                        WebTerminalIT.Client client = new WebTerminalIT.Client();
                        long t0 = System.nanoTime();
                        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                                .header("Cookie", "JSESSIONID=" + login[0]).header("Origin", "http://localhost:" + port)
                                .buildAsync(URI.create("ws://localhost:" + port + TerminalConfiguration.SOCKET + "?_csrf="
                                        + URLEncoder.encode(login[1], StandardCharsets.UTF_8)), client)
                                .get(30, TimeUnit.SECONDS);
                        ws.sendText("{\"type\":\"open\",\"mode\":\"shell\",\"columns\":120,\"rows\":40}", true).join();
                        client.await(prompt);
                        openMs.add(ms(t0));
                        opened.countDown();
                        go.await();
                        long t1 = System.nanoTime();
                        ws.sendBinary(ByteBuffer.wrap("squeue --me".getBytes(StandardCharsets.UTF_8)), true).join();
                        client.await(prompt + "squeue --me");
                        echoMs.add(ms(t1));
                        long t2 = System.nanoTime();
                        ws.sendBinary(ByteBuffer.wrap(new byte[] {'\r'}), true).join();
                        // The prompt squeue was typed at, and the next one.
                        client.awaitCount(prompt, 2);
                        squeueMs.add(ms(t2));
                        assertThat(client.text()).contains("held-29");
                        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done").join();
                        return null;
                    }));
                }
                assertThat(opened.await(120, TimeUnit.SECONDS)).isTrue();
                go.countDown();
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
                List<Long> restMs = concurrentRest(token, pool);
                System.out.printf(Locale.ROOT, "round %d: %d terminals opened at once: p50 %d ms, p95 %d ms%n", round,
                        TERMINALS, pct(openMs, 50), pct(openMs, 95));
                System.out.printf(Locale.ROOT, "round %d: %d terminals typing at once, 11 keys to their echo: p50 %d ms, "
                        + "p95 %d ms%n", round, TERMINALS, pct(echoMs, 50), pct(echoMs, 95));
                System.out.printf(Locale.ROOT, "round %d: %d terminals, squeue --me (31 lines) to the next prompt: p50 %d ms, "
                        + "p95 %d ms, max %d ms%n", round, TERMINALS, pct(squeueMs, 50), pct(squeueMs, 95), pct(squeueMs, 100));
                System.out.printf(Locale.ROOT, "round %d: %d concurrent REST GET /api/v1/jobs: p50 %d ms, p95 %d ms; "
                        + "ratio squeue-in-terminal/REST p95 %.2f%n", round, TERMINALS, pct(restMs, 50), pct(restMs, 95),
                        pct(squeueMs, 95) / (double) Math.max(1, pct(restMs, 95)));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private List<Long> concurrentRest(String token, ExecutorService pool) throws Exception {
        List<Long> ms = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < TERMINALS; i++) {
            done.add(pool.submit((Callable<Void>) () -> {
                go.await();
                long t0 = System.nanoTime();
                assertThat(api.get("/api/v1/jobs", token).status()).isEqualTo(200);
                ms.add(ms(t0));
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        return ms;
    }

    /** Logs in as a browser does; returns the session cookie and the terminal page's CSRF token. */
    private String[] login(String user) throws Exception {
        CookieManager cookies = new CookieManager();
        HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();
        String base = "http://localhost:" + port;
        String page = http.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
        assertThat(csrf.find()).isTrue();
        http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password="
                        + URLEncoder.encode(USER_PASSWORD, StandardCharsets.UTF_8) + "&_csrf="
                        + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        String terminal = http.send(HttpRequest.newBuilder(URI.create(base + "/terminal")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher token = Pattern.compile("data-csrf=\"([^\"]+)\"").matcher(terminal);
        assertThat(token.find()).isTrue();
        String cookie = cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("JSESSIONID"))
                .map(HttpCookie::getValue).findFirst().orElseThrow();
        return new String[] {cookie, token.group(1)};
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static long pct(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, i));
    }
}
