package fr.catie.vaniila.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import tools.jackson.databind.node.ObjectNode;

/**
 * What one save of the agent's state file costs (JSON, fsync, rename), with a few running launches and a queue of
 * unacknowledged events: the agent saves at most once per monitor tick, and the queue grows while the portal is
 * away. See docs/benchmarks/agent.md for the command and the numbers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AgentStateBenchmark {

    @Param({"10", "1000", "10000"})
    public int queuedEvents;

    private Path dir;
    private StateStore store;
    private StateStore.State state;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("agent-state-bench");
        store = StateStore.open(dir);
        List<TrackedLaunch> launches = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            LaunchSpec spec = new LaunchSpec(new LaunchId("launch-" + i), new JobId(i + 1), "job", LaunchKind.BATCH,
                    new UserAccount("alice", 20001, 20001, "/home/alice"), "/home/alice", "/home/alice/.vaniila/jobs/"
                    + i, "#!/bin/bash\npython train.py --epochs 10\n", null, "/home/alice/o", "/home/alice/e", 4,
                    16384, List.of(i % 4), 3600, 10, Map.of("MASTER_ADDR", "10.0.0.11", "RANK", "0"));
            launches.add(new TrackedLaunch(new CommandId("c-" + i), spec));
        }
        List<AgentEvent> queue = new ArrayList<>();
        for (int i = 0; i < queuedEvents; i++) {
            ObjectNode metrics = AgentJson.MAPPER.createObjectNode();
            metrics.put("epoch", i);
            metrics.put("loss", 1.0 / (i + 1));
            metrics.put("test_accuracy", 0.9);
            queue.add(new AgentEvent.Metrics(i + 1, new LaunchId("launch-0"), new JobId(1), Instant.now(), metrics));
        }
        List<CommandId> executed = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            executed.add(new CommandId("00000000-0000-0000-0000-" + String.format("%012d", i)));
        }
        state = new StateStore.State(1, "bench-node", queuedEvents + 1, launches, executed, queue, new ArrayList<>());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public StateStore.State save() throws IOException {
        store.save(state);
        return state;
    }

    @Benchmark
    public byte[] serialiseOnly() {
        return AgentJson.MAPPER.writeValueAsBytes(state);
    }
}
