package fr.catie.vaniila.bench;

import fr.catie.vaniila.scheduler.Allocation;
import fr.catie.vaniila.scheduler.ClusterSnapshot;
import fr.catie.vaniila.scheduler.DecayedUsage;
import fr.catie.vaniila.scheduler.Decision;
import fr.catie.vaniila.scheduler.FlavorQuota;
import fr.catie.vaniila.scheduler.GpuConstraint;
import fr.catie.vaniila.scheduler.GpuFlavor;
import fr.catie.vaniila.scheduler.JobId;
import fr.catie.vaniila.scheduler.JobRequest;
import fr.catie.vaniila.scheduler.JobShape;
import fr.catie.vaniila.scheduler.Node;
import fr.catie.vaniila.scheduler.NodeAllocation;
import fr.catie.vaniila.scheduler.OrgName;
import fr.catie.vaniila.scheduler.Organisation;
import fr.catie.vaniila.scheduler.Policy;
import fr.catie.vaniila.scheduler.Queue;
import fr.catie.vaniila.scheduler.QueueName;
import fr.catie.vaniila.scheduler.RunningJob;
import fr.catie.vaniila.scheduler.Scheduler;
import fr.catie.vaniila.scheduler.SchedulerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One scheduling cycle with 10,000 pending jobs on 250 nodes x 8 GPUs (2,000 GPUs), the cluster 90 % busy
 * with running jobs ending at spread wall times, 15 organisations, and a Philly-like mix of job sizes (mostly one
 * GPU, some 2 to 16). Sample mode gives the p50 and p99 of a cycle. Run as described in docs/benchmarks/scheduler.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CycleBenchmark {

    @Param({"fifo", "fifo-backfill", "fairshare-backfill", "las"})
    public String policy;

    @Param({"10000"})
    public int pending;

    /**
     * {@code kept}: the caller passes the same node and queue lists each cycle (the simulator does), so the
     * cluster index is reused; {@code fresh}: new lists each cycle, as a loop reading nodes from a database would,
     * so every cycle re-indexes the 2,000 GPUs.
     */
    @Param({"kept", "fresh"})
    public String inventory;

    private Scheduler scheduler;
    private ClusterSnapshot snapshot;
    private Instant now;

    @Setup
    public void setUp() {
        scheduler = new Scheduler(SchedulerConfig.defaults(Policy.parse(policy)));
        snapshot = snapshot(pending, 0.9, new Random(42));
        now = Instant.parse("2026-01-05T12:00:00Z");
    }

    /** The cluster of the benchmark; also used by the bench command. */
    public static ClusterSnapshot snapshot(int pendingCount, double busy, Random rnd) {
        Instant now = Instant.parse("2026-01-05T12:00:00Z");
        GpuFlavor v100 = GpuFlavor.parse("v100-16g");
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            nodes.add(Node.of(String.format("n%03d", i), 64, 512 * 1024, 8, v100));
        }
        List<Organisation> orgs = new ArrayList<>();
        for (int o = 0; o < 15; o++) {
            orgs.add(new Organisation(new OrgName("org" + o), Map.of("v100-16g", new FlavorQuota(133, 2000)),
                    OptionalInt.empty(), OptionalDouble.empty(), 0, 1, new DecayedUsage(rnd.nextInt(1_000_000), now)));
        }
        Queue queue = Queue.open("gpu", Duration.ofDays(30), 2000).withPreemptible(true);
        List<RunningJob> running = new ArrayList<>();
        long id = 1;
        int[] sizes = {1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 8};
        for (int n = 0; n < nodes.size(); n++) {
            int gpu = 0;
            while (gpu < 8 && rnd.nextDouble() < busy) {
                int size = Math.min(8 - gpu, sizes[rnd.nextInt(sizes.length)]);
                List<Integer> indices = new ArrayList<>();
                for (int k = 0; k < size; k++) {
                    indices.add(gpu++);
                }
                JobRequest r = JobRequest.builder(new JobId(id++), orgs.get(rnd.nextInt(15)).name(), queue.name(),
                        now.minusSeconds(10_000)).shape(new JobShape.Gpus(size)).wallTime(Duration.ofHours(24))
                        .preemptible(true).build();
                running.add(new RunningJob(r, new Allocation(List.of(new NodeAllocation(nodes.get(n).name(), indices,
                        0, 0))), now.minusSeconds(rnd.nextInt(3600)), now.plusSeconds(60 + rnd.nextInt(86_400)),
                        false));
            }
        }
        int[] pendingSizes = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 4, 8, 16};
        List<JobRequest> jobs = new ArrayList<>();
        for (int k = 0; k < pendingCount; k++) {
            jobs.add(JobRequest.builder(new JobId(id++), orgs.get(rnd.nextInt(15)).name(), new QueueName("gpu"),
                    now.minusSeconds(rnd.nextInt(86_400))).shape(new JobShape.Gpus(pendingSizes[rnd.nextInt(
                            pendingSizes.length)])).gpus(GpuConstraint.ANY)
                    .wallTime(Duration.ofMinutes(10 + rnd.nextInt(24 * 60))).preemptible(true)
                    .attainedGpuSeconds(rnd.nextInt(4) * 20_000.0).build());
        }
        return new ClusterSnapshot(nodes, List.of(queue), orgs, running, jobs);
    }

    @Benchmark
    public Decision cycle() {
        if (inventory.equals("fresh")) {
            return scheduler.schedule(new ClusterSnapshot(new ArrayList<>(snapshot.nodes()),
                    new ArrayList<>(snapshot.queues()), snapshot.organisations(), snapshot.running(),
                    snapshot.pending()), now);
        }
        return scheduler.schedule(snapshot, now);
    }
}
