package fr.catie.vaniila.quotas;

import fr.catie.vaniila.wording.Wording;

/**
 * What the quotas module says when it refuses a request, in English; the French is in
 * messages-admin_fr.properties under {@code refusal.quotas.<NAME>}.
 */
public enum QuotaRefusal implements Wording {
    ADMIN_ONLY("Only a platform administrator can change quotas."),
    CPU_CORES_NEGATIVE("cpuCores cannot be negative; leave it out for no CPU limit."),
    GPU_HOURS_NEGATIVE("gpuHoursPerMonth cannot be negative; leave it out for no budget."),
    FAIR_SHARE_NOT_POSITIVE("fairShareWeight must be positive (1 is the usual weight)."),
    /** {0} is the flavor parser's own sentence, in English. */
    FLAVOR_INVALID("{0} Use '*' for every other flavor."),
    LIMIT_NEGATIVE("guaranteedGpus and borrowLimit of '{0}' must be 0 or more.");

    private final String english;

    QuotaRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.quotas." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
