package fr.catie.vaniila.scheduler;

/** A queue may be limited to some nodes and some GPU flavors. */
final class QueueNodesFilter implements NodeFilter {
    @Override
    public boolean accepts(NodeDemand demand, Capacity capacity, int node) {
        return capacity.index().queueAllows(demand.queue(), node, demand.flavor());
    }

    @Override
    public NodeRejection rejection() {
        return NodeRejection.QUEUE_NODES;
    }
}
