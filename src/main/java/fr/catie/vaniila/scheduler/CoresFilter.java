package fr.catie.vaniila.scheduler;

/** Enough cores must be free on the node. */
final class CoresFilter implements NodeFilter {
    @Override
    public boolean accepts(NodeDemand demand, Capacity capacity, int node) {
        return capacity.freeCores(node) >= demand.cores();
    }

    @Override
    public NodeRejection rejection() {
        return NodeRejection.CORES;
    }
}
