package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Tunables of the core. Immutable; thread safe.
 *
 * @param policy            the policy
 * @param weights           multifactor weights (fair-share policy)
 * @param usageHalfLife     half-life of past usage in the fair-share factor
 * @param maxAge            waiting time at which the age factor reaches 1
 * @param reservationDepth  how many blocked jobs get a reservation (EASY backfill uses 1; more protects more jobs)
 * @param preemptionGrace   time a preempted job gets to checkpoint and exit
 * @param lasThresholds     attained GPU-seconds at which a job drops to the next LAS level, ascending
 * @param starvationAge     under fair share, a job pending this long goes ahead of all fresher borrowing jobs
 */
public record SchedulerConfig(Policy policy, PriorityWeights weights, Duration usageHalfLife, Duration maxAge,
        int reservationDepth, Duration preemptionGrace, List<Double> lasThresholds, Duration starvationAge) {

    /** Checks the values. */
    public SchedulerConfig {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(weights, "weights");
        if (usageHalfLife.isNegative() || usageHalfLife.isZero() || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("usage half-life and maximum age must be positive");
        }
        if (reservationDepth < 0) {
            throw new IllegalArgumentException("reservation depth cannot be negative, got " + reservationDepth);
        }
        if (preemptionGrace.isNegative()) {
            throw new IllegalArgumentException("preemption grace cannot be negative");
        }
        lasThresholds = List.copyOf(lasThresholds);
        if (starvationAge.isNegative() || starvationAge.isZero()) {
            throw new IllegalArgumentException("starvation age must be positive");
        }
        for (int i = 1; i < lasThresholds.size(); i++) {
            if (lasThresholds.get(i) <= lasThresholds.get(i - 1)) {
                throw new IllegalArgumentException("LAS thresholds must be ascending: " + lasThresholds);
            }
        }
    }

    /**
     * @param policy the policy
     * @return defaults: 7-day half-life, 1-day max age, 4 reservations (2 under {@link Policy#FIFO_BACKFILL}, EASY
     *         backfill with a second reservation: backfilled jobs may delay any job without one past the makespan
     *         of plain FIFO, as 4 did to an 8-GPU job on the Philly 10-05 slice on 8x8 and 1 to a 30-day job on
     *         10-20; 2 does neither on the 32 slices of docs/benchmarks/scheduler.md §3), 60 s grace, LAS levels
     *         at 1 and 10 GPU-hours, starvation after 6 hours
     */
    public static SchedulerConfig defaults(Policy policy) {
        int depth = policy == Policy.FIFO_BACKFILL ? 2 : 4;
        return new SchedulerConfig(policy, PriorityWeights.DEFAULT, Duration.ofDays(7), Duration.ofDays(1), depth,
                Duration.ofSeconds(60), List.of(3_600.0, 36_000.0), Duration.ofHours(6));
    }

    /** @param value depth @return a copy */
    public SchedulerConfig withReservationDepth(int value) {
        return new SchedulerConfig(policy, weights, usageHalfLife, maxAge, value, preemptionGrace, lasThresholds,
                starvationAge);
    }

    /** @param value grace @return a copy */
    public SchedulerConfig withPreemptionGrace(Duration value) {
        return new SchedulerConfig(policy, weights, usageHalfLife, maxAge, reservationDepth, value, lasThresholds,
                starvationAge);
    }

    /** @param value weights @return a copy */
    public SchedulerConfig withWeights(PriorityWeights value) {
        return new SchedulerConfig(policy, value, usageHalfLife, maxAge, reservationDepth, preemptionGrace,
                lasThresholds, starvationAge);
    }

    /** @param value starvation age @return a copy */
    public SchedulerConfig withStarvationAge(Duration value) {
        return new SchedulerConfig(policy, weights, usageHalfLife, maxAge, reservationDepth, preemptionGrace,
                lasThresholds, value);
    }

    /**
     * @param attainedGpuSeconds service a job received
     * @return its LAS level, 0 (least served, first) to {@code lasThresholds.size()}
     */
    public int lasLevel(double attainedGpuSeconds) {
        int level = 0;
        while (level < lasThresholds.size() && attainedGpuSeconds >= lasThresholds.get(level)) {
            level++;
        }
        return level;
    }
}
