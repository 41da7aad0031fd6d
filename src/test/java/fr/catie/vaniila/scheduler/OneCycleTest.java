package fr.catie.vaniila.scheduler;

import static fr.catie.vaniila.scheduler.Fixtures.aCluster;
import static fr.catie.vaniila.scheduler.Fixtures.aJob;
import static fr.catie.vaniila.scheduler.Fixtures.aNode;
import static fr.catie.vaniila.scheduler.Fixtures.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One cycle of the real core on fluent fixtures, asserting decisions and the exact reason sentences. */
class OneCycleTest {

    private static Decision cycle(Policy policy, ClusterSnapshot s, long nowS) {
        return new Scheduler(SchedulerConfig.defaults(policy)).schedule(s, at(nowS));
    }

    /** An organisation without a guarantee on v100-16g, borrowing up to 8, with this past usage. */
    private static Organisation borrower(String name, DecayedUsage usage) {
        return new Organisation(new OrgName(name), Map.of("v100-16g", new FlavorQuota(0, 8)), OptionalInt.empty(),
                OptionalDouble.empty(), 0, 1, usage);
    }

    private static Decision cycle(ClusterSnapshot s) {
        return cycle(Policy.FAIRSHARE_BACKFILL, s, 60);
    }

    @Test
    void aJobThatFitsStartsOnTheBestFittingNode() {
        ClusterSnapshot s = aCluster().nodes(2, "v", 4, "v100-16g")
                .running(aJob(90), "v1", List.of(0, 1), 0, 3600)
                .pending(aJob(1).gpus(2)).build();
        Decision d = cycle(s);
        Start start = d.start(new JobId(1)).orElseThrow();
        assertEquals(List.of(new NodeAllocation(new NodeName("v1"), List.of(2, 3), 0, 0)), start.allocation().parts(),
                "best fit fills the half-used node and keeps v2 whole");
        assertEquals(at(60 + 3600), start.endsBy());
        assertTrue(d.pending().isEmpty());
    }

    @Test
    void resourcesSentenceSaysWhatIsMissing() {
        ClusterSnapshot s = aCluster().nodes(2, "v", 4, "v100-16g")
                .running(aJob(90), "v1", List.of(0, 1), 0, 3600)
                .running(aJob(91), "v2", List.of(0, 1), 0, 7200)
                .pending(aJob(1).nodes(1, 4).flavor("v100-16g")).build();
        PendingStatus status = cycle(Policy.FIFO, s, 60).status(new JobId(1)).orElseThrow();
        assertEquals(PendingReason.RESOURCES, status.reason());
        assertEquals("waiting for resources: needs 4 x v100-16g on one node; the most free on any node is 2",
                status.sentence());
        assertEquals(1, status.queuePosition());
    }

    @Test
    void neverSatisfiableIsRejectedAtSubmitWithTheSameFilters() {
        ClusterSnapshot s = aCluster().nodes(2, "v", 4, "v100-16g").build();
        JobRequest job = aJob(1).nodes(1, 9).flavor("v100-16g").build();
        Feasibility f = Scheduler.check(job, s);
        assertEquals(PendingReason.NEVER_SATISFIABLE, ((Feasibility.Infeasible) f).reason());
        assertEquals("needs 9 x v100-16g on one node; the largest node in queue gpu has 4; ask for fewer GPUs per node",
                ((Feasibility.Infeasible) f).details());
        assertEquals("can never run: needs 9 x v100-16g on one node; the largest node in queue gpu has 4; ask for "
                + "fewer GPUs per node", ((Feasibility.Infeasible) f).sentence());
        PendingStatus status = cycle(s.withJobs(List.of(), List.of(job))).status(job.id()).orElseThrow();
        assertEquals(PendingReason.NEVER_SATISFIABLE, status.reason());
        assertTrue(Scheduler.check(aJob(2).nodes(2, 4).build(), s).ok());
        assertEquals("needs 3 nodes with 4 x v100-16g each; only 2 node(s) in queue gpu have that many; ask for "
                + "fewer nodes", ((Feasibility.Infeasible) Scheduler.check(aJob(3).nodes(3, 4).flavor("v100-16g")
                .build(), s)).details());
        assertEquals("no node of queue gpu has a rtx2080ti-11g; flavors there: v100-16g",
                ((Feasibility.Infeasible) Scheduler.check(aJob(4).flavor("rtx2080ti-11g").build(), s)).details());
        Feasibility.Infeasible noSuchGpu = (Feasibility.Infeasible) Scheduler.check(aJob(5).minGpuMemoryGb(32).build(), s);
        assertEquals("no node of queue gpu has a GPU with >= 32 GB; flavors there: v100-16g", noSuchGpu.details());
        // "GPU with >= 32 GB" is a phrase of its own inside the sentence, so that the pages translate its words too.
        assertTrue(keys(noSuchGpu.said()).contains("reason.detail.GPU_WITH_MEMORY"), keys(noSuchGpu.said()).toString());
    }

