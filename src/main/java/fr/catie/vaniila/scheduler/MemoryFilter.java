package fr.catie.vaniila.scheduler;

/** Enough memory must be free on the node. */
final class MemoryFilter implements NodeFilter {
    @Override
    public boolean accepts(NodeDemand demand, Capacity capacity, int node) {
        return capacity.freeMemoryMb(node) >= demand.memoryMb();
    }

    @Override
    public NodeRejection rejection() {
        return NodeRejection.MEMORY;
    }
}
