package fr.catie.vaniila.scheduler;

/** Only UP nodes receive jobs: a draining node finishes what it runs, a down one runs nothing. */
final class NodeStateFilter implements NodeFilter {
    @Override
    public boolean accepts(NodeDemand demand, Capacity capacity, int node) {
        return capacity.index().up(node);
    }

    @Override
    public NodeRejection rejection() {
        return NodeRejection.NODE_STATE;
    }
}
