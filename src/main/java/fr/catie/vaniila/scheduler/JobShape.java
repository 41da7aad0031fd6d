package fr.catie.vaniila.scheduler;

/**
 * How a job's GPUs are laid out over nodes. Immutable values; thread safe.
 */
public sealed interface JobShape {

    /** @return the total number of GPUs of the job */
    int totalGpus();

    /**
     * A fixed number of nodes with the same number of GPUs on each (Slurm {@code -N n --gpus-per-node g}).
     * All nodes are granted together or none (gang).
     *
     * @param nodes       number of nodes, at least 1
     * @param gpusPerNode GPUs on each node, 0 for a CPU-only job
     */
    record Nodes(int nodes, int gpusPerNode) implements JobShape {
        /** Checks the counts. */
        public Nodes {
            if (nodes < 1) {
                throw new IllegalArgumentException("a job needs at least 1 node, got " + nodes);
            }
            if (gpusPerNode < 0) {
                throw new IllegalArgumentException("GPUs per node cannot be negative, got " + gpusPerNode);
            }
        }

        @Override
        public int totalGpus() {
            return nodes * gpusPerNode;
        }
    }

    /**
     * A number of GPUs the scheduler may spread (Slurm {@code --gpus=n}): on one node when possible,
     * else on the fewest nodes; granted all together or not at all.
     *
     * @param gpus the total, at least 1
     */
    record Gpus(int gpus) implements JobShape {
        /** Checks the count. */
        public Gpus {
            if (gpus < 1) {
                throw new IllegalArgumentException("a job spread over GPUs needs at least 1 GPU, got " + gpus);
            }
        }

        @Override
        public int totalGpus() {
            return gpus;
        }
    }
}
