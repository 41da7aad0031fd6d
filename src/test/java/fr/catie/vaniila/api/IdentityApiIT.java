package fr.catie.vaniila.api;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import fr.catie.vaniila.support.ApiClient.Response;
import fr.catie.vaniila.support.PortalIT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The identity API as curl sees it: the happy path, then every mistake a user can make. */
class IdentityApiIT extends PortalIT {

    @Autowired
    JdbcClient jdbc;

    @Test
    void adminCreatesAnOrganisationAndAUserWhoThenWorks() {
        String admin = adminToken();
        assertThat(api.get("/api/v1/me", admin).text("role")).isEqualTo("PLATFORM_ADMIN");

        String org = unique("acme");
        Response created = api.post("/api/v1/organisations", json("name", org), admin);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("name")).isEqualTo(org);

        String alice = unique("alice");
        Response user = api.post("/api/v1/users",
                json("username", alice, "password", USER_PASSWORD, "organisation", org, "role", "USER"), admin);
        assertThat(user.status()).isEqualTo(201);
        assertThat(user.json().get("uid").asInt()).isGreaterThanOrEqualTo(20001);

        String token = api.token(alice, USER_PASSWORD);
        Response me = api.get("/api/v1/me", token);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.text("username")).isEqualTo(alice);
        assertThat(me.text("organisation")).isEqualTo(org);
        assertThat(me.text("role")).isEqualTo("USER");
        assertThat(api.get("/api/v1/organisations", admin).body()).contains(org);
        assertThat(api.get("/api/v1/users?organisation=" + org, admin).body()).contains(alice);
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSame401() {
        String org = unique("wp");
        String user = unique("u");
        orgWithUser(org, user, "USER");
        Response wrong = api.post("/api/v1/auth/token", json("username", user, "password", "not-the-password"), null);
        Response unknown = api.post("/api/v1/auth/token", json("username", unique("nobody"), "password", "whatever-it-is"), null);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.text("detail")).isEqualTo("Wrong username or password.").isEqualTo(unknown.text("detail"));
        assertThat(wrong.body()).doesNotContain("Secret");
    }

    @Test
    void failedLoginsAreThrottledEvenForTheRightPassword() {
        String user = unique("thr");
        orgWithUser(unique("thr"), user, "USER");
        for (int i = 0; i < 5; i++) {
            assertThat(api.post("/api/v1/auth/token", json("username", user, "password", "guess-" + i + "-xxxxx"), null)
                    .status()).isEqualTo(401);
        }
        Response locked = api.post("/api/v1/auth/token", json("username", user, "password", USER_PASSWORD), null);
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.text("detail")).startsWith("Too many failed logins: try again in 15 minutes");
    }

    @Test
    void aDisabledUserCannotLogInAndItsTokensStopWorking() {
        String org = unique("dis");
        String user = unique("bob");
        String token = orgWithUser(org, user, "USER");
        String admin = adminToken();
        Response disabled = api.post("/api/v1/users/" + user + "/disable", null, admin);
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.json().get("enabled").asBoolean()).isFalse();

        assertThat(api.get("/api/v1/me", token).status()).isEqualTo(401);
        Response login = api.post("/api/v1/auth/token", json("username", user, "password", USER_PASSWORD), null);
        assertThat(login.status()).isEqualTo(403);
        assertThat(login.text("detail")).contains("disabled");

        assertThat(api.post("/api/v1/users/" + user + "/enable", null, admin).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/me", api.token(user, USER_PASSWORD)).status()).isEqualTo(200);
    }

    @Test
    void revokedAndExpiredTokensAreRefused() {
        String token = orgWithUser(unique("tok"), unique("carol"), "USER");
        Response second = api.post("/api/v1/tokens", json("name", "ci"), token);
        assertThat(second.status()).isEqualTo(201);
        String secret = second.text("token");
        long id = second.json().get("id").asLong();
        assertThat(api.get("/api/v1/me", secret).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/tokens", token).body()).contains("\"name\":\"ci\"").doesNotContain(secret);

        assertThat(api.delete("/api/v1/tokens/" + id, token).status()).isEqualTo(204);
        Response revoked = api.get("/api/v1/me", secret);
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.text("detail")).contains("unknown, expired or revoked");

        Response third = api.post("/api/v1/tokens", json("name", "short-lived", "expiresInDays", 1), token);
        jdbc.sql("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = ?")
                .param(third.json().get("id").asLong()).update();
        assertThat(api.get("/api/v1/me", third.text("token")).status()).isEqualTo(401);

        Response past = api.post("/api/v1/tokens", json("name", "x", "expiresAt", "2001-01-01T00:00:00Z"), token);
        assertThat(past.status()).isEqualTo(400);
        assertThat(past.text("detail")).contains("in the past");
    }

    @Test
    void duplicatesAndWeakPasswordsAreRefusedAndNothingIsHalfWritten() {
        String admin = adminToken();
        String org = unique("dup");
        assertThat(api.post("/api/v1/organisations", json("name", org), admin).status()).isEqualTo(201);
        Response dupOrg = api.post("/api/v1/organisations", json("name", org), admin);
        assertThat(dupOrg.status()).isEqualTo(409);
        assertThat(dupOrg.text("detail")).contains("already exists");

        Response badName = api.post("/api/v1/organisations", json("name", "Bad Name!"), admin);
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.text("detail")).contains("lowercase");

        String user = unique("dave");
        long before = jdbc.sql("SELECT count(*) FROM accounts").query(Long.class).single();
        Response weak = api.post("/api/v1/users", json("username", user, "password", "short", "organisation", org), admin);
        assertThat(weak.status()).isEqualTo(400);
        assertThat(weak.json().get("errors").get("password").asString()).contains("at least 10 characters");
        assertThat(jdbc.sql("SELECT count(*) FROM accounts").query(Long.class).single()).isEqualTo(before);

        assertThat(api.post("/api/v1/users", json("username", user, "password", USER_PASSWORD, "organisation", org), admin)
                .status()).isEqualTo(201);
        Response dupUser = api.post("/api/v1/users", json("username", user, "password", USER_PASSWORD, "organisation", org), admin);
        assertThat(dupUser.status()).isEqualTo(409);
        assertThat(dupUser.text("detail")).contains("is taken");

        Response noOrg = api.post("/api/v1/users", json("username", unique("eve"), "password", USER_PASSWORD,
                "organisation", unique("nowhere")), admin);
        assertThat(noOrg.status()).isEqualTo(404);

        Response badRole = api.post("/api/v1/users", json("username", unique("eve"), "password", USER_PASSWORD,
                "organisation", org, "role", "GOD"), admin);
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.text("detail")).contains("USER, ORG_ADMIN or PLATFORM_ADMIN");

        Response notJson = api.send("POST", "/api/v1/organisations", "{name:", admin);
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.text("detail")).contains("not the JSON");
    }

    @Test
    void aUserCannotCallAdminEndpoints() {
        String org = unique("usr");
        String token = orgWithUser(org, unique("frank"), "USER");
        Response createOrg = api.post("/api/v1/organisations", json("name", unique("mine")), token);
        assertThat(createOrg.status()).isEqualTo(403);
        assertThat(createOrg.text("detail")).contains("Only a platform administrator");
        Response createUser = api.post("/api/v1/users", json("username", unique("g"), "password", USER_PASSWORD), token);
        assertThat(createUser.status()).isEqualTo(403);
        assertThat(api.get("/actuator/prometheus", token).status()).isEqualTo(403);
        assertThat(api.get("/api/v1/me", null).status()).isEqualTo(401);
    }

    @Test
    void anOrgAdminManagesItsOwnOrganisationOnly() {
        String org = unique("oa");
        String orgAdmin = orgWithUser(org, unique("olga"), "ORG_ADMIN");
        String member = unique("mel");
        Response created = api.post("/api/v1/users", json("username", member, "password", USER_PASSWORD), orgAdmin);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("organisation")).isEqualTo(org);

        Response promote = api.patch("/api/v1/users/" + member, json("role", "PLATFORM_ADMIN"), orgAdmin);
        assertThat(promote.status()).isEqualTo(403);
        assertThat(api.patch("/api/v1/users/" + member, json("role", "ORG_ADMIN"), orgAdmin).text("role"))
                .isEqualTo("ORG_ADMIN");

        String other = unique("other");
        orgWithUser(other, unique("oscar"), "USER");
        Response elsewhere = api.post("/api/v1/users", json("username", unique("x"), "password", USER_PASSWORD,
                "organisation", other), orgAdmin);
        assertThat(elsewhere.status()).isEqualTo(404);
        assertThat(api.get("/api/v1/organisations", orgAdmin).body()).contains(org).doesNotContain(other);
    }

    @Test
    void healthIsPublicWithoutDetailsAndPrometheusIsForAdmins() {
        Response health = api.get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.text("status")).isEqualTo("UP");
        assertThat(health.json().has("components")).isFalse();
        assertThat(api.get("/actuator/prometheus", null).status()).isEqualTo(401);
        Response prometheus = api.get("/actuator/prometheus", adminToken());
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.body()).contains("jvm_memory_used_bytes");
    }
}
