package fr.catie.vaniila.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fr.catie.vaniila.agent.AgentMessages.SyncAnswer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The JSON of the protocol, the launch checks and the command line, as pure logic. */
class AgentProtocolTest {

    static final String LAUNCH = "{\"launchId\":\"l-1\",\"jobId\":42,\"jobName\":\"train-mnist\",\"kind\":\"BATCH\","
            + "\"user\":{\"name\":\"alice\",\"uid\":20001,\"gid\":20001,\"workspace\":\"/home/vaniila/acme/alice\"},"
            + "\"workdir\":\"/home/vaniila/acme/alice\",\"jobDir\":\"/home/vaniila/acme/alice/.vaniila/jobs/42\","
            + "\"script\":\"#!/bin/bash\\necho hello\\n\",\"argv\":null,"
            + "\"stdout\":\"/home/vaniila/acme/alice/slurm-42.out\",\"stderr\":\"/home/vaniila/acme/alice/slurm-42.err\","
            + "\"cores\":4,\"memoryMb\":16384,\"gpuIndices\":[0,1],\"walltimeSeconds\":3600,\"graceSeconds\":10,"
            + "\"env\":{\"MASTER_ADDR\":\"10.0.0.11\",\"MASTER_PORT\":\"29542\",\"WORLD_SIZE\":\"8\",\"RANK\":\"0\"},"
            + "\"futureField\":true}";

    private static final Inventory NODE = Inventory.declared("n1", 8, 16384, List.of("v100-16g", "v100-16g"));

    @Test
    void readsTheProtocolsCommands() {
        SyncAnswer answer = AgentJson.readSyncAnswer("{\"ackSeq\":21,\"commands\":["
                + "{\"commandId\":\"c1\",\"type\":\"LAUNCH\",\"launch\":" + LAUNCH + "},"
                + "{\"commandId\":\"c2\",\"type\":\"STOP\",\"launchId\":\"l-1\",\"reason\":\"CANCELLED\",\"graceSeconds\":10},"
                + "{\"commandId\":\"c3\",\"type\":\"REBOOT\"},"
                + "{\"commandId\":\"c4\",\"type\":\"LAUNCH\",\"launch\":{\"launchId\":\"l-2\",\"jobId\":43,\"kind\":\"SPACESHIP\"}}]}");

        assertEquals(21, answer.ackSeq());
        Command.Launch launch = assertInstanceOf(Command.Launch.class, answer.commands().get(0));
        LaunchSpec spec = launch.launch();
        assertEquals(new LaunchId("l-1"), spec.launchId());
        assertEquals(new JobId(42), spec.jobId());
        assertEquals(List.of(0, 1), spec.gpuIndices());
        assertEquals(List.of(), spec.argv());
        assertEquals("29542", spec.env().get("MASTER_PORT"));
        assertEquals(List.of(), spec.problems(NODE));

        Command.Stop stop = assertInstanceOf(Command.Stop.class, answer.commands().get(1));
        assertEquals(ExitReason.CANCELLED, stop.reason());
        assertEquals(10, stop.graceSeconds());

        Command.Unreadable unknown = assertInstanceOf(Command.Unreadable.class, answer.commands().get(2));
        assertTrue(unknown.problem().contains("'REBOOT' is not known"), unknown.problem());
        Command.Unreadable broken = assertInstanceOf(Command.Unreadable.class, answer.commands().get(3));
        assertEquals(new LaunchId("l-2"), broken.launchId());
        assertEquals(new JobId(43), broken.jobId());
    }

    @Test
    void writesEventsWithTheirTypeAndReadsThemBack() {
        AgentEvent exited = new AgentEvent.Exited(19, new LaunchId("l-1"), new JobId(42),
                Instant.parse("2026-11-26T19:00:00Z"), 0, null, ExitReason.EXITED);
        JsonNode json = AgentJson.MAPPER.valueToTree(exited);
        assertEquals("EXITED", json.get("type").asString());
        assertEquals("l-1", json.get("launchId").asString());
        assertEquals(42, json.get("jobId").asLong());
        assertEquals("2026-11-26T19:00:00Z", json.get("at").asString());
        assertTrue(json.get("signal").isNull());
        assertEquals(exited, AgentJson.MAPPER.treeToValue(json, AgentEvent.class));
    }

