package fr.catie.vaniila.scheduler;

import java.util.List;

/**
 * Everything a job holds: one part per node; a multi-node job holds all its parts or none. Immutable; thread safe.
 *
 * @param parts the per-node parts, one per node
 */
public record Allocation(List<NodeAllocation> parts) {

    /** Copies the parts. */
    public Allocation {
        parts = List.copyOf(parts);
    }

    /** @return the number of GPUs over all nodes */
    public int gpuCount() {
        int n = 0;
        for (NodeAllocation p : parts) {
            n += p.gpuIndices().size();
        }
        return n;
    }

    /** @return total cores over all nodes */
    public int cores() {
        int n = 0;
        for (NodeAllocation p : parts) {
            n += p.cores();
        }
        return n;
    }
}
