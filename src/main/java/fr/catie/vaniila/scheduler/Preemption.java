package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.util.Objects;

import fr.catie.vaniila.wording.Phrase;

/**
 * A running job to stop and requeue. Immutable; thread safe.
 *
 * @param job      the job to preempt (always preemptible)
 * @param cause    why
 * @param forOrg   the organisation the GPUs go to
 * @param forJob   the pending job the GPUs go to
 * @param grace    time the job gets to checkpoint and exit before it is killed
 * @param said     the explanation shown to its owner, as a phrase that the web pages say in the user's language
 */
public record Preemption(JobId job, PreemptionCause cause, OrgName forOrg, JobId forJob, Duration grace,
        Phrase said) {

    /** Checks required parts. */
    public Preemption {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(forOrg, "forOrg");
        Objects.requireNonNull(forJob, "forJob");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(said, "said");
    }

    /** @return the explanation in English, e.g. "preempted and requeued: organisation acme is under ..." */
    public String sentence() {
        return said.english();
    }
}
