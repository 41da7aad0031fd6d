package fr.catie.vaniila.scheduler;

/**
 * EASY backfill's rule: a job still running at a reservation's start may use a reserved node only from what
 * the reservation leaves spare there; a job ending before the reservation starts is free to use it.
 */
final class ReservationFilter implements NodeFilter {

    private final ReservationBook book;

    ReservationFilter(ReservationBook book) {
        this.book = book;
    }

    @Override
    public boolean accepts(NodeDemand demand, Capacity capacity, int node) {
        return book.allows(demand, node);
    }

    @Override
    public NodeRejection rejection() {
        return NodeRejection.RESERVATION;
    }
}