    /** The keys of a phrase and of the phrases nested in it. */
    static List<String> keys(fr.catie.vaniila.wording.Phrase phrase) {
        List<String> keys = new java.util.ArrayList<>();
        keys.add(phrase.key());
        for (Object a : phrase.args()) {
            if (a instanceof fr.catie.vaniila.wording.Phrase nested) {
                keys.addAll(keys(nested));
            }
        }
        return keys;
    }

    @Test
    void queueLimitsSayWhatToChange() {
        Queue interactive = new Queue(new QueueName("interactive"), Set.of(), Set.of(), Duration.ofHours(1),
                Duration.ofHours(8), 1, 2, false, Set.of(new OrgName("acme")));
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g").queue(Queue.open("gpu", Duration.ofDays(7), 4))
                .queue(interactive).build();
        assertEquals("queue limit: asks for 2 GPUs but queue interactive allows at most 1 per job; ask for fewer "
                + "GPUs or use another queue", sentence(Scheduler.check(aJob(1).queue("interactive").gpus(2).build(),
                        s)));
        assertEquals("queue limit: asks for a wall time of 9h but queue interactive allows at most 8h; lower the "
                + "wall time (--time) or use another queue", sentence(Scheduler.check(aJob(2).queue("interactive")
                        .hours(9).build(), s)));
        assertEquals("queue limit: organisation globex may not use queue interactive; use one of: gpu",
                sentence(Scheduler.check(aJob(3).queue("interactive").org("globex").build(), s)));
        assertEquals("queue limit: queue 'gpus' does not exist; use one of: gpu, interactive",
                sentence(Scheduler.check(aJob(4).queue("gpus").build(), s)));
    }

    private static String sentence(Feasibility f) {
        return ((Feasibility.Infeasible) f).sentence();
    }

    @Test
    void heldAndDependencyJobsWaitWithTheirReason() {
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g")
                .pending(aJob(1).held(), aJob(2).dependency(DependencyState.WAITING),
                        aJob(3).dependency(DependencyState.NEVER)).build();
        Decision d = cycle(s);
        assertTrue(d.starts().isEmpty());
        assertEquals("held: held by its owner or an admin; release it to let it run",
                d.status(new JobId(1)).orElseThrow().sentence());
        assertEquals("dependency: waits for the jobs it depends on to end", d.status(new JobId(2)).orElseThrow()
                .sentence());
        assertEquals(PendingReason.DEPENDENCY, d.status(new JobId(3)).orElseThrow().reason());
    }

