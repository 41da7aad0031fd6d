package fr.catie.vaniila.scheduler;

/**
 * Why a job is still pending, ordered from "will run soon" to "will never run". Each has a sentence template;
 * the concrete sentence of a job (with its numbers) is in {@link PendingStatus#sentence()}.
 */
public enum PendingReason {
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

    PendingReason(String template) {
        this.template = template;
    }

    /** @return the template, with one {@code %s} for the job's details */
    public String template() {
        return template;
    }

    /** @param details the job's details @return the full sentence */
    public String sentence(String details) {
        return String.format(template, details);
    }
}
