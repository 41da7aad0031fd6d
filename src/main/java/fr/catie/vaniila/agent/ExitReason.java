package fr.catie.vaniila.agent;

/** Why a launch ended, as the {@code EXITED} event reports it. */
public enum ExitReason {
    /** The process ended by itself. */
    EXITED,
    /** Stopped by a {@code STOP} command. */
    CANCELLED,
    /** Its wall time was reached: SIGTERM to its process group, grace, SIGKILL. */
    TIMEOUT,
    /** The launch's cgroup killed one of its processes at the memory limit; the launch then ended by itself. */
    OUT_OF_MEMORY
}