    @Test
    void aLaunchNeverRunsAsRootNorOutsideTheWorkspace() {
        LaunchSpec spec = AgentJson.MAPPER.readValue(LAUNCH, LaunchSpec.class);
        LaunchSpec bad = new LaunchSpec(spec.launchId(), spec.jobId(), "x", LaunchKind.BATCH,
                new UserAccount("alice", 0, 0, "/home/vaniila/acme/alice"), "/home/vaniila/acme/alice",
                "/home/vaniila/acme/alice/../../../../etc", "echo", null, "/tmp/out", spec.stderr(), 1, 1,
                List.of(0, 5), 10, 1, Map.of("BAD NAME", "x"));
        List<String> problems = bad.problems(NODE);
        assertTrue(problems.stream().anyMatch(p -> p.contains("jobs never run as root")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("jobDir") && p.contains("outside")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("stdout '/tmp/out' is outside")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("GPU index 5 does not exist on node n1")),
                problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("'BAD NAME' is not valid")), problems.toString());
    }

    @Test
    void jobEnvironmentGivesTheAllocatedGpusAndTheUsersIdentity() {
        LaunchSpec spec = AgentJson.MAPPER.readValue(LAUNCH.replace("\"RANK\":\"0\"",
                "\"RANK\":\"0\",\"CUDA_VISIBLE_DEVICES\":\"0,1,2,3\",\"USER\":\"root\""), LaunchSpec.class);
        Map<String, String> env = JobLauncher.environment(spec, "alice");
        assertEquals("0,1", env.get("CUDA_VISIBLE_DEVICES"));
        assertEquals("alice", env.get("USER"));
        assertEquals("42", env.get("VANIILA_JOB_ID"));
        assertEquals("10.0.0.11", env.get("MASTER_ADDR"));
        assertEquals("/home/vaniila/acme/alice", env.get("HOME"));
        assertTrue(env.keySet().stream().noneMatch(k -> k.startsWith("VANIILA_AGENT")));
    }

    @Test
    void commandLineOptionsAndTheirErrors() {
        AgentMain.Options o = AgentMain.parse(new String[] {"--portal", "http://p:8080", "--node=n7", "--cores", "4"},
                Map.of("VANIILA_AGENT_TOKEN", "t0k", "VANIILA_AGENT_NODE", "from-env"));
        assertEquals("t0k", o.get("token"));
        assertEquals("n7", o.get("node"));
        assertEquals(4, o.integer("cores", 0));

        assertMessage("the portal's URL is missing", new String[] {"--token", "t"});
        assertMessage("the node token is missing", new String[] {"--portal", "http://p"});
        assertMessage("unknown option '--gpus'", new String[] {"--portal", "http://p", "--token", "t", "--gpus", "4"});
        assertMessage("option --node needs a value", new String[] {"--portal", "http://p", "--token", "t", "--node"});
        AgentMain.Options cores = AgentMain.parse(new String[] {"--portal", "p", "--token", "t", "--cores", "many"},
                Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cores.integer("cores", 0));
        assertEquals("--cores 'many' is not a positive whole number", e.getMessage());

        IllegalArgumentException url = assertThrows(IllegalArgumentException.class,
                () -> new HttpPortalLink(java.net.URI.create("portal:8080"), "t"));
        assertTrue(url.getMessage().contains("write http://HOST:PORT"), url.getMessage());
    }

    private static void assertMessage(String expected, String[] args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AgentMain.parse(args, Map.of()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void signalNamesFromShellStatus() {
        assertEquals("SIGKILL", NodeAgent.signalName(137 - 128));
        assertEquals("SIGTERM", NodeAgent.signalName(143 - 128));
        assertEquals("SIG40", NodeAgent.signalName(40));
    }
}
