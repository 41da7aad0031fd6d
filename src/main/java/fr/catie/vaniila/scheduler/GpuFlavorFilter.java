package fr.catie.vaniila.scheduler;

/** The node must own enough GPUs of the demanded flavor at all, busy or not. */
final class GpuFlavorFilter implements NodeFilter {
    @Override
    public boolean accepts(NodeDemand demand, Capacity capacity, int node) {
        return demand.gpus() == 0 || capacity.index().totalGpus(node, demand.flavor()) >= demand.gpus();
    }

    @Override
    public NodeRejection rejection() {
        return NodeRejection.GPU_FLAVOR;
    }
}
