package fr.catie.vaniila.scheduler;

/**
 * An organisation's quota on one GPU flavor. Immutable; thread safe.
 *
 * @param guaranteedGpus GPUs the organisation gets back by preemption when it needs them
 * @param borrowLimit    idle GPUs it may use beyond the guarantee (which can be reclaimed)
 */
public record FlavorQuota(int guaranteedGpus, int borrowLimit) {

    /** Checks nothing is negative. */
    public FlavorQuota {
        if (guaranteedGpus < 0 || borrowLimit < 0) {
            throw new IllegalArgumentException("guaranteed GPUs and borrowing limit cannot be negative");
        }
    }

    /** @return the most GPUs of the flavor the organisation may hold at once */
    public int ceiling() {
        return (int) Math.min(Integer.MAX_VALUE, (long) guaranteedGpus + borrowLimit);
    }
}