    @Test
    void quotaAndBudgetStopAnOrganisationNotOthers() {
        Organisation acme = new Organisation(new OrgName("acme"), Map.of("v100-16g", new FlavorQuota(1, 1)),
                OptionalInt.empty(), OptionalDouble.empty(), 0, 1, DecayedUsage.none(Fixtures.T0));
        Organisation poor = new Organisation(new OrgName("poor"), Map.of("v100-16g", new FlavorQuota(4, 0)),
                OptionalInt.empty(), OptionalDouble.of(10), 9.5, 1, DecayedUsage.none(Fixtures.T0));
        ClusterSnapshot s = aCluster().nodes(2, "v", 4, "v100-16g").org(acme).org(poor)
                .running(aJob(90).org("acme"), "v1", List.of(0), 0, 3600)
                .pending(aJob(1).org("acme").gpus(2), aJob(2).org("poor").gpus(1), aJob(3).org("acme").gpus(1))
                .build();
        Decision d = cycle(s);
        assertEquals("waiting for quota: acme holds 1 x v100-16g of at most 2 (guarantee 1 + borrowing 1) and this "
                + "job needs 2 more", d.status(new JobId(1)).orElseThrow().sentence());
        assertEquals("over budget: poor has used 9.5 of its 10.0 GPU-hours this period and this job may use up to "
                + "1.0 more (1 GPUs x 1h); lower its wall time or GPUs, or ask an admin for more budget",
                d.status(new JobId(2)).orElseThrow().sentence());
        Start borrowing = d.start(new JobId(3)).orElseThrow();
        assertTrue(borrowing.borrowing(), "its second GPU is beyond acme's guarantee of 1");
        assertEquals("can never run: needs 3 GPUs but organisation acme may hold at most 2 x v100-16g (guarantee 1 + "
                + "borrowing 1); ask for fewer GPUs or ask a platform admin for more quota",
                sentence(Scheduler.check(aJob(4).org("acme").gpus(3).build(), s)));
    }

    @Test
    void cpuQuotaCountsCores() {
        Organisation acme = new Organisation(new OrgName("acme"), Map.of("v100-16g", new FlavorQuota(8, 0)),
                OptionalInt.of(16), OptionalDouble.empty(), 0, 1, DecayedUsage.none(Fixtures.T0));
        ClusterSnapshot s = aCluster().nodes(2, "v", 4, "v100-16g").org(acme)
                .pending(aJob(1).cores(12), aJob(2).cores(12)).build();
        Decision d = cycle(s);
        assertTrue(d.start(new JobId(1)).isPresent());
        assertEquals("waiting for quota: acme's jobs hold 12 of its 16 cores and this job needs 12 more",
                d.status(new JobId(2)).orElseThrow().sentence());
    }

    @Test
    void gangJobsGetAllTheirNodesOrNone() {
        ClusterSnapshot s = aCluster().nodes(3, "v", 4, "v100-16g")
                .running(aJob(90), "v1", List.of(0), 0, 3600)
                .running(aJob(91), "v2", List.of(0), 0, 3600)
                .pending(aJob(1).nodes(2, 4)).build();
        Decision d = cycle(Policy.FIFO, s, 60);
        assertTrue(d.starts().isEmpty(), "only v3 has 4 free: no partial start");
        assertEquals("waiting for resources: needs 2 nodes with 4 x v100-16g free each; 1 node(s) have that now",
                d.status(new JobId(1)).orElseThrow().sentence());

        ClusterSnapshot two = s.withJobs(List.of(s.running().get(0)), s.pending());
        Start start = cycle(Policy.FIFO, two, 60).start(new JobId(1)).orElseThrow();
        assertEquals(2, start.allocation().parts().size());
        assertEquals(8, start.allocation().gpuCount());
    }

    @Test
    void spreadJobsUseOneNodeWhenPossibleThenTheFewestNodes() {
        ClusterSnapshot s = aCluster().nodes(3, "v", 4, "v100-16g")
                .running(aJob(90), "v1", List.of(0, 1, 2), 0, 3600)
                .running(aJob(91), "v2", List.of(0), 0, 3600)
                .pending(aJob(1).gpus(4), aJob(2).gpus(4)).build();
        Decision d = cycle(Policy.FIFO, s, 60);
        assertEquals(List.of(new NodeName("v3")), nodes(d.start(new JobId(1)).orElseThrow()),
                "4 GPUs fit on v3 alone");
        assertEquals(List.of(new NodeName("v2"), new NodeName("v1")), nodes(d.start(new JobId(2)).orElseThrow()),
                "then 3 on v2 and 1 on v1: two nodes");
    }

    private static List<NodeName> nodes(Start s) {
        return s.allocation().parts().stream().map(NodeAllocation::node).toList();
    }

