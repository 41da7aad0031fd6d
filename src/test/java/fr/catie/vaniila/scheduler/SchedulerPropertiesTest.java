package fr.catie.vaniila.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * Invariants of a cycle on random clusters: no GPU given twice, gang all-or-nothing, no quota exceeded,
 * no reservation delayed by a job started in the same cycle, every pending job answered once. Each case is
 * built from a seed with {@link Random}, so a failure names the seed that reproduces it.
 */
class SchedulerPropertiesTest {

    private static final Instant NOW = Instant.parse("2026-01-05T12:00:00Z");
    private static final List<GpuFlavor> FLAVORS = List.of(GpuFlavor.parse("rtx2080ti-11g"),
            GpuFlavor.parse("v100-16g"));

    /** A random cluster, organisations, running jobs placed on free GPUs, and pending jobs. */
    static ClusterSnapshot randomSnapshot(Random rnd) {
        List<Node> nodes = new ArrayList<>();
        int nodeCount = 1 + rnd.nextInt(6);
        for (int i = 0; i < nodeCount; i++) {
            GpuFlavor f = FLAVORS.get(rnd.nextInt(FLAVORS.size()));
            NodeState state = rnd.nextInt(10) == 0 ? NodeState.DRAINING : NodeState.UP;
            nodes.add(new Node(new NodeName("n" + i), 8 + rnd.nextInt(25), (64 + rnd.nextInt(192)) * 1024L,
                    Collections.nCopies(1 + rnd.nextInt(8), f), state));
        }
        List<Organisation> orgs = new ArrayList<>();
        int orgCount = 1 + rnd.nextInt(3);
        for (int o = 0; o < orgCount; o++) {
            Map<String, FlavorQuota> quotas = new HashMap<>();
            for (GpuFlavor f : FLAVORS) {
                quotas.put(f.name(), new FlavorQuota(rnd.nextInt(6), rnd.nextInt(12)));
            }
            orgs.add(new Organisation(new OrgName("org" + o), quotas, rnd.nextBoolean() ? OptionalInt.empty()
                    : OptionalInt.of(16 + rnd.nextInt(64)), OptionalDouble.empty(), 0, 1 + rnd.nextInt(3),
                    new DecayedUsage(rnd.nextInt(100_000), NOW.minusSeconds(3600))));
        }
        Queue gpu = Queue.open("gpu", Duration.ofDays(2), 32).withPreemptible(rnd.nextBoolean());
        Queue scavenger = Queue.open("scavenger", Duration.ofDays(2), 32).withPreemptible(true).withTier(0);
        List<Queue> queues = List.of(gpu, scavenger);

        // Running jobs: take random free GPUs, one node each.
        List<RunningJob> running = new ArrayList<>();
        long id = 1;
        int[] freeCores = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            freeCores[i] = nodes.get(i).cores();
        }
        boolean[][] busy = new boolean[nodes.size()][];
        for (int i = 0; i < nodes.size(); i++) {
            busy[i] = new boolean[nodes.get(i).gpus().size()];
        }
        int runningCount = rnd.nextInt(12);
        for (int k = 0; k < runningCount; k++) {
            int n = rnd.nextInt(nodes.size());
            List<Integer> gpus = new ArrayList<>();
            int want = 1 + rnd.nextInt(4);
            for (int g = 0; g < busy[n].length && gpus.size() < want; g++) {
                if (!busy[n][g]) {
                    busy[n][g] = true;
                    gpus.add(g);
                }
            }
            if (gpus.isEmpty()) {
                continue;
            }
            int cores = Math.min(freeCores[n], rnd.nextInt(4));
            freeCores[n] -= cores;
            JobRequest req = JobRequest.builder(new JobId(id++), orgs.get(rnd.nextInt(orgs.size())).name(),
                    queues.get(rnd.nextInt(2)).name(), NOW.minusSeconds(7200)).shape(new JobShape.Gpus(gpus.size()))
                    .preemptible(rnd.nextBoolean()).wallTime(Duration.ofHours(4)).build();
            running.add(new RunningJob(req, new Allocation(List.of(new NodeAllocation(nodes.get(n).name(), gpus, cores,
                    0))), NOW.minusSeconds(rnd.nextInt(3600)), NOW.plusSeconds(60 + rnd.nextInt(4 * 3600)), false));
        }
        List<JobRequest> pending = new ArrayList<>();
        int pendingCount = rnd.nextInt(25);
        for (int k = 0; k < pendingCount; k++) {
            JobShape shape = rnd.nextBoolean() ? new JobShape.Gpus(1 + rnd.nextInt(8))
                    : new JobShape.Nodes(1 + rnd.nextInt(3), rnd.nextInt(5));
            GpuConstraint c = switch (rnd.nextInt(3)) {
                case 0 -> GpuConstraint.ANY;
                case 1 -> new GpuConstraint.ExactFlavor(FLAVORS.get(rnd.nextInt(FLAVORS.size())));
                default -> new GpuConstraint.MinMemory(12 * 1024);
            };
            pending.add(JobRequest.builder(new JobId(id++), orgs.get(rnd.nextInt(orgs.size())).name(),
                    queues.get(rnd.nextInt(2)).name(), NOW.minusSeconds(rnd.nextInt(86_400))).shape(shape).gpus(c)
                    .resources(new Resources(rnd.nextInt(3), rnd.nextInt(3) * 1024L, rnd.nextInt(3), 0))
                    .wallTime(Duration.ofMinutes(5 + rnd.nextInt(600))).preemptible(rnd.nextBoolean())
                    .held(rnd.nextInt(15) == 0).attainedGpuSeconds(rnd.nextInt(3) * 20_000.0).build());
        }
        return new ClusterSnapshot(nodes, queues, orgs, running, pending);
    }

    private static Decision decide(long seed, ClusterSnapshot s) {
        Policy policy = Policy.values()[(int) Math.floorMod(seed, (long) Policy.values().length)];
        return new Scheduler(SchedulerConfig.defaults(policy).withReservationDepth(1 + (int) Math.floorMod(seed, 4L)))
                .schedule(s, NOW);
    }

    @Property(tries = 400)
    void noGpuIsGivenTwiceAndGangsAreWhole(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed) {
        ClusterSnapshot s = randomSnapshot(new Random(seed));
        Decision d = decide(seed, s);
        Map<NodeName, Node> nodes = new HashMap<>();
        s.nodes().forEach(n -> nodes.put(n.name(), n));
        Set<String> taken = new HashSet<>();
        for (RunningJob r : s.running()) {
            for (NodeAllocation p : r.allocation().parts()) {
                p.gpuIndices().forEach(g -> taken.add(p.node() + "/" + g));
            }
        }
        Map<JobId, JobRequest> pending = new HashMap<>();
        s.pending().forEach(j -> pending.put(j.id(), j));
        for (Start start : d.starts()) {
            JobRequest job = pending.get(start.job());
            Set<NodeName> distinct = new HashSet<>();
            for (NodeAllocation p : start.allocation().parts()) {
                assertTrue(distinct.add(p.node()), "seed " + seed + ": a node appears twice in " + start);
                Node node = nodes.get(p.node());
                assertEquals(NodeState.UP, node.state(), "seed " + seed);
                for (int g : p.gpuIndices()) {
                    assertTrue(taken.add(p.node() + "/" + g), "seed " + seed + ": GPU " + p.node() + "/" + g
                            + " given twice");
                    assertEquals(start.flavor(), node.gpus().get(g), "seed " + seed + ": flavor of " + start);
                    assertTrue(job.gpus().accepts(node.gpus().get(g)), "seed " + seed);
                }
            }
            if (job.shape() instanceof JobShape.Nodes n) {
                assertEquals(n.nodes(), start.allocation().parts().size(), "seed " + seed + ": gang " + start);
                for (NodeAllocation p : start.allocation().parts()) {
                    assertEquals(n.gpusPerNode(), p.gpuIndices().size(), "seed " + seed + ": gang " + start);
                }
            } else {
                assertEquals(job.totalGpus(), start.allocation().gpuCount(), "seed " + seed + ": " + start);
            }
        }
        // Node capacity in cores and memory is never exceeded either.
        Map<NodeName, int[]> cores = new HashMap<>();
        for (RunningJob r : s.running()) {
            r.allocation().parts().forEach(p -> cores.computeIfAbsent(p.node(), k -> new int[1])[0] += p.cores());
        }
        for (Start st : d.starts()) {
            st.allocation().parts().forEach(p -> cores.computeIfAbsent(p.node(), k -> new int[1])[0] += p.cores());
        }
        cores.forEach((n, c) -> assertTrue(c[0] <= nodes.get(n).cores(), "seed " + seed + ": cores of " + n));
    }

    @Property(tries = 400)
    void everyPendingJobIsAnsweredExactlyOnce(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed) {
        ClusterSnapshot s = randomSnapshot(new Random(seed));
        Decision d = decide(seed, s);
        Set<JobId> answered = new HashSet<>();
        d.starts().forEach(st -> assertTrue(answered.add(st.job()), "seed " + seed));
        d.pending().forEach(p -> assertTrue(answered.add(p.job()), "seed " + seed));
        Set<JobId> expected = new HashSet<>();
        s.pending().forEach(j -> expected.add(j.id()));
        assertEquals(expected, answered, "seed " + seed);
        for (PendingStatus p : d.pending()) {
            assertTrue(p.queuePosition() >= 1, "seed " + seed);
            assertTrue(!p.details().isBlank(), "seed " + seed);
        }
    }

    @Property(tries = 400)
    void noQuotaIsExceededWithoutBorrowing(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed) {
        ClusterSnapshot s = randomSnapshot(new Random(seed));
        Decision d = decide(seed, s);
        Map<NodeName, Node> nodes = new HashMap<>();
        s.nodes().forEach(n -> nodes.put(n.name(), n));
        Map<String, Integer> before = new HashMap<>();
        for (RunningJob r : s.running()) {
            for (NodeAllocation p : r.allocation().parts()) {
                for (int g : p.gpuIndices()) {
                    before.merge(r.request().org() + "/" + nodes.get(p.node()).gpus().get(g).name(), 1,
                            Integer::sum);
                }
            }
        }
        Map<String, Integer> after = new HashMap<>(before);
        Map<JobId, JobRequest> pending = new HashMap<>();
        s.pending().forEach(j -> pending.put(j.id(), j));
        for (Start st : d.starts()) {
            if (st.flavor() == null) {
                continue;
            }
            String key = pending.get(st.job()).org() + "/" + st.flavor().name();
            int used = after.getOrDefault(key, 0);
            Organisation org = s.organisation(pending.get(st.job()).org()).orElseThrow();
            FlavorQuota q = org.quota(st.flavor().name());
            int now = used + st.allocation().gpuCount();
            assertTrue(now <= q.ceiling(), "seed " + seed + ": " + key + " holds " + now + " > " + q);
            // The core also counts GPUs promised to a job that reclaims them, so it may call a start borrowing
            // that this count does not; the other way round would be a lie to the owner.
            if (now > q.guaranteedGpus()) {
                assertTrue(st.borrowing(), "seed " + seed + ": borrowing flag of " + st);
            }
            after.put(key, now);
        }
    }

    @Property(tries = 400)
    void noReservationIsDelayedByAJobStartedInTheSameCycle(
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed) {
        ClusterSnapshot s = randomSnapshot(new Random(seed));
        Decision d = decide(seed, s);
        Map<NodeName, Node> nodes = new HashMap<>();
        s.nodes().forEach(n -> nodes.put(n.name(), n));
        Map<JobId, Instant> preemptedBy = new HashMap<>();
        d.preemptions().forEach(p -> preemptedBy.put(p.job(), NOW.plus(p.grace())));
        for (Reservation r : d.reservations()) {
            for (Reservation.ReservedNode rn : r.nodes()) {
                Node node = nodes.get(rn.node());
                int gpus = r.flavor() == null ? 0 : Collections.frequency(node.gpus(), r.flavor());
                int cores = node.cores();
                long memory = node.memoryMb();
                for (RunningJob j : s.running()) {
                    Instant end = preemptedBy.getOrDefault(j.id(), j.endsBy());
                    if (end.isAfter(r.start())) {
                        for (NodeAllocation p : j.allocation().parts()) {
                            if (p.node().equals(rn.node())) {
                                gpus -= (int) p.gpuIndices().stream().filter(g -> node.gpus().get(g)
                                        .equals(r.flavor())).count();
                                cores -= p.cores();
                                memory -= p.memoryMb();
                            }
                        }
                    }
                }
                for (Start st : d.starts()) {
                    if (st.endsBy().isAfter(r.start())) {
                        for (NodeAllocation p : st.allocation().parts()) {
                            if (p.node().equals(rn.node())) {
                                gpus -= (int) p.gpuIndices().stream().filter(g -> node.gpus().get(g)
                                        .equals(r.flavor())).count();
                                cores -= p.cores();
                                memory -= p.memoryMb();
                            }
                        }
                    }
                }
                assertTrue(gpus >= rn.gpus() && cores >= rn.cores() && memory >= rn.memoryMb(), "seed " + seed
                        + ": reservation " + r + " finds " + gpus + " GPUs, " + cores + " cores on " + rn.node());
            }
        }
    }

    /**
     * Work conservation: a job left pending for lack of resources does not fit what is still free once the cycle's
     * starts are placed (capacity only shrinks during a cycle, so it did not fit when it was considered either).
     * The pending jobs are made plain so that their fit is arithmetic: GPUs of any flavor that may spread over
     * nodes, no cores or memory asked for.
     */
    @Property(tries = 400)
    void aJobThatFitsAndDelaysNoReservationStarts(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed) {
        ClusterSnapshot random = randomSnapshot(new Random(seed));
        List<JobRequest> plainJobs = new ArrayList<>();
        for (JobRequest j : random.pending()) {
            plainJobs.add(j.toBuilder().shape(new JobShape.Gpus(Math.max(1, j.totalGpus()))).gpus(GpuConstraint.ANY)
                    .resources(Resources.NONE).build());
        }
        ClusterSnapshot s = random.withJobs(random.running(), plainJobs);
        Decision d = decide(seed, s);
        Map<NodeName, boolean[]> taken = new HashMap<>();
        for (Node n : s.nodes()) {
            taken.put(n.name(), new boolean[n.gpus().size()]);
        }
        List<Allocation> held = new ArrayList<>();
        s.running().forEach(r -> held.add(r.allocation()));
        d.starts().forEach(st -> held.add(st.allocation()));
        for (Allocation a : held) {
            for (NodeAllocation p : a.parts()) {
                p.gpuIndices().forEach(g -> taken.get(p.node())[g] = true);
            }
        }
        Map<GpuFlavor, Integer> free = new HashMap<>();
        for (Node n : s.nodes()) {
            if (n.state() == NodeState.UP) {
                for (int g = 0; g < n.gpus().size(); g++) {
                    if (!taken.get(n.name())[g]) {
                        free.merge(n.gpus().get(g), 1, Integer::sum);
                    }
                }
            }
        }
        // GPUs each organisation holds per flavor once the starts are counted: quota may rule a flavor out.
        Map<String, Integer> orgHeld = new HashMap<>();
        List<JobRequest> holders = new ArrayList<>();
        s.running().forEach(r -> holders.add(r.request()));
        Map<JobId, JobRequest> jobs = new HashMap<>();
        s.pending().forEach(j -> jobs.put(j.id(), j));
        d.starts().forEach(st -> holders.add(jobs.get(st.job())));
        for (int k = 0; k < holders.size(); k++) {
            for (NodeAllocation p : held.get(k).parts()) {
                Node node = s.nodes().stream().filter(n -> n.name().equals(p.node())).findFirst().orElseThrow();
                for (int g : p.gpuIndices()) {
                    orgHeld.merge(holders.get(k).org() + "/" + node.gpus().get(g).name(), 1, Integer::sum);
                }
            }
        }
        // A job that preempts holds its organisation's quota from this cycle on, before its GPUs are free.
        Set<JobId> preempting = new HashSet<>();
        d.preemptions().forEach(p -> preempting.add(p.forJob()));
        for (Reservation r : d.reservations()) {
            if (preempting.contains(r.job()) && r.flavor() != null) {
                JobRequest j = jobs.get(r.job());
                orgHeld.merge(j.org() + "/" + r.flavor().name(), j.totalGpus(), Integer::sum);
            }
        }
        for (PendingStatus p : d.pending()) {
            JobRequest j = jobs.get(p.job());
            boolean plain = j.shape() instanceof JobShape.Gpus && j.gpus() == GpuConstraint.ANY
                    && j.resources().coresOn(j.totalGpus()) == 0 && j.resources().memoryMbOn(j.totalGpus()) == 0;
            if (!plain || p.reason() != PendingReason.RESOURCES) {
                continue;
            }
            Organisation org = s.organisation(j.org()).orElseThrow();
            for (Map.Entry<GpuFlavor, Integer> f : free.entrySet()) {
                boolean quotaAllows = orgHeld.getOrDefault(j.org() + "/" + f.getKey().name(), 0) + j.totalGpus()
                        <= org.quota(f.getKey().name()).ceiling();
                assertTrue(!quotaAllows || j.totalGpus() > f.getValue(), "seed " + seed + ": job " + j.id()
                        + " needs " + j.totalGpus() + " GPUs, " + f.getValue() + " x " + f.getKey().name()
                        + " are free, yet: " + p.sentence());
            }
        }
    }
}
