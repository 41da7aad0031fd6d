package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** Fluent fixtures that read like a specification: {@code aCluster().node(aNode("n1").gpus(4, "v100-16g"))}. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

    private Fixtures() {
    }

    static NodeBuilder aNode(String name) {
        return new NodeBuilder(name);
    }

    static JobBuilder aJob(long id) {
        return new JobBuilder(id);
    }

    static ClusterBuilder aCluster() {
        return new ClusterBuilder();
    }

    static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    static final class NodeBuilder {
        private final String name;
        private int cores = 32;
        private long memoryMb = 256 * 1024;
        private List<GpuFlavor> gpus = List.of();
        private NodeState state = NodeState.UP;

        NodeBuilder(String name) {
            this.name = name;
        }

        NodeBuilder gpus(int count, String flavor) {
            this.gpus = Collections.nCopies(count, GpuFlavor.parse(flavor));
            return this;
        }

        NodeBuilder cores(int value) {
            this.cores = value;
            return this;
        }

        NodeBuilder memoryGb(int value) {
            this.memoryMb = value * 1024L;
            return this;
        }

        NodeBuilder state(NodeState value) {
            this.state = value;
            return this;
        }

        Node build() {
            return new Node(new NodeName(name), cores, memoryMb, gpus, state);
        }
    }

    static final class JobBuilder {
        private final long id;
        private String org = "acme";
        private String queue = "gpu";
        private long submittedS;
        private JobShape shape = new JobShape.Gpus(1);
        private GpuConstraint constraint = GpuConstraint.ANY;
        private int cores;
        private long memoryMb;
        private Duration wallTime = Duration.ofHours(1);
        private boolean preemptible;
        private boolean held;
        private DependencyState dependency = DependencyState.SATISFIED;
        private double attained;

        JobBuilder(long id) {
            this.id = id;
        }

        JobBuilder org(String value) {
            org = value;
            return this;
        }

        JobBuilder queue(String value) {
            queue = value;
            return this;
        }

        JobBuilder submitted(long secondsAfterT0) {
            submittedS = secondsAfterT0;
            return this;
        }

        JobBuilder gpus(int count) {
            shape = new JobShape.Gpus(count);
            return this;
        }

        JobBuilder nodes(int nodes, int gpusPerNode) {
            shape = new JobShape.Nodes(nodes, gpusPerNode);
            return this;
        }

        JobBuilder flavor(String flavor) {
            constraint = new GpuConstraint.ExactFlavor(GpuFlavor.parse(flavor));
            return this;
        }

        JobBuilder minGpuMemoryGb(int gb) {
            constraint = new GpuConstraint.MinMemory(gb * 1024);
            return this;
        }

        JobBuilder cores(int perNode) {
            cores = perNode;
            return this;
        }

        JobBuilder memoryGb(int perNode) {
            memoryMb = perNode * 1024L;
            return this;
        }

        JobBuilder wallTime(Duration d) {
            wallTime = d;
            return this;
        }

        JobBuilder hours(long h) {
            return wallTime(Duration.ofHours(h));
        }

        JobBuilder minutes(long m) {
            return wallTime(Duration.ofMinutes(m));
        }

        JobBuilder preemptible() {
            preemptible = true;
            return this;
        }

        JobBuilder held() {
            held = true;
            return this;
        }

        JobBuilder dependency(DependencyState d) {
            dependency = d;
            return this;
        }

        JobBuilder attained(double gpuSeconds) {
            attained = gpuSeconds;
            return this;
        }

        JobRequest build() {
            return JobRequest.builder(new JobId(id), new OrgName(org), new QueueName(queue), at(submittedS))
                    .shape(shape).gpus(constraint).resources(new Resources(cores, memoryMb, 0, 0)).wallTime(wallTime)
                    .preemptible(preemptible).held(held).dependency(dependency).attainedGpuSeconds(attained).build();
        }
    }

    static final class ClusterBuilder {
        private final List<Node> nodes = new ArrayList<>();
        private final List<Queue> queues = new ArrayList<>();
        private final Map<String, Organisation> orgs = new HashMap<>();
        private final List<RunningJob> running = new ArrayList<>();
        private final List<JobRequest> pending = new ArrayList<>();

        ClusterBuilder node(NodeBuilder n) {
            nodes.add(n.build());
            return this;
        }

        ClusterBuilder nodes(int count, String prefix, int gpus, String flavor) {
            for (int i = 1; i <= count; i++) {
                node(aNode(prefix + i).gpus(gpus, flavor));
            }
            return this;
        }

        ClusterBuilder queue(Queue q) {
            queues.add(q);
            return this;
        }

        /** An organisation with the same guarantee and borrowing limit on every flavor of the nodes added so far. */
        ClusterBuilder org(String name, int guaranteed, int borrow) {
            Map<String, FlavorQuota> quotas = new HashMap<>();
            for (Node n : nodes) {
                for (GpuFlavor f : n.gpus()) {
                    quotas.put(f.name(), new FlavorQuota(guaranteed, borrow));
                }
            }
            orgs.put(name, new Organisation(new OrgName(name), quotas, OptionalInt.empty(), OptionalDouble.empty(), 0,
                    1.0, DecayedUsage.none(T0)));
            return this;
        }

        ClusterBuilder org(Organisation o) {
            orgs.put(o.name().value(), o);
            return this;
        }

        /** A running job on the named node with these GPU indices, from {@code startS} to {@code endS}. */
        ClusterBuilder running(JobBuilder job, String node, List<Integer> gpus, long startS, long endS) {
            running.add(new RunningJob(job.build(), new Allocation(List.of(new NodeAllocation(new NodeName(node), gpus,
                    job.build().resources().coresOn(gpus.size()), job.build().resources().memoryMbOn(gpus.size())))),
                    at(startS), at(endS), false));
            return this;
        }

        ClusterBuilder pending(JobBuilder... jobs) {
            for (JobBuilder j : jobs) {
                pending.add(j.build());
            }
            return this;
        }

        ClusterSnapshot build() {
            List<Queue> qs = queues.isEmpty() ? List.of(Queue.open("gpu", Duration.ofDays(7), 64)) : queues;
            if (orgs.isEmpty()) {
                org("acme", 0, 1000);
            }
            return new ClusterSnapshot(nodes, qs, new ArrayList<>(orgs.values()), running, pending);
        }
    }
}
