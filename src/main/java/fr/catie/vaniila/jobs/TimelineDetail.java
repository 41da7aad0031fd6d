package fr.catie.vaniila.jobs;

import fr.catie.vaniila.wording.Wording;

/**
 * The details of a job's timeline other than why a run ended ({@link EndReason}), in English; the French is in
 * messages-jobs_fr.properties under {@code jobs.timeline.<NAME>}. A user's name is an argument; so is the reason a
 * stop or a preemption was asked for, a phrase of its own.
 */
public enum TimelineDetail implements Wording {
    SUBMITTED("submitted"),
    SUBMITTED_HELD("submitted held"),
    HELD_BY("held by {0}"),
    RELEASED_BY("released by {0}"),
    REQUEUED_BY("requeued by {0}"),
    SCHEDULED("scheduled"),
    BACKFILLED("backfilled"),
    SCHEDULED_BORROWING("scheduled, borrowing idle GPUs"),
    BACKFILLED_BORROWING("backfilled, borrowing idle GPUs"),
    ALL_STARTED("all processes started"),
    STOP_REQUESTED("stop requested: {0}"),
    PREEMPTION("preemption: {0}"),
    REQUEUED_AFTER_PREEMPTION("requeued after preemption"),
    REQUEUED_AFTER_NODE_FAILURE("requeued after node failure");

    private final String english;
    private final String key;

    TimelineDetail(String english) {
        this.english = english;
        this.key = "jobs.timeline." + name();
    }

    /** How the scheduler started a run: in priority order or backfilled, on guaranteed or borrowed GPUs. */
    public static TimelineDetail started(boolean backfilled, boolean borrowing) {
        if (borrowing) {
            return backfilled ? BACKFILLED_BORROWING : SCHEDULED_BORROWING;
        }
        return backfilled ? BACKFILLED : SCHEDULED;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public String english() {
        return english;
    }
}
