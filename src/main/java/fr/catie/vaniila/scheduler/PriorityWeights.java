package fr.catie.vaniila.scheduler;

/**
 * Weights of the multifactor priority: each factor is in [0, 1] and the priority is the weighted sum, rounded.
 * Immutable; thread safe.
 *
 * @param fairShare weight of the fair-share factor {@code 2^(-usageShare / weightShare)}
 * @param age       weight of the age factor (waiting time over {@code maxAge}, capped at 1)
 * @param tier      weight of the queue tier factor (tier over the highest tier)
 * @param size      weight of the size factor (GPUs over the cluster's GPUs): favours large jobs against starvation
 */
public record PriorityWeights(long fairShare, long age, long tier, long size) {

    /**
     * Defaults in the spirit of Slurm's multifactor plugin: tier dominates, then fair share and age. Size weighs 0,
     * as Slurm's {@code PriorityWeightJobSize} does by default: backfill reservations and the starvation age already
     * keep large jobs from waiting forever, and favouring them put large jobs ahead of smaller ones submitted before
     * them even when fair share had nothing to arbitrate (one organisation: the Tiresias trace on 1 x 4 GPUs waited
     * 667 s on average against 657 s in submit order).
     */
    public static final PriorityWeights DEFAULT = new PriorityWeights(10_000, 10_000, 100_000, 0);

    /** Checks weights are not negative. */
    public PriorityWeights {
        if (fairShare < 0 || age < 0 || tier < 0 || size < 0) {
            throw new IllegalArgumentException("priority weights cannot be negative");
        }
    }
}
