package fr.catie.vaniila.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code agent} role as a separate JVM, the way a node runs it: killed with -9 in the middle of a job and
 * started again, refused for a wrong token, stopped by a bad option. Its heap is capped at 48 MiB while it ships a
 * 100 MB log, so a log held in memory would fail the test.
 */
class AgentProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static Path base;

    private PortalHarness portal;
    private final List<Process> agents = new ArrayList<>();
    private Path workspace;
    private Path testDir;
    private static int tests;

    @BeforeAll
    static void createBase() throws Exception {
        NodeAgentIT.removeAccount(NodeAgentIT.USER);
        base = Files.createTempDirectory("vaniila-agent-process-it");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void removeAccount() throws Exception {
        NodeAgentIT.removeAccount(NodeAgentIT.USER);
        NodeAgentIT.deleteTree(base);
    }

    @BeforeEach
    void startPortal() throws IOException {
        portal = new PortalHarness();
        // Each test its own agent state and workspace: a state carries its event seq from one agent to the next.
        testDir = Files.createDirectories(base.resolve("test-" + ++tests));
        Files.setPosixFilePermissions(testDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        workspace = testDir.resolve("home").resolve(NodeAgentIT.USER);
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : agents) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        portal.close();
    }

    private Process agent(String token, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx48m", "-cp", System.getProperty("java.class.path"), "fr.catie.vaniila.Vaniila",
                "agent", "--portal", portal.uri().toString(), "--node", "proc-node", "--state-dir",
                testDir.resolve("state").toString(), "--virtual-gpus", "2x rtx2080ti-11g", "--cores", "2",
                "--memory-mb", "2048"));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(testDir.resolve("agent-" + agents.size() + ".out").toFile())
                .redirectError(testDir.resolve("agent-" + agents.size() + ".err").toFile());
        if (token != null) {
            builder.environment().put("VANIILA_AGENT_TOKEN", token);
        }
        Process p = builder.start();
        agents.add(p);
        return p;
    }

    private String stderrOf(int index) throws IOException {
        return Files.readString(testDir.resolve("agent-" + index + ".err"));
    }

    private void awaitRegistrations(int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (portal.registrations.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(count, portal.registrations.size(), "agent log: " + stderrOf(agents.size() - 1));
    }

    @Test
    void anAgentKilledWithMinus9LosesNoJobAndRunsNoneTwice() throws Exception {
        agent(PortalHarness.TOKEN);
        awaitRegistrations(1);
        AgentMessages.Registration first = portal.registrations.get(0);
        assertEquals("proc-node", first.node());
        assertEquals(2, first.cores());
        assertEquals("rtx2080ti-11g", first.gpus().get(1).flavor());

        String ws = workspace.toString();
        LaunchSpec spec = new LaunchSpec(new LaunchId("kill9-1"), new JobId(201), "kill9", LaunchKind.BATCH,
                new UserAccount(NodeAgentIT.USER, NodeAgentIT.UID, NodeAgentIT.UID, ws), ws, ws + "/.vaniila/jobs/201",
                String.join("\n", "#!/bin/bash",
                        "echo run >> \"$VANIILA_JOB_DIR/runs\"",
                        "while [ ! -e \"$VANIILA_JOB_DIR/go\" ]; do sleep 0.1; done",
                        "yes 'a line of a long training log, shipped in chunks' | head -c 100000000",
                        "exit 9", ""),
                null, ws + "/slurm-201.out", ws + "/slurm-201.err", 1, 512, List.of(1), 0, 5, Map.of());
        portal.send(PortalHarness.launchCommand("k-1", spec));
        AgentEvent.Started started = portal.await(AgentEvent.Started.class, spec.launchId(), WAIT);

        Process killed = agents.get(0);
        killed.destroyForcibly();
        assertTrue(killed.waitFor(20, TimeUnit.SECONDS));
        assertEquals(137, killed.exitValue());
        assertTrue(ProcessTable.alive(started.pid(), null), "the job must outlive its agent");
        // The portal re-sends the launch it saw no answer to: the new agent must not run it again.
        portal.send(PortalHarness.launchCommand("k-1", spec));
        portal.send(PortalHarness.launchCommand("k-2", spec));

        agent(PortalHarness.TOKEN);
        awaitRegistrations(2);
        assertEquals(List.of(spec.launchId()),
                portal.registrations.get(1).running().stream().map(r -> r.launchId()).toList());

        Files.writeString(Path.of(spec.jobDir(), "go"), "");
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(9, exited.exitCode());
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (portal.logSize(spec.launchId(), LogStream.STDOUT) < 100_000_000 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(100_000_000, portal.logSize(spec.launchId(), LogStream.STDOUT), stderrOf(1));
        assertEquals(NodeAgentIT.sha256(Files.newInputStream(Path.of(spec.stdout()))),
                portal.logSha256(spec.launchId(), LogStream.STDOUT));
        assertEquals(List.of("run"), Files.readAllLines(Path.of(spec.jobDir(), "runs")));
        assertEquals(1, portal.count(e -> e instanceof AgentEvent.Started));
        assertEquals(1, portal.count(e -> e instanceof AgentEvent.Exited));
        assertEquals(List.of(), portal.protocolErrors);
        assertTrue(agents.get(1).isAlive(), "the 48 MiB agent survived shipping 100 MB: " + stderrOf(1));
    }

    @Test
    void anAgentKilledMidUploadResumesFromTheAcknowledgedOffset() throws Exception {
        // Slow uploads (100 ms a chunk: 6 s for the log) leave a wide window to kill the agent in.
        portal.uploadDelayMillis = 100;
        agent(PortalHarness.TOKEN);
        awaitRegistrations(1);
        String ws = workspace.toString();
        long size = 60_000_000;
        LaunchSpec spec = new LaunchSpec(new LaunchId("resume-1"), new JobId(202), "resume", LaunchKind.BATCH,
                new UserAccount(NodeAgentIT.USER, NodeAgentIT.UID, NodeAgentIT.UID, ws), ws, ws + "/.vaniila/jobs/202",
                "#!/bin/bash\nyes 'resumable log line' | head -c " + size + "\n", null, ws + "/slurm-202.out",
                ws + "/slurm-202.err", 1, 512, List.of(), 0, 5, Map.of());
        portal.send(PortalHarness.launchCommand("r-1", spec));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (portal.logSize(spec.launchId(), LogStream.STDOUT) < 10_000_000 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Process killed = agents.get(0);
        killed.destroyForcibly();
        assertTrue(killed.waitFor(20, TimeUnit.SECONDS));
        long shippedBeforeKill = portal.logSize(spec.launchId(), LogStream.STDOUT);
        assertTrue(shippedBeforeKill < size, "the kill must land mid-upload: " + shippedBeforeKill);

        portal.uploadDelayMillis = 0;
        agent(PortalHarness.TOKEN);
        deadline = System.nanoTime() + WAIT.toNanos();
        while (portal.logSize(spec.launchId(), LogStream.STDOUT) < size && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(size, portal.logSize(spec.launchId(), LogStream.STDOUT), stderrOf(1));
        portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(NodeAgentIT.sha256(Files.newInputStream(Path.of(spec.stdout()))),
                portal.logSha256(spec.launchId(), LogStream.STDOUT));
        // The second agent starts at the offset the state file holds: at most the chunks in flight are sent again.
        long resent = portal.chunkSizes.stream().mapToLong(Integer::longValue).sum() - size;
        assertTrue(resent <= 16L * NodeAgent.MAX_CHUNK, "re-sent " + resent + " bytes");
        assertEquals(1, portal.count(e -> e instanceof AgentEvent.Exited));
    }

    @Test
    void anAgentThatIsNotRootRunsJobsAsItsOwnUser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(NodeAgentIT.ROOT, "needs root to start an agent as nobody");
        // The agent role needs only its classes and Jackson: give the unprivileged user a readable copy.
        Path lib = testDir.resolve("lib");
        NodeAgentIT.copyTree(Path.of("target", "classes"), lib.resolve("classes"));
        List<String> classpath = new ArrayList<>(List.of(lib.resolve("classes").toString()));
        for (Class<?> c : List.of(tools.jackson.databind.json.JsonMapper.class, tools.jackson.core.JsonParser.class,
                com.fasterxml.jackson.annotation.JsonCreator.class)) {
            Path jar = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path copy = lib.resolve(jar.getFileName());
            Files.copy(jar, copy);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            classpath.add(copy.toString());
        }
        Path home = Files.createDirectories(testDir.resolve("nobody"));
        Files.setAttribute(home, "unix:uid", 65534);
        Process p = new ProcessBuilder(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m", "-cp",
                String.join(":", classpath), "fr.catie.vaniila.Vaniila", "agent", "--portal", portal.uri().toString(),
                "--token", PortalHarness.TOKEN, "--node", "laptop", "--state-dir", home.resolve("state").toString(),
                "--virtual-gpus", "4x rtx2080ti-11g"))
                .redirectOutput(testDir.resolve("agent-0.out").toFile())
                .redirectError(testDir.resolve("agent-0.err").toFile()).start();
        agents.add(p);
        awaitRegistrations(1);

        String ws = home.resolve("alice").toString();
        LaunchSpec spec = new LaunchSpec(new LaunchId("dev-1"), new JobId(301), "dev", LaunchKind.BATCH,
                new UserAccount("alice", 20001, 20001, ws), ws, ws + "/.vaniila/jobs/301",
                "#!/bin/bash\necho \"uid=$(id -u) cuda=$CUDA_VISIBLE_DEVICES\"\n", null, ws + "/slurm-301.out",
                ws + "/slurm-301.out", 1, 512, List.of(2, 3), 0, 5, Map.of());
        portal.send(PortalHarness.launchCommand("d-1", spec));
        AgentEvent.Exited exited = portal.await(AgentEvent.Exited.class, spec.launchId(), WAIT);
        assertEquals(0, exited.exitCode());
        String out = portal.awaitLog(spec.launchId(), LogStream.STDOUT, "cuda=", WAIT);
        assertEquals("uid=65534 cuda=2,3\n", out);
        assertTrue(stderrOf(0).contains("the agent is not root: jobs run as its own user"), stderrOf(0));
        // The machine's cgroups are root's (its vaniila directories made by root agents): it says it cannot use
        // them at start, and its jobs run without limits rather than fail.
        assertTrue(stderrOf(0).contains("jobs run without cgroup memory and CPU limits"), stderrOf(0));
        assertEquals("none", portal.registrations.get(0).jobLimits());
    }

    @Test
    void aWrongTokenEndsTheAgentWithExitCode3AndSaysWhatToCheck() throws Exception {
        Process p = agent("wrong-token");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(AgentMain.REFUSED, p.exitValue());
        String err = stderrOf(0);
        assertTrue(err.contains("vaniila agent: the portal at " + portal.uri() + " refused this agent's token"), err);
        assertTrue(err.contains("Check --token (or VANIILA_AGENT_TOKEN)"), err);
    }

    @Test
    void aBadOptionEndsTheAgentWithExitCode2AndSaysWhatToChange() throws Exception {
        Process p = agent(PortalHarness.TOKEN, "--virtual-gpus", "four gpus");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(AgentMain.BAD_OPTION, p.exitValue());
        String err = stderrOf(0);
        assertTrue(err.contains("virtual GPUs 'four gpus' not understood: write COUNTx FLAVOR"), err);
        assertTrue(err.contains("agent --help"), err);
    }
}