    @Test
    void drainingAndDownNodesGetNoJobs() {
        ClusterSnapshot s = aCluster().node(aNode("v1").gpus(4, "v100-16g").state(NodeState.DRAINING))
                .node(aNode("v2").gpus(4, "v100-16g").state(NodeState.DOWN))
                .pending(aJob(1).gpus(1)).build();
        PendingStatus status = cycle(s).status(new JobId(1)).orElseThrow();
        assertEquals("waiting for resources: no UP node of queue gpu can host 1 x v100-16g on one node right now "
                + "(nodes "
                + "down or draining)", status.sentence());
    }

    @Test
    void fifoBlocksBehindTheFirstJobThatDoesNotFit() {
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g")
                .running(aJob(90), "v1", List.of(0, 1), 0, 3600)
                .pending(aJob(1).gpus(4).submitted(1), aJob(2).gpus(1).submitted(2)).build();
        Decision fifo = cycle(Policy.FIFO, s, 60);
        assertTrue(fifo.starts().isEmpty());
        assertEquals("waiting for higher-priority jobs: queue gpu runs first-in first-out and job 1, ahead of it, "
                + "waits for resources", fifo.status(new JobId(2)).orElseThrow().sentence());
        assertEquals(2, fifo.status(new JobId(2)).orElseThrow().queuePosition());
    }

    @Test
    void easyBackfillStartsShortJobsAndHoldsBackLongOnes() {
        // v1 is half busy until t=3600; job 1 needs the whole node. Job 2 (30 min) ends before; job 3 (2 h) would not.
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g")
                .running(aJob(90), "v1", List.of(0, 1), 0, 3600)
                .pending(aJob(1).gpus(4).submitted(1), aJob(2).gpus(1).minutes(30).submitted(2),
                        aJob(3).gpus(1).hours(2).submitted(3)).build();
        Decision d = cycle(Policy.FIFO_BACKFILL, s, 60);
        assertEquals(1, d.reservations().size());
        Reservation r = d.reservations().get(0);
        assertEquals(new JobId(1), r.job());
        assertEquals(at(3600), r.start());
        assertEquals(List.of(new Reservation.ReservedNode(new NodeName("v1"), 4, 0, 0)), r.nodes());
        PendingStatus first = d.status(new JobId(1)).orElseThrow();
        assertEquals(Optional.of(at(3600)), first.estimatedStart());
        assertEquals("waiting for resources: needs 4 x v100-16g; 2 are free (at most 2 on one node); resources are "
                + "reserved for it from 2026-01-05T09:00:00Z", first.sentence());
        Start backfilled = d.start(new JobId(2)).orElseThrow();
        assertTrue(backfilled.backfilled());
        PendingStatus third = d.status(new JobId(3)).orElseThrow();
        assertEquals("waiting for higher-priority jobs: it fits now but would delay job 1, which has resources "
                + "reserved from 2026-01-05T09:00:00Z", third.sentence());
        assertEquals(2, third.queuePosition());
    }

    @Test
    void fairShareOrdersTheLessServedOrganisationFirst() {
        Organisation heavy = new Organisation(new OrgName("heavy"), Map.of("v100-16g", new FlavorQuota(0, 4)),
                OptionalInt.empty(), OptionalDouble.empty(), 0, 1, new DecayedUsage(1e6, Fixtures.T0));
        Organisation light = new Organisation(new OrgName("light"), Map.of("v100-16g", new FlavorQuota(0, 4)),
                OptionalInt.empty(), OptionalDouble.empty(), 0, 1, DecayedUsage.none(Fixtures.T0));
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g").org(heavy).org(light)
                .pending(aJob(1).org("heavy").gpus(4).submitted(0), aJob(2).org("light").gpus(4).submitted(30))
                .build();
        Decision d = cycle(s);
        assertTrue(d.start(new JobId(2)).isPresent(), "light used nothing: it goes first despite arriving later");
        PendingStatus heavyStatus = d.status(new JobId(1)).orElseThrow();
        assertEquals(PendingReason.RESOURCES, heavyStatus.reason());
        Decision fifo = cycle(Policy.FIFO, s, 60);
        assertTrue(fifo.start(new JobId(1)).isPresent(), "FIFO ignores usage");
    }

