package fr.catie.vaniila.scheduler;

import java.util.List;
import java.util.Objects;

/**
 * The part of a job's allocation on one node. Immutable; thread safe.
 *
 * @param node       the node
 * @param gpuIndices indices of the node's GPUs given to the job (its {@code CUDA_VISIBLE_DEVICES}), ascending
 * @param cores      cores given
 * @param memoryMb   memory given, MiB
 */
public record NodeAllocation(NodeName node, List<Integer> gpuIndices, int cores, long memoryMb) {

    /** Copies the indices. */
    public NodeAllocation {
        Objects.requireNonNull(node, "node");
        gpuIndices = List.copyOf(gpuIndices);
    }
}
