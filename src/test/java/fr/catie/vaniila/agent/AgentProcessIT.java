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
        workspace = base.resolve("home").resolve(NodeAgentIT.USER);
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
                base.resolve("state").toString(), "--virtual-gpus", "2x rtx2080ti-11g", "--cores", "2",
                "--memory-mb", "2048"));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(base.resolve("agent-" + agents.size() + ".out").toFile())
                .redirectError(base.resolve("agent-" + agents.size() + ".err").toFile());
        if (token != null) {
            builder.environment().put("VANIILA_AGENT_TOKEN", token);
        }
        Process p = builder.start();
        agents.add(p);
        return p;
    }

    private String stderrOf(int index) throws IOException {
        return Files.readString(base.resolve("agent-" + index + ".err"));
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