    @Test
    void borrowedGpusAreReclaimedFromTheMostRecentBorrowerWithGrace() {
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g").org("acme", 2, 2).org("globex", 2, 2)
                .running(aJob(90).org("globex").preemptible(), "v1", List.of(0), 0, 7200)
                .running(aJob(91).org("globex").preemptible(), "v1", List.of(1), 10, 7200)
                .running(aJob(92).org("globex").preemptible(), "v1", List.of(2), 20, 7200)
                .running(aJob(93).org("globex"), "v1", List.of(3), 30, 7200)
                .pending(aJob(1).org("acme").gpus(1)).build();
        Decision d = cycle(s);
        assertEquals(1, d.preemptions().size());
        Preemption p = d.preemptions().get(0);
        assertEquals(new JobId(92), p.job(), "93 started last but is not preemptible; 92 is the next");
        assertEquals(PreemptionCause.RECLAIM, p.cause());
        assertEquals(new OrgName("acme"), p.forOrg());
        assertEquals(Duration.ofSeconds(60), p.grace());
        assertEquals("preempted and requeued: organisation acme is under its guarantee of 2 x v100-16g and needs "
                + "back the GPUs globex borrowed", p.sentence());
        PendingStatus status = d.status(new JobId(1)).orElseThrow();
        assertEquals(Optional.of(at(120)), status.estimatedStart());
        assertEquals("waiting for resources: preempting 1 job(s) to free 1 x v100-16g by 2026-01-05T08:02:00Z",
                status.sentence());

        // Next cycle, the victim is in its grace period: no second preemption for the same need.
        List<RunningJob> running = s.running().stream().map(r -> r.id().value() == 92
                ? new RunningJob(r.request(), r.allocation(), r.startedAt(), at(120), true) : r).toList();
        Decision next = cycle(Policy.FAIRSHARE_BACKFILL, s.withJobs(running, s.pending()), 90);
        assertTrue(next.preemptions().isEmpty());
        assertEquals("waiting for resources: waits for preempted jobs to release 1 x v100-16g by "
                + "2026-01-05T08:02:00Z", next.status(new JobId(1)).orElseThrow().sentence());
    }

    @Test
    void noReclaimWhenTheBorrowerIsWithinItsGuarantee() {
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g").org("acme", 2, 2).org("globex", 4, 0)
                .running(aJob(90).org("globex").preemptible().nodes(1, 4), "v1", List.of(0, 1, 2, 3), 0, 7200)
                .pending(aJob(1).org("acme").gpus(1)).build();
        Decision d = cycle(s);
        assertTrue(d.preemptions().isEmpty());
    }

    @Test
    void lasPreemptsTheMostServedJobForALessServedOne() {
        ClusterSnapshot s = aCluster().nodes(1, "v", 2, "v100-16g")
                .running(aJob(90).preemptible(), "v1", List.of(0), 0, 90_000)
                .running(aJob(91).preemptible().attained(50_000), "v1", List.of(1), 0, 90_000)
                .pending(aJob(1).gpus(1).preemptible()).build();
        Decision d = cycle(Policy.LAS, s, 60);
        assertEquals(List.of(new JobId(91)), d.preemptions().stream().map(Preemption::job).toList());
        assertEquals(PreemptionCause.LAS, d.preemptions().get(0).cause());
        Decision same = cycle(Policy.LAS, s.withJobs(s.running(), List.of(aJob(2).gpus(1).attained(60_000)
                .build())), 60);
        assertTrue(same.preemptions().isEmpty(), "a job with as much service preempts no one");
    }

    @Test
    void theCoreNeverChangesTheSnapshot() {
        ClusterSnapshot s = aCluster().nodes(2, "v", 4, "v100-16g")
                .running(aJob(90), "v1", List.of(0, 1), 0, 3600)
                .pending(aJob(1).gpus(2).minutes(30), aJob(2).gpus(8)).build();
        String before = s.nodes() + "" + s.running() + s.pending() + s.organisations();
        Decision first = cycle(s);
        Decision second = cycle(s);
        assertEquals(before, s.nodes() + "" + s.running() + s.pending() + s.organisations());
        assertEquals(first, second, "same snapshot and time, same decision");
        assertFalse(first.starts().isEmpty());
    }

