package fr.catie.vaniila.scheduler;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The scheduler core: a pure function from a frozen {@link ClusterSnapshot} and a time to a {@link Decision}.
 * It reads no clock, touches no database and never changes the snapshot; the caller commits the decision
 * after re-checking it. Thread safe: cycles may run concurrently on different snapshots; the only state is a
 * cache of the last cluster index (nodes and queues), replaced atomically and read-only once built.
 *
 * <p>The pipeline of a cycle (see {@code Cycle}):
 * <ol>
 * <li>index nodes and flavors; derive free resources and each organisation's usage from the running jobs;</li>
 * <li>order pending jobs by the policy's priority (higher first);</li>
 * <li>walk them in order: eligibility (hold, dependency, queue limits, never satisfiable), budget, quota,
 * placement through the filters and scorers; start, or record the pending reason;</li>
 * <li>for blocked jobs: reclaim borrowed GPUs (fair share), preempt more-served jobs (LAS), or reserve the
 * earliest resources from the running jobs' wall-time ends (backfill) so that later jobs cannot delay them;</li>
 * <li>number queue positions and assemble the decision.</li>
 * </ol>
 */
public final class Scheduler {

    private final SchedulerConfig config;
    /**
     * The index of the last cluster seen, reused while a caller passes the same (immutable) node and queue lists:
     * a loop that keeps its inventory between cycles does not pay for re-indexing 2,000 GPUs each cycle.
     */
    private volatile IndexCache lastIndex;

    private record IndexCache(List<Node> nodes, List<Queue> queues, CycleIndex index) {
    }

    /** @param config the policy and its tunables */
    public Scheduler(SchedulerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** @return the configuration */
    public SchedulerConfig config() {
        return config;
    }

    /**
     * Runs one cycle.
     *
     * @param snapshot the frozen cluster state
     * @param now      the cycle's time (the caller's clock, real or simulated)
     * @return the decision; every pending job of the snapshot is started or has a status
     * @throws IllegalArgumentException when the snapshot is inconsistent (a running job on an unknown node or
     *                                  a GPU held twice)
     */
    public Decision schedule(ClusterSnapshot snapshot, Instant now) {
        IndexCache cached = lastIndex;
        if (cached == null || cached.nodes != snapshot.nodes() || cached.queues != snapshot.queues()) {
            cached = new IndexCache(snapshot.nodes(), snapshot.queues(), new CycleIndex(snapshot));
            lastIndex = cached;
        }
        return new Cycle(config, snapshot, now, cached.index).run();
    }

    /**
     * The submit-time check, with the same filters the cycle uses: can this request ever run here?
     *
     * @param request  the job as submitted
     * @param snapshot the cluster (only nodes, queues and organisations are read)
     * @return {@link Feasibility.Feasible}, or the {@link PendingReason#QUEUE_LIMIT} /
     *         {@link PendingReason#NEVER_SATISFIABLE} reason with a sentence saying what to change
     */
    public static Feasibility check(JobRequest request, ClusterSnapshot snapshot) {
        return submitCheck(snapshot).check(request);
    }

    /**
     * A reusable submit-time check for many requests against the same nodes, queues and organisations (the
     * index of the cluster is built once and answers are cached per request shape).
     *
     * @param snapshot the cluster (running and pending jobs are ignored)
     * @return the check; not thread safe, use one per thread and rebuild it when nodes, queues or quotas change
     */
    public static SubmitCheck submitCheck(ClusterSnapshot snapshot) {
        Cycle cycle = Cycle.forChecks(snapshot);
        return cycle::feasibility;
    }

    /** {@link #check} bound to one cluster. Not thread safe. */
    @FunctionalInterface
    public interface SubmitCheck {
        /**
         * @param request the job as submitted
         * @return feasible, or the reason with a sentence saying what to change
         */
        Feasibility check(JobRequest request);
    }
}
