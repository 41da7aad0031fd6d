package fr.catie.vaniila.scheduler;

import fr.catie.vaniila.wording.Wording;

/**
 * Why a running job is preempted, as its owner reads it (in its end reason and timeline), in English; the French is
 * in messages-jobs_fr.properties under {@code preemption.<NAME>}.
 */
public enum PreemptionReason implements Wording {
    /** Around one of the causes below. */
    REQUEUED("preempted and requeued: {0}"),
    RECLAIM("organisation {0} is under its guarantee of {1} x {2} and needs back the GPUs {3} borrowed"),
    LAS("job {0} has received less GPU time (least attained service first)");

    private final String english;
    private final String key;

    PreemptionReason(String english) {
        this.english = english;
        this.key = "preemption." + name();
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