    @Test
    void queuePositionsArePerQueueInPriorityOrder() {
        Map<String, Integer> expected = new HashMap<>();
        ClusterSnapshot s = aCluster().nodes(1, "v", 1, "v100-16g")
                .queue(Queue.open("gpu", Duration.ofDays(7), 8)).queue(Queue.open("cpu", Duration.ofDays(7), 8))
                .running(aJob(90), "v1", List.of(0), 0, 3600)
                .pending(aJob(1).submitted(1), aJob(2).submitted(2).queue("cpu"), aJob(3).submitted(3),
                        aJob(4).submitted(4).queue("cpu"))
                .build();
        Decision d = cycle(Policy.FIFO_BACKFILL, s, 60);
        expected.put("1", 1);
        expected.put("2", 1);
        expected.put("3", 2);
        expected.put("4", 2);
        for (PendingStatus st : d.pending()) {
            assertEquals(expected.get(st.job().toString()), st.queuePosition(), "job " + st.job());
        }
    }

    @Test
    void guaranteedJobsGoFirstAndStarvingJobsAreNotForgotten() {
        // acme is under its guarantee of 1; globex already borrows; initech used far more than anyone.
        Organisation acme = new Organisation(new OrgName("acme"), Map.of("v100-16g", new FlavorQuota(1, 3)),
                OptionalInt.empty(), OptionalDouble.empty(), 0, 1, new DecayedUsage(5e6, Fixtures.T0));
        Organisation globex = new Organisation(new OrgName("globex"), Map.of("v100-16g", new FlavorQuota(1, 3)),
                OptionalInt.empty(), OptionalDouble.empty(), 0, 1, DecayedUsage.none(Fixtures.T0));
        Organisation initech = new Organisation(new OrgName("initech"), Map.of("v100-16g", new FlavorQuota(1, 3)),
                OptionalInt.empty(), OptionalDouble.empty(), 0, 1, new DecayedUsage(9e6, Fixtures.T0));
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g").org(acme).org(globex).org(initech)
                .running(aJob(90).org("globex").gpus(3), "v1", List.of(0, 1, 2), 0, 86_400)
                .pending(aJob(1).org("globex").gpus(1).submitted(7200), aJob(2).org("acme").gpus(1).submitted(7200),
                        aJob(3).org("initech").gpus(2).submitted(0))
                .build();
        Decision early = cycle(Policy.FAIRSHARE_BACKFILL, s, 7300);
        List<JobId> order = early.pending().stream().map(PendingStatus::job).toList();
        assertTrue(early.start(new JobId(2)).isPresent(), "acme's job is covered by its guarantee: it goes first");
        assertEquals(List.of(new JobId(1), new JobId(3)), order, "then globex (less used) before initech");

        // Seven hours later initech's job has waited past the starvation age (6 h) and goes before globex's.
        Decision late = cycle(Policy.FAIRSHARE_BACKFILL, s, 7 * 3600);
        assertTrue(late.start(new JobId(2)).isPresent());
        assertEquals(List.of(new JobId(3), new JobId(1)), late.pending().stream().map(PendingStatus::job).toList());
        assertTrue(late.pending().get(0).priority() > late.pending().get(1).priority(), "higher number first");
    }

