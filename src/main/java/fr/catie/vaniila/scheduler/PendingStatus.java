package fr.catie.vaniila.scheduler;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The honest answer to "why is my job pending and when will it start?". Immutable; thread safe.
 *
 * @param job            the job
 * @param reason         the reason
 * @param details        the job-specific part of the sentence, e.g. "needs 4 x v100-16g on one node; the most
 *                       free on any node is 2"
 * @param queuePosition  1-based position in its queue, in priority order
 * @param priority       its priority this cycle (higher first)
 * @param estimatedStart when it is expected to start, if known (from a reservation)
 */
public record PendingStatus(JobId job, PendingReason reason, String details, int queuePosition, long priority,
        Optional<Instant> estimatedStart) {

    /** Checks required parts. */
    public PendingStatus {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(details, "details");
        Objects.requireNonNull(estimatedStart, "estimatedStart");
    }

    /** @return the full sentence, e.g. "waiting for resources: needs 4 x v100-16g on one node; ..." */
    public String sentence() {
        return reason.sentence(details);
    }
}
