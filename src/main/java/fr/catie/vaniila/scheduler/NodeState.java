package fr.catie.vaniila.scheduler;

/** State of a node; only {@link #UP} nodes receive new jobs. */
public enum NodeState {
    /** Accepts jobs. */
    UP,
    /** Finishes its running jobs and accepts no new one. */
    DRAINING,
    /** Drained by an admin; holds no job. */
    DRAINED,
    /** Not responding. */
    DOWN
}