    @Test
    void underFairShareAJobLongerThanAllTheWorkLeftGoesFirst() {
        // initech used far more than globex, so fair share ranks its job last; but its job alone outlasts all the
        // work the cluster knows of, so every hour it waits is an hour more before the cluster is done.
        Organisation globex = borrower("globex", DecayedUsage.none(Fixtures.T0));
        Organisation initech = borrower("initech", new DecayedUsage(9e6, Fixtures.T0));
        ClusterSnapshot base = aCluster().nodes(1, "v", 4, "v100-16g").org(globex).org(initech)
                .running(aJob(90).org("globex").gpus(4), "v1", List.of(0, 1, 2, 3), 0, 3600).build();
        JobRequest longJob = aJob(1).org("initech").hours(6).build();
        List<JobRequest> fewShort = List.of(aJob(2).org("globex").build(), aJob(3).org("globex").build(),
                aJob(4).org("globex").build());
        List<JobRequest> pending = new ArrayList<>(List.of(longJob));
        pending.addAll(fewShort);
        // Work: 4 GPUs for 3540 s more, 6 GPU-hours and 3 GPU-hours pending: 3.2 h on 4 GPUs, under the job's 6 h.
        Decision d = cycle(Policy.FAIRSHARE_BACKFILL, base.withJobs(base.running(), pending), 60);
        assertEquals(List.of(new JobId(1), new JobId(2), new JobId(3), new JobId(4)),
                d.pending().stream().map(PendingStatus::job).toList());
        assertEquals(new JobId(1), d.reservations().get(0).job());
        assertEquals(Optional.of(at(3600)), d.status(new JobId(1)).orElseThrow().estimatedStart());

        // With twelve 2-hour jobs more, the work left takes 9.2 h: the 6-hour job no longer sets the end, and fair
        // share ranks it after globex's jobs again.
        for (int i = 5; i <= 16; i++) {
            pending.add(aJob(i).org("globex").hours(2).build());
        }
        Decision more = cycle(Policy.FAIRSHARE_BACKFILL, base.withJobs(base.running(), pending), 60);
        List<JobId> order = more.pending().stream().map(PendingStatus::job).toList();
        assertEquals(new JobId(1), order.get(order.size() - 1), order.toString());
        assertTrue(cycle(Policy.FIFO, base.withJobs(base.running(), pending.subList(0, 4)), 60).pending().stream()
                .map(PendingStatus::job).toList().equals(List.of(new JobId(1), new JobId(2), new JobId(3),
                        new JobId(4))), "FIFO keeps submit order (ties by id)");
    }

    @Test
    void amongStarvingJobsAShortJobsWaitCountsUpToDouble() {
        // All three have waited past the starvation age (6 h). The 10-minute job's 8 hours count 16; the 2-day jobs'
        // 12 and 17 hours count 12.25 and 17.35: the short job passes the first but not the one that has waited more
        // than twice as long. Plenty of work is running (4 GPUs for 100 h), so no job is on the critical path.
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g")
                .running(aJob(90).gpus(4), "v1", List.of(0, 1, 2, 3), 0, 120 * 3600)
                .pending(aJob(1).minutes(10).submitted(12 * 3600), aJob(2).hours(48).submitted(8 * 3600),
                        aJob(3).hours(48).submitted(3 * 3600))
                .build();
        Decision d = cycle(Policy.FAIRSHARE_BACKFILL, s, 20 * 3600);
        assertEquals(List.of(new JobId(3), new JobId(1), new JobId(2)),
                d.pending().stream().map(PendingStatus::job).toList());
        assertEquals(Priorities.STARVING + 16 * 3600, d.status(new JobId(1)).orElseThrow().priority());
        assertEquals(List.of(new JobId(3), new JobId(2), new JobId(1)),
                cycle(Policy.FIFO, s, 20 * 3600).pending().stream().map(PendingStatus::job).toList());
    }

    @Test
    void aReclaimTakesLastTheJobThatWouldOutlastAllOtherWork() {
        // 93 started last, so a reclaim would take it first; but it runs 200 h, long after all other work is done
        // (about 52 h on these 4 GPUs): preempting it would push that end back by all it has run. 92 goes instead.
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g").org("acme", 2, 2).org("globex", 2, 2)
                .running(aJob(90).org("globex").preemptible(), "v1", List.of(0), 0, 7200)
                .running(aJob(91).org("globex").preemptible(), "v1", List.of(1), 10, 7200)
                .running(aJob(92).org("globex").preemptible(), "v1", List.of(2), 20, 7200)
                .running(aJob(93).org("globex").preemptible().hours(200), "v1", List.of(3), 30, 200 * 3600)
                .pending(aJob(1).org("acme").gpus(1)).build();
        Decision d = cycle(s);
        assertEquals(List.of(new JobId(92)), d.preemptions().stream().map(Preemption::job).toList());

        // When it is the only job that can free a GPU, it is still taken: guarantees come first.
        ClusterSnapshot only = aCluster().nodes(1, "v", 1, "v100-16g").org("acme", 1, 0).org("globex", 0, 1)
                .running(aJob(93).org("globex").preemptible().hours(200), "v1", List.of(0), 30, 200 * 3600)
                .pending(aJob(1).org("acme").gpus(1)).build();
        assertEquals(List.of(new JobId(93)), cycle(only).preemptions().stream().map(Preemption::job).toList());
    }

