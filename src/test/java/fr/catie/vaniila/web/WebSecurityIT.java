package fr.catie.vaniila.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import fr.catie.vaniila.support.PortalIT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Form login over plain HTTP: CSRF on forms, a new session id at login, logout, security headers, and what a
 * login opened ending with it.
 */
class WebSecurityIT extends PortalIT {

    @Autowired
    private LogTail logTail;

    private final CookieManager cookies = new CookieManager();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void loginChangesTheSessionAndFormsNeedTheCsrfToken() throws Exception {
        HttpResponse<String> page = get("/login");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'")
                .contains("frame-ancestors 'none'");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        String csrf = csrf(page.body());
        String before = session();

        HttpResponse<String> withoutToken = post("/login", "username=admin&password=" + ADMIN_PASSWORD);
        assertThat(withoutToken.statusCode()).isEqualTo(403);

        HttpResponse<String> login = post("/login", "username=admin&password=" + ADMIN_PASSWORD + "&_csrf=" + enc(csrf));
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElse("")).doesNotContain("error");
        assertThat(session()).as("session fixation: a new id after login").isNotEqualTo(before).isNotNull();

        HttpResponse<String> orgs = get("/admin/organisations");
        assertThat(orgs.statusCode()).isEqualTo(200);
        String org = unique("csrf");
        assertThat(post("/admin/organisations", "name=" + org).statusCode()).as("no CSRF token").isEqualTo(403);
        HttpResponse<String> created = post("/admin/organisations", "name=" + org + "&_csrf=" + enc(csrf(orgs.body())));
        assertThat(created.statusCode()).isEqualTo(302);
        assertThat(get("/admin/organisations").body()).contains(org);

        HttpResponse<String> logout = post("/logout", "_csrf=" + enc(csrf(get("/").body())));
        assertThat(logout.headers().firstValue("Location").orElse("")).endsWith("/login?logout");
        assertThat(get("/").statusCode()).isEqualTo(302);
    }

    @Test
    void theLoginPageSaysWhenAnAccountIsLockedOut() throws Exception {
        String user = unique("lock");
        orgWithUser(unique("lockco"), user, "USER");
        for (int i = 0; i < 5; i++) {
            String csrf = csrf(get("/login").body());
            post("/login", "username=" + user + "&password=wrong-" + i + "-xxxxxx&_csrf=" + enc(csrf));
        }
        String csrf = csrf(get("/login").body());
        HttpResponse<String> locked = post("/login", "username=" + user + "&password=" + USER_PASSWORD + "&_csrf=" + enc(csrf));
        assertThat(locked.headers().firstValue("Location").orElse("")).endsWith("/login?error");
        assertThat(get("/login?error").body()).contains("Too many failed logins: try again in 15 minutes.");
        assertThat(get("/login?error&lang=fr").body()).contains("Trop d’échecs de connexion : réessayez dans 15 minutes.");
    }

    @Test
    void aLiveLogEndsWithTheLoginThatOpenedIt() throws Exception {
        String user = unique("tail");
        String token = orgWithUser(unique("tailco"), user, "USER");
        long job = submit(token, "{\"script\": \"for i in $(seq 1 300); do echo tick $i; sleep 0.5; done\"}");
        try {
            awaitState(token, job, Duration.ofSeconds(60), "RUNNING");
            String csrf = csrf(get("/login").body());
            post("/login", "username=" + user + "&password=" + USER_PASSWORD + "&_csrf=" + enc(csrf));
            CountDownLatch ticking = new CountDownLatch(1);
            CompletableFuture<Void> stream = http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:"
                    + port + "/jobs/" + job + "/log/stream")).header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> {
                        assertThat(r.statusCode()).isEqualTo(200);
                        try (Stream<String> lines = r.body()) {
                            lines.filter(l -> l.contains("tick")).forEach(l -> ticking.countDown());
                        }
                    });
            assertThat(ticking.await(30, TimeUnit.SECONDS)).as("the stream sends the job's output").isTrue();
            int open = logTail.count();

            post("/logout", "_csrf=" + enc(csrf(get("/").body())));
            // The job goes on printing for minutes; the stream must end now, not when its lifetime runs out.
            stream.get(10, TimeUnit.SECONDS);
            assertThat(logTail.count()).isLessThan(open);
            assertThat(api.get("/api/v1/jobs/" + job, token).json().get("state").asText()).isEqualTo("RUNNING");
        } finally {
            api.post("/api/v1/jobs/" + job + "/cancel", null, token);
        }
    }

    @Test
    void anAddressTheFirewallRefusesSaysWhatToChange() throws Exception {
        for (String path : new String[] {"/api/v1/jobs//1", "/api/v1/jobs/1;x=y", "/api/v1/jobs/%2e%2e/1",
                "/api/v1/jobs/1%2F2", "/api/v1/jobs/1%5c2"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(path).startsWith("application/problem+json");
            assertThat(r.body()).as(path).contains("Remove it from the path");
        }
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/jobs//1")).header("Accept", "text/html").header("Accept-Language", "fr").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).contains("L’adresse de cette page est mal formée").contains("Suivez un lien du portail");
        // An encoded '/' or '\\' is refused by the same page, not by Tomcat's own.
        for (String path : new String[] {"/jobs/1%2F2", "/files/a%5Cb"}) {
            HttpResponse<String> encoded = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + path)).header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(encoded.statusCode()).as(path).isEqualTo(400);
            assertThat(encoded.body()).as(path).contains("The address of this page is malformed")
                    .doesNotContain("HTTP Status 400");
        }

        // Other 400 pages are not about the address: a refused parameter keeps the general sentence.
        String user = unique("badparam");
        long job = submit(orgWithUser(unique("badparamco"), user, "USER"), "{\"script\": \"echo hi\"}");
        post("/login", "username=" + user + "&password=" + USER_PASSWORD + "&_csrf=" + enc(csrf(get("/login").body())));
        HttpResponse<String> invalid = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/jobs/" + job + "/log/download?stream=bogus")).header("Accept", "text/html").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains("The portal could not show this page").doesNotContain("malformed");
    }

    private String session() {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("JSESSIONID"))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }

    private static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as("a CSRF token in the page").isTrue();
        return m.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
