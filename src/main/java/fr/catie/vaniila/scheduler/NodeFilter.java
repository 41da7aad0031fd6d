package fr.catie.vaniila.scheduler;

/**
 * One feasibility rule on a node (after Nomad's checkers): accepts the node for a demand or rejects it with
 * its named reason. Implementations are stateless or read-only during a check; not shared across cycles.
 */
interface NodeFilter {

    /**
     * @param demand   what the job needs on the node
     * @param capacity the cycle's view of free resources
     * @param node     index of the node
     * @return true when the node passes this rule
     */
    boolean accepts(NodeDemand demand, Capacity capacity, int node);

    /** @return the reason recorded when {@link #accepts} is false */
    NodeRejection rejection();
}
