package fr.catie.vaniila.scheduler;

import java.time.Instant;
import java.util.Objects;

/**
 * A job holding resources: started, or being preempted and not yet gone. Immutable; thread safe.
 *
 * @param request    what it asked for
 * @param allocation what it holds
 * @param startedAt  when it started (its current run)
 * @param endsBy     when it will have released its resources at the latest: its wall-time end, or the end of
 *                   the grace period when it is being preempted
 * @param preempting true when a preemption was issued and the job is within its grace period
 */
public record RunningJob(JobRequest request, Allocation allocation, Instant startedAt, Instant endsBy,
        boolean preempting) {

    /** Checks required parts. */
    public RunningJob {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(allocation, "allocation");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endsBy, "endsBy");
    }

    /** @return its id */
    public JobId id() {
        return request.id();
    }
}
