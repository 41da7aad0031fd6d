package fr.catie.vaniila.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import fr.catie.vaniila.agent.AgentMessages.Registration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent against real processes on this machine and a real HTTP server playing the portal. When the tests run
 * as root (as CI does), jobs run as a test account the agent creates ({@code vaniila-t1}, uid 64001), removed
 * afterwards; otherwise they run as the test's own user, as the agent documents.
 */
class NodeAgentIT {

    static final String USER = "vaniila-t1";
    static final int UID = 64001;
    static final Duration WAIT = Duration.ofSeconds(30);
    static final boolean ROOT = JobLauncher.runningAsRoot();
    private static final AtomicInteger COUNTER = new AtomicInteger();

    static Path base;

    PortalHarness portal;
    NodeAgent agent;
    Path stateDir;
    Path workspace;
    Inventory inventory = Inventory.declared("it-node", 4, 8192, List.of("v100-16g", "v100-16g"));

    @BeforeAll
    static void createBase() throws Exception {
        removeAccount(USER);
        removeAccount("vaniila-t2");
        base = Files.createTempDirectory("vaniila-agent-it");
        // The job's user must be able to reach its workspace under the test's directory.
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void removeAccounts() throws Exception {
        removeAccount(USER);
        removeAccount("vaniila-t2");
        deleteTree(base);
    }

    /** Removes a test's directory (it holds big logs). */
    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void removeAccount(String name) throws Exception {
        if (ROOT) {
            run("userdel", name);
            run("groupdel", name);
        }
    }

    static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @BeforeEach
    void startPortal() throws IOException {
        portal = new PortalHarness();
        int n = COUNTER.incrementAndGet();
        stateDir = base.resolve("state-" + n);
        workspace = base.resolve("home-" + n).resolve(USER);
    }

    @AfterEach
    void stopAll() {
        if (agent != null) {
            agent.stop();
        }
        portal.close();
    }

    AgentConfig config() {
        return AgentConfig.of(inventory, stateDir).withWaits(1, 1).withMonitorInterval(Duration.ofMillis(200))
                .withCgroupRoot(null);
    }

    NodeAgent startAgent(AgentConfig config, PortalLink link) throws IOException {
        agent = NodeAgent.start(config, link);
        return agent;
    }

    NodeAgent startAgent() throws IOException {
        return startAgent(config(), new HttpPortalLink(portal.uri(), PortalHarness.TOKEN));
    }

    LaunchSpec batch(String launchId, long jobId, String script, long walltime, int grace, List<Integer> gpus,
            Map<String, String> env) {
        return spec(launchId, jobId, LaunchKind.BATCH, script, List.of(), walltime, grace, gpus, env, 0, 0);
    }

    LaunchSpec spec(String launchId, long jobId, LaunchKind kind, String script, List<String> argv, long walltime,
            int grace, List<Integer> gpus, Map<String, String> env, int cores, long memoryMb) {
        String ws = workspace.toString();
        return new LaunchSpec(new LaunchId(launchId), new JobId(jobId), "job-" + jobId, kind,
                new UserAccount(USER, UID, UID, ws), ws, ws + "/.vaniila/jobs/" + jobId, script, argv,
                ws + "/slurm-" + jobId + ".out", ws + "/slurm-" + jobId + ".err", cores, memoryMb, gpus, walltime,
                grace, env);
    }

    static String jobDir(LaunchSpec spec) {
        return spec.jobDir();
    }

    // ------------------------------------------------------------------------------------------------ tests

    @Test
    void batchJobRunsAsTheUserWithTheAllocatedGpusAndTorchrunVariables() throws Exception {
        startAgent();
        LaunchSpec spec = batch("env-1", 101, String.join("\n", "#!/bin/bash",
                "echo \"uid=$(id -u) user=$USER home=$HOME\"",
                "echo \"cuda=$CUDA_VISIBLE_DEVICES job=$VANIILA_JOB_ID\"",
                "echo \"master=$MASTER_ADDR:$MASTER_PORT world=$WORLD_SIZE rank=$RANK\"",
                "echo \"pwd=$(pwd)\"",
                "echo \"token-vars=$(env | grep -c VANIILA_AGENT)\"",
                "echo oops >&2",
                "exit 3", ""), 0, 5, List.of(1),
                Map.of("MASTER_ADDR", "10.0.0.11", "MASTER_PORT", "29542", "WORLD_SIZE", "2", "RANK", "0"));
        portal.send(PortalHarness.launchCommand("c-1", spec));

        AgentEvent.Started started = portal.await(AgentEvent.Started.class, spec.launchId(), WAIT);
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(new JobId(101), started.jobId());
        assertTrue(started.pid() > 1);
        assertEquals(3, exited.exitCode());
        assertNull(exited.signal());
        assertEquals(ExitReason.EXITED, exited.reason());
        assertTrue(exited.seq() > started.seq());

        int uid = ROOT ? UID : currentUid();
        String out = portal.awaitLog(spec.launchId(), LogStream.STDOUT, "token-vars=", WAIT);
        assertTrue(out.contains("uid=" + uid + " user=" + (ROOT ? USER : System.getProperty("user.name"))
                + " home=" + workspace), out);
        assertTrue(out.contains("cuda=1 job=101"), out);
        assertTrue(out.contains("master=10.0.0.11:29542 world=2 rank=0"), out);
        assertTrue(out.contains("pwd=" + workspace), out);
        assertTrue(out.contains("token-vars=0"), out);
        assertEquals("oops\n", portal.awaitLog(spec.launchId(), LogStream.STDERR, "oops", WAIT));
        if (ROOT) {
            assertEquals(UID, Files.getAttribute(Path.of(spec.jobDir()), "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(UID, Files.getAttribute(workspace, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            // Other users, of other companies too, see nothing of a workspace the agent created.
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(workspace)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    Path.of(spec.stdout()))));
        }
        Registration registration = portal.registrations.get(0);
        assertEquals("it-node", registration.node());
        assertEquals(2, registration.gpus().size());
        assertEquals("v100-16g", registration.gpus().get(0).flavor());
        assertTrue(registration.gpus().get(0).virtual());
        assertEquals(Registration.LIMITS_NONE, registration.jobLimits(), "this agent runs without cgroups");
        assertNull(registration.gpuIsolation(), "virtual GPUs have no device to withhold");
        assertEquals(List.of(), portal.protocolErrors);
    }

