package fr.catie.vaniila.scheduler;

/**
 * Best fit: prefer the node the job leaves with the fewest free GPUs (then cores), so that whole idle nodes
 * stay free for large jobs.
 */
final class BestFitScorer implements NodeScorer {
    @Override
    public long score(NodeDemand demand, Capacity capacity, int node) {
        long gpusLeft = demand.flavor() < 0 ? capacity.freeGpusAll(node)
                : capacity.freeGpus(node, demand.flavor()) - demand.gpus();
        long coresLeft = capacity.freeCores(node) - demand.cores();
        return -(gpusLeft * 100_000L + coresLeft);
    }
}
