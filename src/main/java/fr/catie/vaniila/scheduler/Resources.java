package fr.catie.vaniila.scheduler;

/**
 * Cores and memory a job needs on each node it uses: a fixed part per node plus a part per GPU on that
 * node. Immutable; thread safe.
 *
 * @param coresPerNode    cores on each node, whatever its GPU count
 * @param memoryMbPerNode memory (MiB) on each node
 * @param coresPerGpu     cores per GPU placed on the node
 * @param memoryMbPerGpu  memory (MiB) per GPU placed on the node
 */
public record Resources(int coresPerNode, long memoryMbPerNode, int coresPerGpu, long memoryMbPerGpu) {

    /** Nothing beyond the GPUs: how trace jobs, which record no CPU or memory, are modelled. */
    public static final Resources NONE = new Resources(0, 0, 0, 0);

    /** Checks nothing is negative. */
    public Resources {
        if (coresPerNode < 0 || memoryMbPerNode < 0 || coresPerGpu < 0 || memoryMbPerGpu < 0) {
            throw new IllegalArgumentException("cores and memory cannot be negative");
        }
    }

    /** @return cores needed on a node holding {@code gpus} of the job's GPUs */
    public int coresOn(int gpus) {
        return coresPerNode + coresPerGpu * gpus;
    }

    /** @return memory (MiB) needed on a node holding {@code gpus} of the job's GPUs */
    public long memoryMbOn(int gpus) {
        return memoryMbPerNode + memoryMbPerGpu * gpus;
    }
}