    private static int currentUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no Uid line");
    }

    @Test
    void wallTimeKillsTheWholeProcessGroupAfterTheGrace() throws Exception {
        startAgent();
        // The job and its background child ignore SIGTERM, so only the SIGKILL after the grace ends them.
        LaunchSpec spec = batch("wall-1", 102, String.join("\n", "#!/bin/bash",
                "trap '' TERM",
                "sleep 300 &",
                "echo $! > \"$VANIILA_JOB_DIR/child.pid\"",
                "echo started",
                "wait", ""), 1, 1, List.of(), Map.of());
        portal.send(PortalHarness.launchCommand("c-2", spec));

        portal.await(AgentEvent.Started.class, spec.launchId(), WAIT);
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(ExitReason.TIMEOUT, exited.reason());
        assertEquals(137, exited.exitCode());
        assertEquals("SIGKILL", exited.signal());
        long child = Long.parseLong(Files.readString(Path.of(spec.jobDir(), "child.pid")).trim());
        assertFalse(ProcessTable.alive(child, null), "the job's background child survived its wall time");
    }

    @Test
    void whatEscapesTheProcessGroupEndsWithTheJob() throws Exception {
        startAgent();
        // A daemon in a session of its own: the group kill misses it, the launch's mark does not.
        LaunchSpec spec = batch("escape-1", 117, String.join("\n", "#!/bin/bash",
                "setsid sleep 300 </dev/null >/dev/null 2>&1 &",
                "echo $! > \"$VANIILA_JOB_DIR/child.pid\"",
                "exit 0", ""), 0, 10, List.of(), Map.of());
        portal.send(PortalHarness.launchCommand("c-escape", spec));
        assertTheChildDiesWithItsJob(spec, "a process started with setsid outlived its job");
    }

    /** Awaits the launch's end, then the death of the process whose pid the job wrote to {@code child.pid}. */
    void assertTheChildDiesWithItsJob(LaunchSpec spec, String otherwise) throws Exception {
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(0, exited.exitCode());
        long child = Long.parseLong(Files.readString(Path.of(spec.jobDir(), "child.pid")).trim());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (ProcessTable.alive(child, null) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(ProcessTable.alive(child, null), otherwise);
    }

    @Test
    void stopSendsTermToTheGroupAndReportsCancelled() throws Exception {
        startAgent();
        LaunchSpec spec = batch("stop-1", 103, "#!/bin/bash\nsleep 300 &\necho $! > \"$VANIILA_JOB_DIR/child.pid\"\n"
                + "wait\n", 0, 10, List.of(), Map.of());
        portal.send(PortalHarness.launchCommand("c-3", spec));
        portal.await(AgentEvent.Started.class, spec.launchId(), WAIT);
        awaitFile(Path.of(spec.jobDir(), "child.pid"));

        portal.send(PortalHarness.stopCommand("c-4", spec.launchId(), 10));
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(ExitReason.CANCELLED, exited.reason());
        assertEquals(143, exited.exitCode());
        assertEquals("SIGTERM", exited.signal());
        long child = Long.parseLong(Files.readString(Path.of(spec.jobDir(), "child.pid")).trim());
        assertFalse(ProcessTable.alive(child, null));

        // A stop repeated under a new command id, for a launch that has ended, reports the same outcome again.
        portal.send(PortalHarness.stopCommand("c-5", spec.launchId(), 10));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (portal.count(e -> e instanceof AgentEvent.Exited && e.launchId().equals(spec.launchId())) < 2
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(portal.applied.stream().filter(e -> e instanceof AgentEvent.Exited)
                .allMatch(e -> ((AgentEvent.Exited) e).exitCode() == 143));
    }

    @Test
    void aLaunchRunsOnceHoweverOftenItIsSent() throws Exception {
        startAgent();
        LaunchSpec spec = batch("once-1", 104, "#!/bin/bash\necho ran >> \"$VANIILA_JOB_DIR/runs\"\n", 0, 5,
                List.of(), Map.of());
        portal.send(PortalHarness.launchCommand("c-6", spec));
        portal.send(PortalHarness.launchCommand("c-6", spec));
        portal.send(PortalHarness.launchCommand("c-7", spec));
        portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        portal.send(PortalHarness.launchCommand("c-8", spec));
        // Give the last repeat time to be (not) executed: wait for two more syncs.
        int syncs = portal.syncs;
        while (portal.syncs < syncs + 2) {
            Thread.sleep(50);
        }
        assertEquals(List.of("ran"), Files.readAllLines(Path.of(spec.jobDir(), "runs")));
        assertEquals(1, portal.count(e -> e instanceof AgentEvent.Started));
        assertEquals(1, portal.count(e -> e instanceof AgentEvent.Exited));
    }

    @Test
    void aRestartedAgentAdoptsTheRunningJobAndReportsItsExit() throws Exception {
        startAgent();
        LaunchSpec spec = batch("adopt-1", 105, String.join("\n", "#!/bin/bash",
                "while [ ! -e \"$VANIILA_JOB_DIR/go\" ]; do sleep 0.1; done",
                "echo finishing",
                "exit 5", ""), 0, 5, List.of(0), Map.of());
        portal.send(PortalHarness.launchCommand("c-9", spec));
        AgentEvent.Started started = portal.await(AgentEvent.Started.class, spec.launchId(), WAIT);

        agent.stop();
        assertTrue(ProcessTable.alive(started.pid(), null), "the job must outlive its agent");

        startAgent();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (portal.registrations.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Registration again = portal.registrations.get(1);
        assertEquals(List.of(spec.launchId()), again.running().stream().map(r -> r.launchId()).toList());
        assertEquals(started.pid(), again.running().get(0).pid());
        assertEquals(List.of(spec.launchId()), agent.runningLaunches());

        Files.writeString(Path.of(spec.jobDir(), "go"), "");
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(5, exited.exitCode());
        assertEquals(ExitReason.EXITED, exited.reason());
        portal.awaitLog(spec.launchId(), LogStream.STDOUT, "finishing", WAIT);
        assertEquals(1, portal.count(e -> e instanceof AgentEvent.Started));
        assertEquals(List.of(), portal.protocolErrors);
    }

    @Test
    void aWallTimeThatPassedWhileTheAgentWasDownIsEnforcedByTheNextAgent() throws Exception {
        startAgent();
        LaunchSpec spec = batch("wall-2", 116, "#!/bin/bash\nsleep 300\n", 2, 5, List.of(), Map.of());
        portal.send(PortalHarness.launchCommand("c-20", spec));
        portal.await(AgentEvent.Started.class, spec.launchId(), WAIT);
        agent.stop();
        Thread.sleep(2500);
        assertEquals(0, portal.count(e -> e instanceof AgentEvent.Exited));

        startAgent();
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(ExitReason.TIMEOUT, exited.reason());
        assertEquals(143, exited.exitCode());
    }

    @Test
    void aJobLostWithItsWrapperWhileTheAgentWasDownIsReportedWithoutAnExitCode() throws Exception {
        startAgent();
        LaunchSpec spec = batch("lost-1", 115, "#!/bin/bash\nsleep 300\n", 0, 5, List.of(), Map.of());
        portal.send(PortalHarness.launchCommand("c-19", spec));
        AgentEvent.Started started = portal.await(AgentEvent.Started.class, spec.launchId(), WAIT);
        agent.stop();

        // What a reboot does: the wrapper and the job vanish, and nobody writes an exit code.
        String stat = Files.readString(Path.of("/proc", Long.toString(started.pid()), "stat"));
        long wrapper = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        assertEquals(0, run("kill", "-KILL", Long.toString(wrapper)));
        assertEquals(0, run("kill", "-KILL", "--", "-" + started.pid()));

        startAgent();
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertNull(exited.exitCode());
        assertEquals(ExitReason.EXITED, exited.reason());
        assertFalse(Files.exists(Path.of(spec.jobDir(), JobLauncher.EXIT_CODE)));
    }

    @Test
    void aBigLogIsShippedInChunksOfAtMostOneMebibyte() throws Exception {
        startAgent();
        long size = 20_000_000;
        LaunchSpec spec = batch("log-1", 106, "#!/bin/bash\nyes 'vaniila log line 0123456789' | head -c " + size
                + "\n", 0, 5, List.of(), Map.of());
        portal.send(PortalHarness.launchCommand("c-10", spec));
        portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);

        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (portal.logSize(spec.launchId(), LogStream.STDOUT) < size && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(size, portal.logSize(spec.launchId(), LogStream.STDOUT));
        assertEquals(sha256(Files.newInputStream(Path.of(spec.stdout()))),
                portal.logSha256(spec.launchId(), LogStream.STDOUT));
        assertTrue(portal.chunkSizes.stream().allMatch(n -> n <= NodeAgent.MAX_CHUNK), portal.chunkSizes.toString());
        assertTrue(portal.chunkSizes.size() >= size / NodeAgent.MAX_CHUNK);
    }

    @Test
    void aStreamThePortalTruncatesIsNoLongerShipped() throws Exception {
        portal.maxLogBytes = 100_000;
        startAgent();
        LaunchSpec spec = batch("log-2", 107, "#!/bin/bash\nyes 'more log' | head -c 5000000\n", 0, 5, List.of(),
                Map.of());
        portal.send(PortalHarness.launchCommand("c-11", spec));
        portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!agent.runningLaunches().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(1000);
        assertEquals(100_000, portal.log(spec.launchId(), LogStream.STDOUT).length);
        assertEquals(1, portal.chunkSizes.stream().filter(n -> n > 0).count(), portal.chunkSizes.toString());
    }

    @Test
    void metricsLinesBecomeMetricsEvents() throws Exception {
        startAgent();
        LaunchSpec spec = batch("metrics-1", 108, String.join("\n", "#!/bin/bash",
                "m=\"$VANIILA_JOB_DIR/metrics.jsonl\"",
                "echo '{\"epoch\": 1, \"loss\": 0.5}' >> \"$m\"",
                "echo 'not json' >> \"$m\"",
                "echo '{\"epoch\": 2, \"loss\": 0.25, \"test_accuracy\": 0.95}' >> \"$m\"",
                "sleep 0.5", ""), 0, 5, List.of(), Map.of());
        portal.send(PortalHarness.launchCommand("c-12", spec));
        portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (portal.count(e -> e instanceof AgentEvent.Metrics) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<AgentEvent.Metrics> metrics = portal.applied.stream().filter(e -> e instanceof AgentEvent.Metrics)
                .map(e -> (AgentEvent.Metrics) e).toList();
        assertEquals(2, metrics.size());
        assertEquals(0.5, metrics.get(0).metrics().get("loss").asDouble());
        assertEquals(0.95, metrics.get(1).metrics().get("test_accuracy").asDouble());
    }

    @Test
    void aWrongTokenStopsTheAgentWithAClearMessage() throws Exception {
        startAgent(config(), new HttpPortalLink(portal.uri(), "not-the-token"));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> agent.stopped().get(30, TimeUnit.SECONDS));
        PortalRefusedException refused = assertInstanceOf(PortalRefusedException.class, e.getCause());
        assertTrue(refused.getMessage().contains("refused this agent's token (HTTP 401: unknown or revoked node token)"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("Check --token"), refused.getMessage());
        assertTrue(portal.registrations.isEmpty());
    }

    @Test
    void thePortalAwayThenBackGetsEveryEventOnceAndTheRunningList() throws Exception {
        startAgent();
        LaunchSpec spec = batch("outage-1", 109, String.join("\n", "#!/bin/bash",
                "while [ ! -e \"$VANIILA_JOB_DIR/go\" ]; do sleep 0.1; done",
                "echo done", ""), 0, 5, List.of(), Map.of());
        portal.send(PortalHarness.launchCommand("c-13", spec));
        portal.await(AgentEvent.Started.class, spec.launchId(), WAIT);

        portal.failWith = 503;
        Files.writeString(Path.of(spec.jobDir(), "go"), "");
        awaitFile(Path.of(spec.jobDir(), JobLauncher.EXIT_CODE));
        Thread.sleep(1500);
        assertEquals(0, portal.count(e -> e instanceof AgentEvent.Exited));

        portal.failWith = 0;
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(0, exited.exitCode());
        portal.awaitLog(spec.launchId(), LogStream.STDOUT, "done", WAIT);
        assertTrue(portal.registrations.size() >= 2, "the agent registers again after an outage");

        // A portal that forgot the node (410) gets a new registration.
        int before = portal.registrations.size();
        portal.forgetNode = true;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (portal.registrations.size() == before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(before + 1, portal.registrations.size());
        assertEquals(1, portal.count(e -> e instanceof AgentEvent.Exited));
        assertEquals(List.of(), portal.protocolErrors);
    }

    @Test
    void launchesThatMustNotRunFailWithAMessage() throws Exception {
        startAgent();
        LaunchSpec asRoot = new LaunchSpec(new LaunchId("root-1"), new JobId(110), "j", LaunchKind.BATCH,
                new UserAccount("root", 0, 0, workspace.toString()), workspace.toString(),
                workspace + "/.vaniila/jobs/110", "id", null, workspace + "/o", workspace + "/e", 1, 1, List.of(), 0,
                1, Map.of());
        portal.send(PortalHarness.launchCommand("c-14", asRoot));
        AgentEvent.LaunchFailed failed = portal.await(AgentEvent.LaunchFailed.class, asRoot.launchId(), WAIT);
        assertTrue(failed.message().contains("jobs never run as root"), failed.message());
        assertFalse(Files.exists(Path.of(asRoot.jobDir())));

        LaunchSpec interactive = spec("int-1", 111, LaunchKind.INTERACTIVE, null, List.of(), 0, 1, List.of(),
                Map.of(), 0, 0);
        portal.send(PortalHarness.launchCommand("c-15", interactive));
        failed = portal.await(AgentEvent.LaunchFailed.class, interactive.launchId(), WAIT);
        assertTrue(failed.message().contains("an INTERACTIVE launch needs a script"), failed.message());

        if (ROOT) {
            assertEquals(0, run("groupadd", "-g", "64002", "vaniila-t2"));
            assertEquals(0, run("useradd", "-u", "64002", "-g", "64002", "-M", "vaniila-t2"));
            LaunchSpec clash = new LaunchSpec(new LaunchId("clash-1"), new JobId(112), "j", LaunchKind.BATCH,
                    new UserAccount("vaniila-t2", 64003, 64003, workspace.toString()), workspace.toString(),
                    workspace + "/.vaniila/jobs/112", "id", null, workspace + "/o", workspace + "/e", 1, 1, List.of(),
                    0, 1, Map.of());
            portal.send(PortalHarness.launchCommand("c-16", clash));
            failed = portal.await(AgentEvent.LaunchFailed.class, clash.launchId(), WAIT);
            assertTrue(failed.message().contains("'vaniila-t2' exists on this node with uid 64002 but the portal"
                    + " assigned uid 64003"), failed.message());
        }
        assertEquals(0, portal.count(e -> e instanceof AgentEvent.Started));
    }

    @Test
    void anInteractiveTerminalNobodyWaitsForIsHungUp() throws Exception {
        startAgent();
        // This harness has no terminal stream (404), as a portal where the user left before the shell started:
        // the shell gets SIGHUP and the launch ends with 128+1, rather than running unseen until its wall time.
        LaunchSpec unseen = spec("int-2", 113, LaunchKind.INTERACTIVE, "bash", List.of(), 0, 1, List.of(), Map.of(),
                0, 0);
        portal.send(PortalHarness.launchCommand("c-int-2", unseen));
        portal.await(AgentEvent.Started.class, unseen.launchId(), WAIT);
        AgentEvent.Exited hungUp = portal.await(AgentEvent.Exited.class, unseen.launchId(), WAIT);
        assertEquals(129, hungUp.exitCode(), String.valueOf(hungUp));
        assertEquals(ExitReason.EXITED, hungUp.reason());

        // Without python3 on the job's PATH there is no terminal: refused with what to install.
        LaunchSpec noPython = spec("int-3", 114, LaunchKind.INTERACTIVE, "bash", List.of(), 0, 1, List.of(),
                Map.of("PATH", workspace.resolve("no-such-bin").toString()), 0, 0);
        portal.send(PortalHarness.launchCommand("c-int-3", noPython));
        AgentEvent.LaunchFailed failed = portal.await(AgentEvent.LaunchFailed.class, noPython.launchId(), WAIT);
        assertTrue(failed.message().contains("python3 is not installed on this node"), failed.message());
    }

    @Test
    void cgroupLimitsAreWrittenWhereTheHierarchyAllowsIt() throws Exception {
        // A directory laid out like a cgroup v2 root: the agent's writes land in plain files, checked below.
        Path root = Files.createDirectory(base.resolve("cgroup-" + COUNTER.incrementAndGet()));
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        startAgent(config().withCgroupRoot(root), new HttpPortalLink(portal.uri(), PortalHarness.TOKEN));
        LaunchSpec spec = spec("cg-1", 113, LaunchKind.BATCH, "#!/bin/bash\necho limited\n", List.of(), 0, 1,
                List.of(), Map.of(), 2, 512);
        portal.send(PortalHarness.launchCommand("c-17", spec));
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(0, exited.exitCode());
        Path group = root.resolve("vaniila").resolve("cg-1");
        assertEquals(String.valueOf(512L * 1024 * 1024), Files.readString(group.resolve("memory.max")));
        assertEquals("200000 100000", Files.readString(group.resolve("cpu.max")));
        assertTrue(Files.readString(group.resolve("cgroup.procs")).trim().matches("\\d+"));
        assertEquals("+memory +cpu", Files.readString(root.resolve("vaniila").resolve("cgroup.subtree_control")));
    }

    /** This machine's cgroups (v2, or v1 as on the build machine), which the tests below use for real. */
    static Path machineCgroups() {
        Path root = Path.of("/sys/fs/cgroup");
        JobCgroups.Detection detection = JobCgroups.detect(root);
        assumeTrue(detection.usable().isPresent(), "no cgroup here for the agent: " + detection.unavailableBecause());
        return root;
    }

    /** A file of the cgroup a process is in: {@code v2File} under cgroup v2, {@code v1File} of {@code controller}. */
    static Path cgroupFile(Path root, long pid, String controller, String v1File, String v2File) throws IOException {
        boolean v2 = Files.isRegularFile(root.resolve("cgroup.controllers"));
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            String[] parts = line.split(":", 3);
            String path = parts[2].replaceFirst("^/", "");
            if (v2 && parts[0].equals("0")) {
                return root.resolve(path).resolve(v2File);
            }
            if (!v2 && List.of(parts[1].split(",")).contains(controller)) {
                return root.resolve(controller).resolve(path).resolve(v1File);
            }
        }
        throw new AssertionError("process " + pid + " is in no " + controller + " cgroup");
    }

    @Test
    void aJobRunsInItsCgroupAndTheKernelHoldsItToItsCores() throws Exception {
        Path root = machineCgroups();
        startAgent(config().withCgroupRoot(root), new HttpPortalLink(portal.uri(), PortalHarness.TOKEN));
        // Two busy loops with one core: the kernel must throttle the job. It burns until the test says stop.
        LaunchSpec spec = spec("cg-real-1", 118, LaunchKind.BATCH, String.join("\n", "#!/bin/bash",
                "burn() { while :; do :; done; }", "burn & burn &",
                "while [ ! -e \"$VANIILA_JOB_DIR/stop\" ]; do sleep 0.1; done",
                "kill %1 %2", "echo stopped", ""), List.of(), 0, 1, List.of(), Map.of(), 1, 200);
        portal.send(PortalHarness.launchCommand("c-cg-real-1", spec));
        portal.await(AgentEvent.Started.class, spec.launchId(), WAIT);
        Path pidFile = Path.of(spec.jobDir(), JobLauncher.JOB_PID);
        awaitFile(pidFile);
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        Path memoryLimit = cgroupFile(root, pid, "memory", "memory.limit_in_bytes", "memory.max");
        assertTrue(memoryLimit.toString().contains("/vaniila/cg-real-1/"), memoryLimit.toString());
        assertEquals(String.valueOf(200L * 1024 * 1024), Files.readString(memoryLimit).trim());
        Path cpuStat = cgroupFile(root, pid, "cpu", "cpu.stat", "cpu.stat");
        long deadline = System.nanoTime() + WAIT.toNanos();
        long throttled = 0;
        while (throttled == 0 && System.nanoTime() < deadline) {
            throttled = JobCgroups.keyed(cpuStat, "nr_throttled");
            Thread.sleep(100);
        }
        assertTrue(throttled > 0, "two busy loops on one core were never throttled: " + Files.readString(cpuStat));
        Files.writeString(Path.of(spec.jobDir(), "stop"), "");
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(0, exited.exitCode(), portal.logText(spec.launchId(), LogStream.STDERR));
        assertEquals(ExitReason.EXITED, exited.reason());
        // Once the launch is over, its cgroup is removed.
        Path group = memoryLimit.getParent();
        deadline = System.nanoTime() + WAIT.toNanos();
        while (Files.exists(group) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(Files.exists(group), group + " outlived its launch");
    }

    @Test
    void aJobOverItsMemoryIsKilledByTheKernelAndTheAgentSaysSo() throws Exception {
        Path root = machineCgroups();
        startAgent(config().withCgroupRoot(root), new HttpPortalLink(portal.uri(), PortalHarness.TOKEN));
        LaunchSpec spec = spec("cg-real-2", 119, LaunchKind.BATCH, String.join("\n", "#!/bin/bash",
                "python3 -c 'b = bytearray(512 * 1024 * 1024); print(len(b))'", ""), List.of(), 0, 1, List.of(),
                Map.of(), 1, 64);
        portal.send(PortalHarness.launchCommand("c-cg-real-2", spec));
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(ExitReason.OUT_OF_MEMORY, exited.reason(), String.valueOf(exited));
        assertEquals(137, exited.exitCode(), String.valueOf(exited));
    }

    @Test
    void aJobsFinalCpuTimeIsSentAfterItEndedEvenWhileASampleWasOnItsWay() throws Exception {
        Path root = machineCgroups();
        startAgent(config().withCgroupRoot(root), new HttpPortalLink(portal.uri(), PortalHarness.TOKEN));
        // The agent's syncs wait a second at the portal, each with a sample of the running job: one is on its way
        // when the job ends, and the final usage must still follow.
        LaunchSpec spec = spec("cg-real-4", 121, LaunchKind.BATCH, String.join("\n", "#!/bin/bash",
                "timeout 1.5 sh -c 'while :; do :; done'", "exit 0", ""), List.of(), 0, 1, List.of(), Map.of(), 1, 200);
        portal.send(PortalHarness.launchCommand("c-cg-real-4", spec));
        portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!portal.cpuAfterExit.containsKey("cg-real-4") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(portal.cpuAfterExit.containsKey("cg-real-4"), "no usage came after the launch's EXITED");
        assertTrue(portal.cpuAfterExit.get("cg-real-4") > 0.3, "CPU seconds: " + portal.cpuAfterExit);
    }

    @Test
    void aProcessThatLeavesItsSessionAndClearsItsEnvironmentEndsWithTheJob() throws Exception {
        Path root = machineCgroups();
        startAgent(config().withCgroupRoot(root), new HttpPortalLink(portal.uri(), PortalHarness.TOKEN));
        // Neither the process group nor the mark in the environment reaches this daemon; its cgroup does.
        LaunchSpec spec = spec("cg-real-3", 120, LaunchKind.BATCH, String.join("\n", "#!/bin/bash",
                "setsid env -i /bin/sleep 300 </dev/null >/dev/null 2>&1 &",
                "child=$!", "echo $child > \"$VANIILA_JOB_DIR/child.pid\"",
                "# The job ends only once the daemon's environment no longer carries the launch's mark.",
                "while grep -q VANIILA_LAUNCH_ID \"/proc/$child/environ\"; do sleep 0.05; done",
                "exit 0", ""), List.of(), 0, 10, List.of(), Map.of(), 1, 200);
        portal.send(PortalHarness.launchCommand("c-cg-real-3", spec));
        assertTheChildDiesWithItsJob(spec, "a process that cleared its environment outlived its job");
    }

    @Test
    void aJobMayOpenItsOwnGpusDeviceFileAndNoOtherGpus() throws Exception {
        Path root = machineCgroups();
        assumeTrue(JobCgroups.detect(root).cgroups().confinesDevices(), "no devices controller on this machine");
        // Three GPUs as the NVIDIA driver describes them, their minors in another order than nvidia-smi's indices,
        // and real character devices of the driver's major for them. No driver answers here, so opening one fails
        // with "No such device or address" if the cgroup lets the job through, "Operation not permitted" if not.
        int n = COUNTER.incrementAndGet();
        Path driver = base.resolve("nvidia-driver-" + n);
        Path dev = Files.createDirectories(base.resolve("dev-" + n));
        int[] minorOfIndex = {1, 2, 0};
        List<GpuDevice> gpus = new ArrayList<>();
        for (int index = 0; index < 3; index++) {
            String uuid = "GPU-it-" + n + "-" + index;
            Path board = Files.createDirectories(driver.resolve("0000:0" + index + ":00.0"));
            Files.writeString(board.resolve("information"), "Model: \t\t Tesla V100\nGPU UUID: \t " + uuid
                    + "\nDevice Minor: \t " + minorOfIndex[index] + "\n");
            Process mknod = new ProcessBuilder("mknod", "-m", "666", dev.resolve("nvidia" + index).toString(), "c",
                    Integer.toString(GpuDeviceNumbers.NVIDIA_MAJOR), Integer.toString(index)).inheritIO().start();
            assertEquals(0, mknod.waitFor());
            gpus.add(new GpuDevice(index, uuid, "Tesla V100-SXM2-16GB", "v100-16g", 16384, false));
        }
        Files.setPosixFilePermissions(dev, PosixFilePermissions.fromString("rwxr-xr-x"));
        AgentConfig config = AgentConfig.of(new Inventory("it-node", null, null, 4, 8192, gpus), stateDir)
                .withWaits(1, 1).withMonitorInterval(Duration.ofMillis(200)).withCgroupRoot(root)
                .withNvidiaDriverDir(driver).withNvidiaSmi("true");
        startAgent(config, new HttpPortalLink(portal.uri(), PortalHarness.TOKEN));
        // GPU index 1 is minor 2: the job may open /dev/nvidia2 only.
        LaunchSpec spec = spec("cg-gpu-1", 121, LaunchKind.BATCH, String.join("\n", "#!/bin/bash",
                "for m in 0 1 2; do echo \"nvidia$m: $(head -c1 " + dev + "/nvidia$m 2>&1 >/dev/null)\"; done",
                "echo cuda=$CUDA_VISIBLE_DEVICES", ""), List.of(), 0, 1, List.of(1), Map.of(), 1, 200);
        portal.send(PortalHarness.launchCommand("c-cg-gpu-1", spec));
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(ExitReason.EXITED, exited.reason(), String.valueOf(exited));
        String out = portal.awaitLog(spec.launchId(), LogStream.STDOUT, "cuda=", WAIT);
        assertTrue(out.contains("nvidia2: head: cannot open '" + dev + "/nvidia2' for reading: No such device or"
                + " address"), out);
        for (int other : new int[] {0, 1}) {
            assertTrue(out.contains("nvidia" + other + ": head: cannot open '" + dev + "/nvidia" + other
                    + "' for reading: Operation not permitted"), out);
        }
        assertTrue(out.contains("cuda=1"), out);
        Registration registration = portal.registrations.get(0);
        assertEquals(Registration.LIMITS_CGROUP_V1, registration.jobLimits());
        assertEquals(Registration.GPUS_DEVICE_CGROUP, registration.gpuIsolation());
    }

    @Test
    void anAgentRemovesTheEmptyCgroupsLaunchesLeftBehindWhenTheirAgentDied() throws Exception {
        Path root = machineCgroups();
        JobCgroups cgroups = JobCgroups.detect(root).cgroups();
        int n = COUNTER.incrementAndGet();
        // Real cgroups: one whose agent died before its launch ended (empty, two minutes old), one still running a
        // process, one made a moment ago (a launch about to start, of another agent of this machine).
        JobCgroups.Placement left = cgroups.create(new LaunchId("left-" + n), 1, 64, List.of());
        JobCgroups.Placement busy = cgroups.create(new LaunchId("busy-" + n), 1, 64, List.of());
        JobCgroups.Placement fresh = cgroups.create(new LaunchId("fresh-" + n), 1, 64, List.of());
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            for (Path procs : busy.procs()) {
                Files.writeString(procs, Long.toString(sleeper.pid()));
            }
            FileTime old = FileTime.from(Instant.now().minus(Duration.ofMinutes(2)));
            for (String saved : List.of(left.saved(), busy.saved())) {
                for (Path dir : JobCgroups.dirs(saved)) {
                    Files.setLastModifiedTime(dir, old);
                }
            }
            startAgent(config().withCgroupRoot(root), new HttpPortalLink(portal.uri(), PortalHarness.TOKEN));
            for (Path dir : JobCgroups.dirs(left.saved())) {
                assertFalse(Files.exists(dir), dir + " was left");
            }
            for (Path dir : JobCgroups.dirs(busy.saved())) {
                assertTrue(Files.exists(dir), dir + " holds a process and was removed");
            }
            for (Path dir : JobCgroups.dirs(fresh.saved())) {
                assertTrue(Files.exists(dir), dir + " was made a moment ago and was removed");
            }
        } finally {
            sleeper.destroyForcibly().waitFor();
            // The sleeper is gone from it once reaped; the removal is retried for that moment.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!cgroups.remove(busy.saved()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            cgroups.remove(fresh.saved());
        }
    }

    @Test
    void aTrainingLaunchRunsTheJarsRoleWithItsArguments() throws Exception {
        // The job's user cannot read the build's class path under /root: give it a readable copy of the classes.
        Path classes = base.resolve("classes-" + COUNTER.incrementAndGet());
        copyTree(Path.of("target", "classes"), classes);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classes.toString(), "fr.catie.vaniila.Vaniila");
        startAgent(config().withTrainingCommand(command), new HttpPortalLink(portal.uri(), PortalHarness.TOKEN));
        LaunchSpec spec = spec("train-1", 114, LaunchKind.TRAINING, null, List.of("help"), 0, 1, List.of(0),
                Map.of(), 0, 0);
        portal.send(PortalHarness.launchCommand("c-18", spec));
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        String out = portal.awaitLog(spec.launchId(), LogStream.STDOUT, "usage:", WAIT);
        assertEquals(0, exited.exitCode(), out + portal.logText(spec.launchId(), LogStream.STDERR));
        assertTrue(out.contains("roles: agent"), out);
    }

    @Test
    void aPortalRunsVirtualNodesInItsOwnJvm() throws Exception {
        Path home = base.resolve("portal-home-" + COUNTER.incrementAndGet());
        List<Inventory> nodes = List.of(Inventory.declared("virt-a", 8, 32768, VirtualGpus.parse("4x rtx2080ti-11g")),
                Inventory.declared("virt-b", 16, 65536, VirtualGpus.parse("2x v100-16g")));
        try (LocalAgents local = LocalAgents.start(portal.uri(), PortalHarness.TOKEN, home, nodes)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (portal.registrations.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(java.util.Set.of("virt-a", "virt-b"),
                    portal.registrations.stream().map(Registration::node).collect(java.util.stream.Collectors.toSet()));
            assertEquals(6, portal.registrations.stream().mapToInt(r -> r.gpus().size()).sum());
            assertTrue(Files.isRegularFile(home.resolve("agents").resolve("virt-b").resolve("state.json")));
            assertEquals(2, local.agents().size());
        }
        // A second portal start on the same home finds the states unlocked and owned by the same nodes.
        try (LocalAgents again = LocalAgents.start(portal.uri(), PortalHarness.TOKEN, home, nodes)) {
            assertEquals("virt-a", again.agents().get(0).inventory().node());
        }
    }

    @Test
    void twoAgentsCannotShareAStateDirectory() throws Exception {
        startAgent();
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> NodeAgent.start(config(), new HttpPortalLink(portal.uri(), PortalHarness.TOKEN)));
        assertTrue(e.getMessage().contains("another agent is already running with state directory"), e.getMessage());
        agent.stop();
        Inventory other = Inventory.declared("another-node", 1, 1024, List.of());
        IOException wrongNode = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> NodeAgent.start(AgentConfig.of(other, stateDir), new HttpPortalLink(portal.uri(), "t")));
        assertTrue(wrongNode.getMessage().contains("belongs to node 'it-node', not 'another-node'"),
                wrongNode.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(file), file + " never appeared");
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(p, target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }
}
