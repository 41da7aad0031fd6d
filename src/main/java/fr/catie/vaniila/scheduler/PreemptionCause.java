package fr.catie.vaniila.scheduler;

/** Why a running job is preempted. */
public enum PreemptionCause {
    /** Its organisation borrowed GPUs that another organisation, under its guarantee, now needs. */
    RECLAIM,
    /** LAS policy: a job that received less service needs the GPUs. */
    LAS
}
