package fr.catie.vaniila.scheduler;

import java.time.Instant;
import java.util.Objects;

/**
 * A job the cycle starts. Immutable; thread safe.
 *
 * @param job        the job
 * @param allocation what it gets
 * @param flavor     the GPU flavor of its GPUs, or null for a CPU-only job
 * @param endsBy     its wall-time end
 * @param borrowing  true when some of its GPUs are beyond its organisation's guarantee (it may be reclaimed)
 * @param backfilled true when it started ahead of a higher-priority blocked job without delaying it
 */
public record Start(JobId job, Allocation allocation, GpuFlavor flavor, Instant endsBy, boolean borrowing,
        boolean backfilled) {

    /** Checks required parts. */
    public Start {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(allocation, "allocation");
        Objects.requireNonNull(endsBy, "endsBy");
    }
}
