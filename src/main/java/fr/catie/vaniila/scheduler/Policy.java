package fr.catie.vaniila.scheduler;

import java.util.Locale;

/** The scheduling policy of the core; the portal uses {@link #FAIRSHARE_BACKFILL}, the others are for comparison. */
public enum Policy {
    /** Submit order; stops at the first job of a queue that does not fit (head-of-line blocking, Slurm's builtin). */
    FIFO,
    /** Submit order with EASY backfill. */
    FIFO_BACKFILL,
    /** Multifactor priority (fair share, age, tier, size), quotas with reclaim, EASY backfill. */
    FAIRSHARE_BACKFILL,
    /** Tiresias-style discretised least attained service with preemption, skipping jobs that do not fit. */
    LAS;

    /** @return the command-line name, e.g. {@code fairshare-backfill} */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @param text a command-line name
     * @return the policy
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Policy parse(String text) {
        for (Policy p : values()) {
            if (p.cliName().equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown policy '" + text + "'; use one of fifo, fifo-backfill, "
                + "fairshare-backfill, las");
    }

    /** @return true when the policy reserves resources for blocked jobs and backfills around them */
    public boolean backfills() {
        return this == FIFO_BACKFILL || this == FAIRSHARE_BACKFILL;
    }
}
