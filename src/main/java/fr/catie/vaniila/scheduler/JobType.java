package fr.catie.vaniila.scheduler;

/** What a job is, as the user submitted it; the core treats all types alike except through their queue. */
public enum JobType {
    /** A batch script. */
    BATCH,
    /** A (possibly multi-rank) training run. */
    TRAINING,
    /** An interactive shell or notebook. */
    INTERACTIVE
}
