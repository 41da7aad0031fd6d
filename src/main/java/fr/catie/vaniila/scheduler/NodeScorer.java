package fr.catie.vaniila.scheduler;

/** Ranks nodes that passed every filter; higher is better. Stateless. */
interface NodeScorer {

    /**
     * @param demand   what the job needs on the node
     * @param capacity free resources
     * @param node     a node that passed the filters
     * @return the score, higher preferred
     */
    long score(NodeDemand demand, Capacity capacity, int node);
}
