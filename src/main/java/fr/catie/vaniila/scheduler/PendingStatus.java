package fr.catie.vaniila.scheduler;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import fr.catie.vaniila.wording.Phrase;

/**
 * The honest answer to "why is my job pending and when will it start?". Immutable; thread safe.
 *
 * @param job            the job
 * @param reason         the reason
 * @param said           the job-specific part of the sentence, e.g. "needs 4 x v100-16g on one node; the most
 *                       free on any node is 2", as a phrase that the web pages say in the user's language
 * @param queuePosition  1-based position in its queue, in priority order
 * @param priority       its priority this cycle (higher first)
 * @param estimatedStart when it is expected to start, if known (from a reservation)
 */
public record PendingStatus(JobId job, PendingReason reason, Phrase said, int queuePosition, long priority,
        Optional<Instant> estimatedStart) {

    /** Checks required parts. */
    public PendingStatus {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(said, "said");
        Objects.requireNonNull(estimatedStart, "estimatedStart");
    }

    /** @return the job-specific part of the sentence, in English */
    public String details() {
        return said.english();
    }

    /** @return the full sentence, e.g. "waiting for resources: needs 4 x v100-16g on one node; ..." */
    public String sentence() {
        return reason.sentence(details());
    }
}
