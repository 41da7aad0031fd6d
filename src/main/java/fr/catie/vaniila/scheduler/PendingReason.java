package fr.catie.vaniila.scheduler;

import fr.catie.vaniila.wording.Phrase;
import fr.catie.vaniila.wording.Wording;

/**
 * Why a job is still pending, ordered from "will run soon" to "will never run". Each has a sentence template;
 * the concrete sentence of a job (with its numbers) is in {@link PendingStatus#sentence()}.
 */
public enum PendingReason implements Wording {
    /** Resources would be there, but higher-priority jobs come first or hold a reservation. */
    PRIORITY("waiting for higher-priority jobs: %s"),
    /** Not enough free resources of the kind it needs right now. */
    RESOURCES("waiting for resources: %s"),
    /** Its organisation's quota (GPUs of a flavor or cores) is used up. */
    QUOTA("waiting for quota: %s"),
    /** Its organisation's GPU-hour budget would be exceeded. */
    BUDGET("over budget: %s"),
    /** Waiting for, or ruled out by, the jobs it depends on. */
    DEPENDENCY("dependency: %s"),
    /** Held by the user or an admin. */
    HELD("held: %s"),
    /** The request breaks a limit of its queue (wall time, GPUs per job, organisation not allowed). */
    QUEUE_LIMIT("queue limit: %s"),
    /** No node set of the cluster can ever satisfy it; rejected at submit. */
    NEVER_SATISFIABLE("can never run: %s");

    private final String template;
    /** Built once: the core asks for them for every pending job of every cycle. */
    private final String key;
    private final String english;

    PendingReason(String template) {
        this.template = template;
        this.key = "reason." + name();
        this.english = template.replace("%s", "{0}");
    }

    /** @return the template, with one {@code %s} for the job's details */
    public String template() {
        return template;
    }

    /** @param details the job's details @return the full sentence */
    public String sentence(String details) {
        return String.format(template, details);
    }

    /** The full sentence around the job's details, for the pages that say it in the user's language. */
    public Phrase phrase(Phrase details) {
        return Phrase.of(this, details);
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
