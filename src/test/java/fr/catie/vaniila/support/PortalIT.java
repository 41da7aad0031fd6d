package fr.catie.vaniila.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import fr.catie.vaniila.PortalApplication;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that drive a whole portal from outside: a real server on a random port, a real
 * embedded PostgreSQL under a fresh home directory. Every subclass shares one portal (Spring caches
 * the context), so tests create their own organisations and users with unique names.
 */
@SpringBootTest(classes = PortalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class PortalIT {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "Integration-Boss-2026";
    public static final String USER_PASSWORD = "Correct-Horse-Battery-9";

    private static final Path HOME;

    static {
        try {
            HOME = Files.createTempDirectory("vaniila-it-");
            // Jobs run as their users: they must be able to pass through to their workspaces.
            Files.setPosixFilePermissions(HOME, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void portalProperties(DynamicPropertyRegistry registry) {
        registry.add("vaniila.home", HOME::toString);
        registry.add("vaniila.admin.password", () -> ADMIN_PASSWORD);
        // Tests throw the database away: durability is not what they check.
        registry.add("vaniila.database.fsync", () -> "false");
        // The demo inventory of virtual nodes, whatever this machine has.
        registry.add("vaniila.local.virtual-nodes", () -> "catie");
        registry.add("vaniila.scheduling.interval", () -> "500ms");
        // Unix accounts of earlier runs on this machine keep their uids: start where none was used.
        registry.add("vaniila.accounts.first-uid", () -> Integer.toString(FIRST_UID));
        // Several portals may run on one machine at once: the SSH server takes a free port.
        registry.add("vaniila.ssh.port", () -> "0");
        // Small enough for the SSH tests to reach it with one upload.
        registry.add("vaniila.ssh.workspace-quota", () -> "8MB");
    }

    /** A uid range of this test run, away from system accounts and from earlier runs. */
    public static final int FIRST_UID = 100_000 + 1000 * new java.util.Random().nextInt(100_000);

    @LocalServerPort
    protected int port;

    protected ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient("http://localhost:" + port);
    }

    /** Waits until the job is in one of the states; fails with the job's last view otherwise. */
    protected ApiClient.Response awaitState(String token, long id, java.time.Duration timeout, String... states) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ApiClient.Response r;
        do {
            r = api.get("/api/v1/jobs/" + id, token);
            if (r.status() == 200 && java.util.Arrays.asList(states).contains(r.text("state"))) {
                return r;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("job " + id + " did not reach " + java.util.Arrays.toString(states) + " in " + timeout
                + ": " + r.body());
    }

    /** Waits until the demo inventory's seven nodes have registered. */
    protected void awaitNodes() {
        String admin = adminToken();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            ApiClient.Response r = api.get("/api/v1/nodes", admin);
            if (r.status() == 200 && r.json().size() >= 7) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("the demo nodes did not register: " + api.get("/api/v1/nodes", admin).body());
    }

    /** Submits a job and returns its id, failing with the answer when refused. */
    protected long submit(String token, String json) {
        ApiClient.Response r = api.post("/api/v1/jobs", json, token);
        if (r.status() != 201) {
            throw new AssertionError("submission refused: " + r.status() + " " + r.body());
        }
        return r.json().get("id").asLong();
    }

    /** The whole log of a stream of a rank, as the API returns it. */
    protected String log(String token, long id, String stream, int rank) {
        return api.get("/api/v1/jobs/" + id + "/log?stream=" + stream + "&rank=" + rank, token).body();
    }

    /** Waits until a log holds the text (logs reach the portal shortly after the process wrote them). */
    protected String awaitLog(String token, long id, String stream, int rank, String expected) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        String text;
        do {
            text = log(token, id, stream, rank);
            if (text.contains(expected)) {
                return text;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the " + stream + " of job " + id + " rank " + rank + " never showed '" + expected
                + "'; it reads: " + text);
    }

    protected static Path home() {
        return HOME;
    }

    /** A name no other test uses, valid for organisations and usernames. */
    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected String adminToken() {
        return api.token(ADMIN, ADMIN_PASSWORD);
    }

    /** Creates an organisation and one account in it; returns the account's token. */
    protected String orgWithUser(String org, String username, String role) {
        String admin = adminToken();
        var r = api.post("/api/v1/organisations", ApiClient.json("name", org), admin);
        if (r.status() != 201) {
            throw new IllegalStateException(r.body());
        }
        r = api.post("/api/v1/users", ApiClient.json("username", username, "password", USER_PASSWORD,
                "organisation", org, "role", role), admin);
        if (r.status() != 201) {
            throw new IllegalStateException(r.body());
        }
        return api.token(username, USER_PASSWORD);
    }
}
