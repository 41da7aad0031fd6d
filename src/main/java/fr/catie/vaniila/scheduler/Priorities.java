package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Computes each pending job's priority for the cycle's policy; higher is first. Built once per cycle from the
 * snapshot (fair-share factors per organisation); confined to one cycle.
 */
final class Priorities {

    private static final long LEVEL = 1_000_000_000_000L;
    /**
     * Added under fair share to a job its organisation's guarantee covers: above every other job, so that GPUs
     * reclaimed for an organisation go to it (and guarantees bound how much such jobs can take).
     */
    static final long WITHIN_GUARANTEE = 10_000_000_000L;
    /**
     * Base priority under fair share of a job on the cluster's critical path, plus its wall time in seconds (see
     * {@code Cycle.criticalPath}): below the jobs a guarantee covers, so that reclaiming still serves them, and above
     * the starving ones.
     */
    static final long CRITICAL_PATH = 5_000_000_000L;
    /** Base priority of a starving job under fair share, plus its weighted age in seconds: above any weighted sum. */
    static final long STARVING = 1_000_000_000L;
    /**
     * Below this wall time a starving job's wait counts up to double: the threshold of Feitelson's bounded slowdown,
     * so that a 1-minute job is not ranked as if it had waited 360 times its length after 6 hours.
     */
    static final Duration SHORT_JOB = Duration.ofHours(1);

    private final SchedulerConfig config;
    private final ClusterSnapshot snapshot;
    private final Instant now;
    private final Map<OrgName, Double> fairShare = new HashMap<>();
    private final int maxTier;
    private final int totalGpus;

    Priorities(SchedulerConfig config, ClusterSnapshot snapshot, Instant now) {
        this.config = config;
        this.snapshot = snapshot;
        this.now = now;
        int tier = 1;
        for (Queue q : snapshot.queues()) {
            tier = Math.max(tier, q.priorityTier());
        }
        this.maxTier = tier;
        this.totalGpus = Math.max(1, snapshot.totalGpus());
        double totalWeight = 0;
        double totalUsage = 0;
        Map<OrgName, Double> usage = new HashMap<>();
        for (Organisation o : snapshot.organisations()) {
            double u = o.usage().at(now, config.usageHalfLife());
            usage.put(o.name(), u);
            totalWeight += o.fairShareWeight();
            totalUsage += u;
        }
        for (Organisation o : snapshot.organisations()) {
            double shareOfUsage = totalUsage > 0 ? usage.get(o.name()) / totalUsage : 0;
            double shareOfWeight = o.fairShareWeight() / totalWeight;
            fairShare.put(o.name(), Math.pow(2, -shareOfUsage / shareOfWeight));
        }
    }

    /** Fair-share factor of an organisation in [0, 1]: 1 when unused, 0.5 when it used exactly its share. */
    double fairShare(OrgName org) {
        return fairShare.getOrDefault(org, 0.0);
    }

    long of(JobRequest job) {
        long ageSeconds = Math.max(0, Duration.between(job.submittedAt(), now).getSeconds());
        int tier = snapshot.queue(job.queue()).map(Queue::priorityTier).orElse(0);
        switch (config.policy()) {
            case FIFO:
            case FIFO_BACKFILL:
                return tier * LEVEL + ageSeconds;
            case LAS:
                int levels = config.lasThresholds().size() + 1;
                return (levels - config.lasLevel(job.attainedGpuSeconds())) * LEVEL + ageSeconds;
            case FAIRSHARE_BACKFILL:
            default:
                if (ageSeconds >= config.starvationAge().getSeconds()) {
                    // Waited too long: promoted ahead of fresher jobs (Tiresias's STARVELIMIT), so that no job,
                    // however large or however heavy its organisation, waits forever. Among them the shorter a job,
                    // the more its wait counts, up to double, as Maui adds the expansion factor to the queue time:
                    // an hour of wait costs a 5-minute job far more than a 2-day one, and on a backlog of days
                    // oldest-first made a thousand such jobs queue behind long ones (average wait above FIFO's on
                    // Philly 10-12, docs/benchmarks/scheduler.md §3). The weight stays between 1 and 2, so a job
                    // that has waited more than twice as long as another still goes first: none waits forever.
                    return STARVING + Math.round(ageSeconds * starvingWeight(job));
                }
                PriorityWeights w = config.weights();
                double age = Math.min(1.0, ageSeconds / (double) config.maxAge().getSeconds());
                double size = Math.min(1.0, job.totalGpus() / (double) totalGpus);
                return Math.round(w.fairShare() * fairShare(job.org()) + w.age() * age
                        + w.tier() * (tier / (double) maxTier) + w.size() * size);
        }
    }

    /** 1 + SHORT_JOB / max(wall time, SHORT_JOB): 2 for a job of an hour or less, towards 1 for long ones. */
    private double starvingWeight(JobRequest job) {
        Optional<Duration> wall = snapshot.wallTime(job);
        if (wall.isEmpty()) {
            return 1;
        }
        long shortJob = SHORT_JOB.getSeconds();
        return 1 + shortJob / (double) Math.max(wall.get().getSeconds(), shortJob);
    }
}
