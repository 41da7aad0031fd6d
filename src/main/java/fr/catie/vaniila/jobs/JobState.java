package fr.catie.vaniila.jobs;

/** Where a job is in its life. PREEMPTED and NODE_FAIL jobs that may be requeued go back to PENDING. */
public enum JobState {
    PENDING, HELD, STARTING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED;

    /** Whether the job still holds or waits for resources. */
    public boolean active() {
        return this == PENDING || this == HELD || this == STARTING || this == RUNNING;
    }

    /** Whether the job has processes on nodes (or is about to). */
    public boolean onNodes() {
        return this == STARTING || this == RUNNING;
    }

    public boolean terminal() {
        return !active();
    }

    /** Parses a state as users type it ({@code running}, {@code R}, {@code PD}...), Slurm's short forms included. */
    public static JobState parse(String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        return switch (t) {
            case "PD" -> PENDING;
            case "R" -> RUNNING;
            case "CF" -> STARTING;
            case "CD" -> COMPLETED;
            case "F" -> FAILED;
            case "CA" -> CANCELLED;
            case "TO" -> TIMEOUT;
            case "NF" -> NODE_FAIL;
            case "PR" -> PREEMPTED;
            default -> {
                try {
                    yield valueOf(t);
                } catch (IllegalArgumentException e) {
                    throw fr.catie.vaniila.platform.Problem.invalid("state", JobRefusal.STATE_UNKNOWN, text,
                            java.util.Arrays.toString(values()));
                }
            }
        };
    }

    /** Slurm's two-letter code, for squeue-like output. */
    public String code() {
        return switch (this) {
            case PENDING -> "PD";
            case HELD -> "PD";
            case STARTING -> "CF";
            case RUNNING -> "R";
            case COMPLETED -> "CD";
            case FAILED -> "F";
            case CANCELLED -> "CA";
            case TIMEOUT -> "TO";
            case NODE_FAIL -> "NF";
            case PREEMPTED -> "PR";
        };
    }
}
