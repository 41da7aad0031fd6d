package fr.catie.vaniila.scheduler;

import fr.catie.vaniila.wording.Phrase;

/**
 * The submit-time answer: can this request ever run in this cluster and queue? Immutable; thread safe.
 */
public sealed interface Feasibility {

    /** The request can run once resources and quota allow. */
    record Feasible() implements Feasibility {
    }

    /**
     * The request can never run as written.
     *
     * @param reason  {@link PendingReason#QUEUE_LIMIT} or {@link PendingReason#NEVER_SATISFIABLE}
     * @param said    what is wrong and what to change, e.g. "needs 9 x v100-16g on one node; the largest node has 4"
     */
    record Infeasible(PendingReason reason, Phrase said) implements Feasibility {
        /** @return what is wrong and what to change, in English */
        public String details() {
            return said.english();
        }

        /** @return the full sentence */
        public String sentence() {
            return reason.sentence(details());
        }
    }

    /** @return true for {@link Feasible} */
    default boolean ok() {
        return this instanceof Feasible;
    }
}
