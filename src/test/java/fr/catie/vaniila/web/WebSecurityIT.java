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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import fr.catie.vaniila.support.PortalIT;
import org.junit.jupiter.api.Test;

/** Form login over plain HTTP: CSRF on forms, a new session id at login, logout, security headers. */
class WebSecurityIT extends PortalIT {

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
