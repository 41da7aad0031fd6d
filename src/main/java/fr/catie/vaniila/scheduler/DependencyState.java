package fr.catie.vaniila.scheduler;

/**
 * The state of a job's dependencies, resolved by the jobs module (afterok, afterany, afternotok) before the
 * snapshot is taken: the core does not know job histories.
 */
public enum DependencyState {
    /** No dependency, or all satisfied: the job may run. */
    SATISFIED,
    /** A job it depends on has not ended yet. */
    WAITING,
    /** A job it depends on ended in a way that rules this job out; it will never run. */
    NEVER
}
