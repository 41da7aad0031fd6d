package fr.catie.vaniila.scheduler;

/** For a job that must spread: prefer the nodes with the most free GPUs, so it lands on the fewest nodes. */
final class FewestNodesScorer implements NodeScorer {
    @Override
    public long score(NodeDemand demand, Capacity capacity, int node) {
        return capacity.freeGpus(node, demand.flavor());
    }
}
