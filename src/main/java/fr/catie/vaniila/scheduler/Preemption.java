package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.util.Objects;

/**
 * A running job to stop and requeue. Immutable; thread safe.
 *
 * @param job      the job to preempt (always preemptible)
 * @param cause    why
 * @param forOrg   the organisation the GPUs go to
 * @param forJob   the pending job the GPUs go to
 * @param grace    time the job gets to checkpoint and exit before it is killed
 * @param sentence the explanation shown to its owner
 */
public record Preemption(JobId job, PreemptionCause cause, OrgName forOrg, JobId forJob, Duration grace,
        String sentence) {

    /** Checks required parts. */
    public Preemption {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(forOrg, "forOrg");
        Objects.requireNonNull(forJob, "forJob");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(sentence, "sentence");
    }
}
