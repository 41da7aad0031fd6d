package fr.catie.vaniila.jobs;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.ApiClient.Response;
import fr.catie.vaniila.support.PortalProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults with real processes: the packaged portal and agents killed with SIGKILL mid-job, PostgreSQL
 * restarted mid-job, two portals on one database. No job may be lost or run twice: each job appends
 * a line to a file of its workspace, which must hold exactly one line at the end.
 */
class JobFaultsIT {

    static final String ADMIN_PASSWORD = "Faults-boss-pass-1";
    static final String USER_PASSWORD = "Correct-Horse-Battery-9";
    private Path home;
    /** Each test has its own database and thus its own uids: away from the Unix accounts of other tests. */
    private int firstUid;
    private String sfx;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void home() throws IOException {
        home = Files.createTempDirectory("vaniila-faults-");
        firstUid = 100_000 + 1000 * new java.util.Random().nextInt(1_000_000);
        // Unix accounts outlive a test's database: names of their own keep tests apart.
        sfx = "-" + UUID.randomUUID().toString().substring(0, 6);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx--x--x"));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private PortalProcess portal(Map<String, String> env, String... args) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("VANIILA_ADMIN_PASSWORD", ADMIN_PASSWORD);
        all.put("VANIILA_ACCOUNTS_FIRST_UID", Integer.toString(firstUid));
        all.put("VANIILA_SCHEDULING_INTERVAL", "500ms");
        all.put("VANIILA_AGENTS_HEARTBEAT_TIMEOUT", "40s");
        PortalProcess p = new PortalProcess(home, all, args).start();
        toClose.add(p);
        return p;
    }

    /** An organisation and a user; returns the user's token. */
    private static String user(ApiClient api, String org, String name) {
        String admin = api.token("admin", ADMIN_PASSWORD);
        api.post("/api/v1/organisations", json("name", org), admin);
        Response r = api.post("/api/v1/users", json("username", name, "password", USER_PASSWORD, "organisation", org), admin);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return api.token(name, USER_PASSWORD);
    }

    private static Response await(ApiClient api, String token, long id, Duration timeout, String... states) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response r;
        do {
            r = api.get("/api/v1/jobs/" + id, token);
            if (r.status() == 200 && List.of(states).contains(r.text("state"))) {
                return r;
            }
            sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("job " + id + " did not reach " + List.of(states) + ": " + r.body());
    }

    /** The job as soon as it has a pending reason, or as it is at the timeout. */
    private static Response awaitReason(ApiClient api, String token, long id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response r;
        do {
            r = api.get("/api/v1/jobs/" + id, token);
            if (r.status() == 200 && r.text("reason") != null) {
                return r;
            }
            sleep(250);
        } while (System.nanoTime() < deadline);
        return r;
    }