    @Test
    void aGuaranteeCoversOnlyTheJobsItHasRoomFor() {
        // acme is under its guarantee of 1 with three jobs waiting: only the first is covered, the other two would
        // borrow. initech (no guarantee) has a job that has waited past the starvation age, so it goes before acme's borrowing jobs and gets
        // the second reservation. (Counting each acme job against acme's holdings alone ranked all three as covered,
        // they took both reservations, and the starving job got none.)
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g").org("acme", 1, 3).org("globex", 1, 3)
                .org("initech", 0, 4)
                .running(aJob(90).org("globex").gpus(4), "v1", List.of(0, 1, 2, 3), 0, 8 * 3600)
                .pending(aJob(1).org("acme").submitted(7 * 3600), aJob(2).org("acme").submitted(7 * 3600),
                        aJob(3).org("acme").submitted(7 * 3600), aJob(4).org("initech").submitted(0))
                .build();
        Decision d = new Scheduler(SchedulerConfig.defaults(Policy.FAIRSHARE_BACKFILL).withReservationDepth(2))
                .schedule(s, at(7 * 3600 + 60));
        assertEquals(List.of(new JobId(1), new JobId(4), new JobId(2), new JobId(3)),
                d.pending().stream().map(PendingStatus::job).toList());
        assertEquals(List.of(new JobId(1), new JobId(4)), d.reservations().stream().map(Reservation::job).toList());
        assertEquals(Optional.of(at(8 * 3600)), d.status(new JobId(4)).orElseThrow().estimatedStart());
        assertEquals(Optional.empty(), d.status(new JobId(2)).orElseThrow().estimatedStart());
    }

    @Test
    void underFairShareAJobKeepsItsReservationUntilItStarts() {
        // initech used far more than globex, so globex's job ranks first; but initech's job was given a
        // reservation by the previous cycle: it keeps it, and the start it was told stays true.
        Organisation globex = borrower("globex", DecayedUsage.none(Fixtures.T0));
        Organisation initech = borrower("initech", new DecayedUsage(9e6, Fixtures.T0));
        ClusterSnapshot s = aCluster().nodes(1, "v", 4, "v100-16g").org(globex).org(initech)
                .running(aJob(90).org("globex").gpus(4), "v1", List.of(0, 1, 2, 3), 0, 3600)
                .build();
        JobRequest promised = aJob(1).org("initech").gpus(4).submitted(0).build();
        JobRequest fresh = aJob(2).org("globex").gpus(4).submitted(60).build();
        Scheduler depthOne = new Scheduler(SchedulerConfig.defaults(Policy.FAIRSHARE_BACKFILL)
                .withReservationDepth(1));

        Decision first = depthOne.schedule(s.withJobs(s.running(), List.of(promised, fresh)), at(120));
        assertEquals(List.of(new JobId(2)), first.reservations().stream().map(Reservation::job).toList(),
                "without a reservation yet, fair share decides who gets the only one");

        Decision kept = depthOne.schedule(s.withJobs(s.running(),
                List.of(promised.toBuilder().holdsReservation(true).build(), fresh)), at(120));
        assertEquals(List.of(new JobId(1)), kept.reservations().stream().map(Reservation::job).toList());
        assertEquals(Optional.of(at(3600)), kept.status(new JobId(1)).orElseThrow().estimatedStart());
        assertEquals(List.of(new JobId(1), new JobId(2)), kept.pending().stream().map(PendingStatus::job).toList());
    }
}
