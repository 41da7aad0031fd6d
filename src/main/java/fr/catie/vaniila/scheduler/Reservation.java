package fr.catie.vaniila.scheduler;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Resources promised to a blocked job at a future time; no backfilled job may delay it. Immutable; thread safe.
 *
 * @param job    the job
 * @param start  when it can start at the latest, from the running jobs' wall-time ends
 * @param flavor the GPU flavor reserved, or null for a CPU-only job
 * @param nodes  the per-node amounts reserved (GPU indices are chosen when it starts, so they are empty here)
 */
public record Reservation(JobId job, Instant start, GpuFlavor flavor, List<ReservedNode> nodes) {

    /** Copies the nodes. */
    public Reservation {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(start, "start");
        nodes = List.copyOf(nodes);
    }

    /**
     * Amounts reserved on one node.
     *
     * @param node     the node
     * @param gpus     GPUs of the reservation's flavor
     * @param cores    cores
     * @param memoryMb memory, MiB
     */
    public record ReservedNode(NodeName node, int gpus, int cores, long memoryMb) {
    }
}