    private static void awaitNodes(ApiClient api, int n) {
        String admin = api.token("admin", ADMIN_PASSWORD);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Response r = api.get("/api/v1/nodes", admin);
            long up = 0;
            for (var node : r.json()) {
                if (node.get("state").asString().equals("UP")) {
                    up++;
                }
            }
            if (up >= n) {
                return;
            }
            sleep(250);
        }
        throw new AssertionError("nodes did not come UP: " + api.get("/api/v1/nodes", admin).body());
    }

    /** A script that records each run of the job, then works for a while. */
    private static String recordingScript(String marker, int seconds) {
        return "echo run >> $HOME/" + marker + "\nsleep " + seconds + "\necho done";
    }

    private long runs(String org, String user, String marker) throws IOException {
        Path file = Path.of(lineOfWorkspace(org, user), marker);
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    private String lineOfWorkspace(String org, String user) {
        return home.resolve("workspaces").resolve(org).resolve(user).toString();
    }

    @Test
    void aPortalKilledMidJobAdoptsItsJobsAgainAndNothingRunsTwice() throws Exception {
        PortalProcess portal = portal(Map.of("VANIILA_LOCAL_VIRTUAL_NODES", "catie"));
        ApiClient api = new ApiClient(portal.url());
        awaitNodes(api, 7);
        String token = user(api, "killco" + sfx, "kim" + sfx);
        long id = submitOk(api, token, json("script", recordingScript("runs.txt", 8), "gpusPerNode", 1));
        await(api, token, id, Duration.ofSeconds(60), "RUNNING");
        portal.kill9();

        PortalProcess again = portal(Map.of("VANIILA_LOCAL_VIRTUAL_NODES", "catie"));
        ApiClient api2 = new ApiClient(again.url());
        String token2 = api2.token("kim" + sfx, USER_PASSWORD);
        Response done = await(api2, token2, id, Duration.ofSeconds(90), "COMPLETED", "FAILED", "NODE_FAIL");
        assertThat(done.text("state")).isEqualTo("COMPLETED");
        assertThat(runs("killco" + sfx, "kim" + sfx, "runs.txt")).isEqualTo(1);
        assertThat(done.json().get("run").asInt()).isEqualTo(1);
    }

    @Test
    void anAgentKilledMidJobAdoptsItAgainAndAnAgentSilentTooLongFailsItsJobs() throws Exception {
        PortalProcess portal = portal(Map.of("VANIILA_LOCAL_VIRTUAL_NODES", "none"));
        ApiClient api = new ApiClient(portal.url());
        String admin = api.token("admin", ADMIN_PASSWORD);
        String nodeToken = api.post("/api/v1/nodes/tokens", json("node", "edge-1"), admin).text("token");
        AgentProcess agent = new AgentProcess(portal.url(), nodeToken, "edge-1", home.resolve("agent-state")).start();
        toClose.add(agent);
        awaitNodes(api, 1);
        String token = user(api, "agentco" + sfx, "ada" + sfx);
        long id = submitOk(api, token, json("script", recordingScript("runs.txt", 8), "gpusPerNode", 1));
        await(api, token, id, Duration.ofSeconds(60), "RUNNING");
        agent.kill9();
        sleep(2000);
        agent.start();
        Response done = await(api, token, id, Duration.ofSeconds(90), "COMPLETED", "FAILED", "NODE_FAIL");
        assertThat(done.text("state")).isEqualTo("COMPLETED");
        assertThat(runs("agentco" + sfx, "ada" + sfx, "runs.txt")).isEqualTo(1);

        // An agent that stays away: its node goes DOWN, its job NODE_FAIL and back to the queue.
        long second = submitOk(api, token, json("script", recordingScript("second.txt", 60), "gpusPerNode", 1));
        await(api, token, second, Duration.ofSeconds(60), "RUNNING");
        agent.kill9();
        await(api, token, second, Duration.ofSeconds(90), "PENDING");
        assertThat(api.get("/api/v1/jobs/" + second + "/timeline", token).body()).contains("NODE_FAIL");
        assertThat(api.get("/api/v1/nodes", admin).body()).contains("\"state\":\"DOWN\"");
        // The requeue clears the old reason; the next scheduling cycle gives the pending job its new one.
        Response requeued = awaitReason(api, token, second, Duration.ofSeconds(30));
        assertThat(requeued.text("state")).isEqualTo("PENDING");
        assertThat(requeued.text("reason")).isNotNull();
    }

    @Test
    void aPostgresRestartMidJobLosesNothing() throws Exception {
        ExternalDb db = ExternalDb.create();
        toClose.add(db);
        String cluster = System.getenv("VANIILA_TEST_PG_CLUSTER");
        Assumptions.assumeTrue(cluster != null, "VANIILA_TEST_PG_CLUSTER (e.g. '15 main') names the server to restart");
        PortalProcess portal = portal(db.env(Map.of("VANIILA_LOCAL_VIRTUAL_NODES", "catie")));
        ApiClient api = new ApiClient(portal.url());
        awaitNodes(api, 7);
        String token = user(api, "pgco" + sfx, "pia" + sfx);
        long id = submitOk(api, token, json("script", recordingScript("runs.txt", 10), "gpusPerNode", 1));
        await(api, token, id, Duration.ofSeconds(60), "RUNNING");
        Process restart = new ProcessBuilder(("pg_ctlcluster " + cluster + " restart -m fast").split(" ")).inheritIO().start();
        assertThat(restart.waitFor()).isZero();
        Response done = await(api, token, id, Duration.ofSeconds(120), "COMPLETED", "FAILED", "NODE_FAIL");
        assertThat(done.text("state")).isEqualTo("COMPLETED");
        assertThat(runs("pgco" + sfx, "pia" + sfx, "runs.txt")).isEqualTo(1);
        long after = submitOk(api, token, json("script", "echo after", "gpusPerNode", 1));
        assertThat(await(api, token, after, Duration.ofSeconds(60), "COMPLETED", "FAILED").text("state")).isEqualTo("COMPLETED");
    }

    @Test
    void twoPortalsOnOneDatabaseNeverGiveAGpuTwice() throws Exception {
        ExternalDb db = ExternalDb.create();
        toClose.add(db);
        PortalProcess first = portal(db.env(Map.of("VANIILA_LOCAL_VIRTUAL_NODES", "catie")));
        PortalProcess second = portal(db.env(Map.of("VANIILA_LOCAL_VIRTUAL_NODES", "none")));
        ApiClient a = new ApiClient(first.url());
        ApiClient b = new ApiClient(second.url());
        awaitNodes(a, 7);
        String token = user(a, "twoco" + sfx, "tom" + sfx);
        String tokenB = b.token("tom" + sfx, USER_PASSWORD);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ApiClient via = i % 2 == 0 ? a : b;
            ids.add(submitOk(via, i % 2 == 0 ? token : tokenB, json("script", "sleep 1", "gpusPerNode", 1 + i % 3,
                    "gpuFlavor", i % 4 == 0 ? "v100-16g" : "rtx2080ti-11g")));
        }
        for (long id : ids) {
            Response job = await(b, tokenB, id, Duration.ofSeconds(240), "COMPLETED", "FAILED");
            // On failure the job's whole record (its end reason, its node) says why.
            assertThat(job.text("state")).as(job.body()).isEqualTo("COMPLETED");
        }
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("""
                SELECT count(*) FROM launches x JOIN launches y ON x.node_id = y.node_id AND x.job_id < y.job_id
                  AND x.gpu_indices && y.gpu_indices
                  AND tstzrange(x.created_at, x.ended_at) && tstzrange(y.created_at, y.ended_at)""")) {
            rs.next();
            assertThat(rs.getLong(1)).as("GPUs given to two jobs at once").isZero();
        }
        long leaders = first.output().stream().filter(l -> l.contains("now runs the scheduler loop")).count()
                + second.output().stream().filter(l -> l.contains("now runs the scheduler loop")).count();
        assertThat(leaders).as("one scheduler loop across the two portals").isEqualTo(1);
    }

    private static long submitOk(ApiClient api, String token, String body) {
        Response r = api.post("/api/v1/jobs", body, token);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The agent role of the packaged jar, as a separate process. */
    static final class AgentProcess implements AutoCloseable {
        private final List<String> command;
        private Process process;

        AgentProcess(String portal, String token, String node, Path state) {
            this.command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                    PortalProcess.jar().toString(), "agent", "--portal", portal, "--token", token, "--node", node,
                    "--state-dir", state.toString(), "--virtual-gpus", "2x v100-16g", "--cores", "8", "--memory-mb", "32768");
        }

        AgentProcess start() throws IOException {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "faults-agent.log").toFile())).start();
            return this;
        }

        void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A fresh database on the external PostgreSQL of VANIILA_TEST_DATABASE_URL, dropped afterwards. */
    static final class ExternalDb implements AutoCloseable {
        final String url;
        final String user;
        final String password;
        final String name;

        private ExternalDb(String url, String user, String password, String name) {
            this.url = url;
            this.user = user;
            this.password = password;
            this.name = name;
        }

        static ExternalDb create() throws Exception {
            String url = System.getenv("VANIILA_TEST_DATABASE_URL");
            if (url == null) {
                if (System.getenv("CI") != null) {
                    throw new AssertionError("CI must set VANIILA_TEST_DATABASE_URL (see .ci/run)");
                }
                Assumptions.abort("VANIILA_TEST_DATABASE_URL is not set: no external PostgreSQL");
            }
            String name = "vaniila_faults_" + UUID.randomUUID().toString().substring(0, 8);
            ExternalDb db = new ExternalDb(url, System.getenv("VANIILA_TEST_DATABASE_USER"),
                    System.getenv("VANIILA_TEST_DATABASE_PASSWORD"), name);
            try (Connection c = DriverManager.getConnection(url, db.user, db.password)) {
                c.createStatement().execute("CREATE DATABASE " + name);
            }
            return db;
        }

        String dbUrl() {
            return url.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
        }

        Connection connect() throws Exception {
            return DriverManager.getConnection(dbUrl(), user, password);
        }

        Map<String, String> env(Map<String, String> more) {
            Map<String, String> env = new HashMap<>(more);
            env.put("SPRING_DATASOURCE_URL", dbUrl());
            env.put("SPRING_DATASOURCE_USERNAME", user);
            env.put("SPRING_DATASOURCE_PASSWORD", password);
            return env;
        }

        @Override
        public void close() throws Exception {
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                c.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }
}
