package fr.catie.vaniila.scheduler;

import java.util.List;
import java.util.Objects;

/**
 * A node as the snapshot holds it: total capacity (not what is free: the core derives that from the running
 * jobs). GPU {@code i} of the node is {@code gpus().get(i)}. Immutable; thread safe.
 *
 * @param name     the node name
 * @param cores    CPU cores
 * @param memoryMb memory in MiB
 * @param gpus     the GPUs by index (CUDA order)
 * @param state    whether it accepts jobs
 */
public record Node(NodeName name, int cores, long memoryMb, List<GpuFlavor> gpus, NodeState state) {

    /** Checks the capacity. */
    public Node {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        gpus = List.copyOf(gpus);
        if (cores < 0 || memoryMb < 0) {
            throw new IllegalArgumentException("node " + name + ": cores and memory cannot be negative");
        }
    }

    /**
     * @param name     node name
     * @param cores    cores
     * @param memoryMb memory in MiB
     * @param gpus     number of GPUs
     * @param flavor   their flavor
     * @return an UP node with {@code gpus} GPUs of one flavor
     */
    public static Node of(String name, int cores, long memoryMb, int gpus, GpuFlavor flavor) {
        return new Node(new NodeName(name), cores, memoryMb, java.util.Collections.nCopies(gpus, flavor), NodeState.UP);
    }

    /** @param newState the state @return a copy in that state */
    public Node withState(NodeState newState) {
        return new Node(name, cores, memoryMb, gpus, newState);
    }
}
