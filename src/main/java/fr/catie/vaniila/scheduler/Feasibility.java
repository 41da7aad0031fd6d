package fr.catie.vaniila.scheduler;

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
     * @param details what is wrong and what to change, e.g. "needs 9 x v100-16g on one node; the largest node has 4"
     */
    record Infeasible(PendingReason reason, String details) implements Feasibility {
        /** @return the full sentence */
        public String sentence() {
            return reason.sentence(details);
        }
    }

    /** @return true for {@link Feasible} */
    default boolean ok() {
        return this instanceof Feasible;
    }
}
