package fr.catie.vaniila.training;

/**
 * Linear scaling rule with gradual warm-up (Goyal et al., "Accurate, Large Minibatch SGD:
 * Training ImageNet in 1 Hour", 2017): when the global batch is {@code k} times the batch the base
 * rate was tuned for, the rate becomes {@code k * baseRate}, reached linearly from
 * {@code baseRate} over the first {@code warmupSteps} steps so that the early, large updates do
 * not diverge.
 *
 * <p>Invariants: {@code baseRate > 0}, {@code scale >= 1}, {@code warmupSteps >= 0}. Immutable.
 *
 * @param baseRate    learning rate for one rank's batch
 * @param scale       global batch divided by one rank's batch (the number of ranks whose gradients are averaged)
 * @param warmupSteps steps over which the rate ramps from {@code baseRate} to {@code scale * baseRate}
 */
public record LearningRateSchedule(float baseRate, float scale, int warmupSteps) {

    /** Checks the invariants. */
    public LearningRateSchedule {
        if (!(baseRate > 0) || !(scale >= 1) || warmupSteps < 0) {
            throw new IllegalArgumentException("learning-rate schedule needs baseRate > 0, scale >= 1, warmupSteps >= 0; got "
                    + baseRate + ", " + scale + ", " + warmupSteps);
        }
    }

    /**
     * @param step global step, counted from 0 over the whole run (resumes included)
     * @return the learning rate to apply at that step
     */
    public float rateAt(long step) {
        float target = baseRate * scale;
        if (step >= warmupSteps) {
            return target;
        }
        return baseRate + (target - baseRate) * step / warmupSteps;
    }
}
