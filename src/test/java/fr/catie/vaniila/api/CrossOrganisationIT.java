package fr.catie.vaniila.api;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import fr.catie.vaniila.support.ApiClient.Response;
import fr.catie.vaniila.support.PortalIT;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Tenancy from outside: every endpoint of the REST API is called with a token of another
 * organisation, against the first organisation's resources. Each call must be refused (403 or 404)
 * or, for endpoints that only list the caller's own things, must not show the other's. A new
 * endpoint without a case here fails {@link #everyEndpointHasACase()}.
 */
class CrossOrganisationIT extends PortalIT {

    /** What an attack needs: the victim's names and ids. */
    record Victim(String org, String user, String admin, String userToken, long userTokenId, long job, long sshKey) {
    }

    /** One call as the intruder, and whether it must be refused or merely must not leak. */
    record Case(String method, String pattern, Function<Victim, String> path, Function<Victim, String> body,
            boolean mustRefuse, List<Integer> refusals) {
    }

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    private Victim victim;
    private String intruderAdmin;
    private String intruderUser;

    static final List<Case> CASES = new ArrayList<>();

    static void refuse(String method, String pattern, Function<Victim, String> path, Function<Victim, String> body) {
        CASES.add(new Case(method, pattern, path, body, true, List.of(403, 404)));
    }

    /** Refused as invalid input (400) because it names something of another organisation. */
    static void invalid(String method, String pattern, Function<Victim, String> path, Function<Victim, String> body) {
        CASES.add(new Case(method, pattern, path, body, true, List.of(400, 403, 404)));
    }

    static void ownOnly(String method, String pattern, Function<Victim, String> path, Function<Victim, String> body) {
        CASES.add(new Case(method, pattern, path, body, false, List.of()));
    }

    static {
        ownOnly("POST", "/api/v1/auth/token", v -> "/api/v1/auth/token", v -> null);
        ownOnly("GET", "/api/v1/me", v -> "/api/v1/me", v -> null);
        ownOnly("GET", "/api/v1/tokens", v -> "/api/v1/tokens", v -> null);
        ownOnly("POST", "/api/v1/tokens", v -> "/api/v1/tokens", v -> json("name", "mine"));
        refuse("DELETE", "/api/v1/tokens/{id}", v -> "/api/v1/tokens/" + v.userTokenId(), v -> null);
        refuse("POST", "/api/v1/organisations", v -> "/api/v1/organisations", v -> json("name", "x" + v.org()));
        ownOnly("GET", "/api/v1/organisations", v -> "/api/v1/organisations", v -> null);
        refuse("GET", "/api/v1/organisations/{name}", v -> "/api/v1/organisations/" + v.org(), v -> null);
        refuse("POST", "/api/v1/users", v -> "/api/v1/users",
                v -> json("username", "intruder" + v.user().substring(v.user().length() - 4), "password",
                        USER_PASSWORD, "organisation", v.org()));
        refuse("GET", "/api/v1/users", v -> "/api/v1/users?organisation=" + v.org(), v -> null);
        refuse("GET", "/api/v1/users/{username}", v -> "/api/v1/users/" + v.user(), v -> null);
        refuse("PATCH", "/api/v1/users/{username}", v -> "/api/v1/users/" + v.user(), v -> json("enabled", false));
        refuse("POST", "/api/v1/users/{username}/disable", v -> "/api/v1/users/" + v.user() + "/disable", v -> null);
        refuse("POST", "/api/v1/users/{username}/enable", v -> "/api/v1/users/" + v.user() + "/enable", v -> null);
        invalid("POST", "/api/v1/jobs", v -> "/api/v1/jobs", v -> json("script", "true", "dependency", "afterok:" + v.job()));
        ownOnly("GET", "/api/v1/jobs", v -> "/api/v1/jobs", v -> null);
        ownOnly("GET", "/api/v1/jobs", v -> "/api/v1/jobs?state=RUNNING,PENDING", v -> null);
        refuse("GET", "/api/v1/jobs/{id}", v -> "/api/v1/jobs/" + v.job(), v -> null);
        refuse("GET", "/api/v1/jobs/{id}/timeline", v -> "/api/v1/jobs/" + v.job() + "/timeline", v -> null);
        refuse("GET", "/api/v1/jobs/{id}/log", v -> "/api/v1/jobs/" + v.job() + "/log", v -> null);
        refuse("GET", "/api/v1/jobs/{id}/metrics", v -> "/api/v1/jobs/" + v.job() + "/metrics", v -> null);
        refuse("POST", "/api/v1/jobs/{id}/hold", v -> "/api/v1/jobs/" + v.job() + "/hold", v -> null);
        refuse("POST", "/api/v1/jobs/{id}/release", v -> "/api/v1/jobs/" + v.job() + "/release", v -> null);
        refuse("POST", "/api/v1/jobs/{id}/requeue", v -> "/api/v1/jobs/" + v.job() + "/requeue", v -> null);
        refuse("POST", "/api/v1/jobs/{id}/cancel", v -> "/api/v1/jobs/" + v.job() + "/cancel", v -> null);
        refuse("DELETE", "/api/v1/jobs/{id}", v -> "/api/v1/jobs/" + v.job(), v -> null);
        ownOnly("GET", "/api/v1/nodes", v -> "/api/v1/nodes", v -> null);
        refuse("POST", "/api/v1/nodes/{name}/drain", v -> "/api/v1/nodes/catie-rtx-1/drain", v -> null);
        refuse("POST", "/api/v1/nodes/{name}/resume", v -> "/api/v1/nodes/catie-rtx-1/resume", v -> null);
        refuse("POST", "/api/v1/nodes/tokens", v -> "/api/v1/nodes/tokens", v -> json("node", "stolen"));
        refuse("GET", "/api/v1/nodes/tokens", v -> "/api/v1/nodes/tokens", v -> null);
        refuse("DELETE", "/api/v1/nodes/tokens/{id}", v -> "/api/v1/nodes/tokens/1", v -> null);
        ownOnly("GET", "/api/v1/queues", v -> "/api/v1/queues", v -> null);
        ownOnly("GET", "/api/v1/queues/{name}", v -> "/api/v1/queues/gpu", v -> null);
        refuse("POST", "/api/v1/queues", v -> "/api/v1/queues", v -> json("name", "mine", "maxWalltime", "1h"));
        refuse("PUT", "/api/v1/queues/{name}", v -> "/api/v1/queues/gpu", v -> json("maxGpusPerJob", 1));
        refuse("DELETE", "/api/v1/queues/{name}", v -> "/api/v1/queues/cpu", v -> null);
        ownOnly("GET", "/api/v1/quotas", v -> "/api/v1/quotas", v -> null);
        refuse("GET", "/api/v1/quotas", v -> "/api/v1/quotas?organisation=" + v.org(), v -> null);
        refuse("GET", "/api/v1/quotas/{organisation}", v -> "/api/v1/quotas/" + v.org(), v -> null);
        refuse("PUT", "/api/v1/quotas/{organisation}", v -> "/api/v1/quotas/" + v.org(), v -> json("fairShareWeight", 5));
        ownOnly("GET", "/api/v1/usage", v -> "/api/v1/usage", v -> null);
        ownOnly("POST", "/api/v1/ssh-keys", v -> "/api/v1/ssh-keys", v -> json("publicKey", newPublicKey()));
        ownOnly("GET", "/api/v1/ssh-keys", v -> "/api/v1/ssh-keys", v -> null);
        refuse("GET", "/api/v1/ssh-keys/{id}", v -> "/api/v1/ssh-keys/" + v.sshKey(), v -> null);
        refuse("DELETE", "/api/v1/ssh-keys/{id}", v -> "/api/v1/ssh-keys/" + v.sshKey(), v -> null);
        refuse("GET", "/api/v1/usage", v -> "/api/v1/usage?organisation=" + v.org(), v -> null);
    }

    @BeforeEach
    void twoOrganisations() {
        awaitNodes();
        String org = unique("victim");
        String user = unique("vic");
        String userToken = orgWithUser(org, user, "USER");
        String admin = unique("vicadm");
        var r = api.post("/api/v1/users", json("username", admin, "password", USER_PASSWORD, "organisation", org,
                "role", "ORG_ADMIN"), adminToken());
        assertThat(r.status()).isEqualTo(201);
        long tokenId = api.get("/api/v1/tokens", userToken).json().get(0).get("id").asLong();
        // A running job of the victim: the cluster map must not say whose it is.
        var job = api.post("/api/v1/jobs", json("script", "sleep 20", "gpusPerNode", 1), userToken);
        assertThat(job.status()).as(job.body()).isEqualTo(201);
        var key = api.post("/api/v1/ssh-keys", json("publicKey", newPublicKey()), userToken);
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        victim = new Victim(org, user, admin, userToken, tokenId, job.json().get("id").asLong(),
                key.json().get("id").asLong());

        String other = unique("intruder");
        intruderAdmin = orgWithUser(other, unique("ia"), "ORG_ADMIN");
        r = api.post("/api/v1/users", json("username", unique("iu"), "password", USER_PASSWORD), intruderAdmin);
        intruderUser = api.token(r.text("username"), USER_PASSWORD);
    }

    @Test
    void everyEndpointRefusesAnotherOrganisationsToken() {
        for (String intruder : List.of(intruderUser, intruderAdmin)) {
            for (Case c : CASES) {
                if (c.pattern().equals("/api/v1/auth/token")) {
                    continue; // takes a password, not a token: covered below
                }
                Response r = api.send(c.method(), c.path().apply(victim), c.body().apply(victim), intruder);
                String what = c.method() + " " + c.path().apply(victim) + " -> " + r.status() + " " + r.body();
                if (c.mustRefuse()) {
                    assertThat(r.status()).as(what).isIn(c.refusals().toArray());
                    // A refusal may echo what the intruder sent, nothing more of the victim.
                    String sent = c.path().apply(victim) + c.body().apply(victim);
                    for (String secret : List.of(victim.org(), victim.user(), victim.admin())) {
                        if (!sent.contains(secret)) {
                            assertThat(r.body()).as(what).doesNotContain(secret);
                        }
                    }
                } else {
                    assertThat(r.status()).as(what).isBetween(200, 299);
                    assertThat(r.body()).as(what).doesNotContain(victim.org()).doesNotContain(victim.user());
                }
            }
        }
        // The victim's state is untouched: still enabled, token still valid, no intruder account.
        assertThat(api.get("/api/v1/me", victim.userToken()).status()).isEqualTo(200);
        Response users = api.get("/api/v1/users?organisation=" + victim.org(), adminToken());
        assertThat(users.body()).doesNotContain("intruder").contains("\"enabled\":true");
        assertThat(users.json().size()).isEqualTo(2);
        assertThat(api.get("/api/v1/jobs/" + victim.job(), victim.userToken()).text("state")).isIn("PENDING", "STARTING",
                "RUNNING", "COMPLETED");
        assertThat(api.get("/api/v1/queues/gpu", victim.userToken()).json().get("maxGpusPerJob").asInt()).isEqualTo(32);
        api.delete("/api/v1/jobs/" + victim.job(), victim.userToken());
    }

    /** A fresh ed25519 public key in OpenSSH's one-line form. */
    static String newPublicKey() {
        try {
            var pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] x509 = pair.getPublic().getEncoded();
            byte[] raw = java.util.Arrays.copyOfRange(x509, x509.length - 32, x509.length);
            var out = new java.io.ByteArrayOutputStream();
            var data = new java.io.DataOutputStream(out);
            byte[] type = "ssh-ed25519".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            data.writeInt(type.length);
            data.write(type);
            data.writeInt(raw.length);
            data.write(raw);
            return "ssh-ed25519 " + java.util.Base64.getEncoder().encodeToString(out.toByteArray()) + " test";
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anotherOrganisationsPasswordDoesNotOpenThisOne() {
        Response r = api.post("/api/v1/auth/token", json("username", victim.user(), "password", "Wrong-password-1"), null);
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void everyEndpointHasACase() {
        Set<String> covered = new TreeSet<>();
        CASES.forEach(c -> covered.add(c.method() + " " + c.pattern()));
        Map<String, String> missing = new LinkedHashMap<>();
        mappings.getHandlerMethods().forEach((info, method) -> {
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/")) {
                    continue;
                }
                for (var m : info.getMethodsCondition().getMethods()) {
                    String key = m.name() + " " + pattern;
                    if (!covered.contains(key)) {
                        missing.put(key, method.toString());
                    }
                }
            }
        });
        assertThat(missing).as("REST endpoints without a cross-organisation case in " + getClass().getSimpleName())
                .isEmpty();
    }
}
