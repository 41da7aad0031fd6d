package fr.catie.vaniila.scheduler;

/** Enough GPUs of the flavor must be free on the node now. */
final class FreeGpuFilter implements NodeFilter {
    @Override
    public boolean accepts(NodeDemand demand, Capacity capacity, int node) {
        return demand.gpus() == 0 || capacity.freeGpus(node, demand.flavor()) >= demand.gpus();
    }

    @Override
    public NodeRejection rejection() {
        return NodeRejection.FREE_GPUS;
    }
}
