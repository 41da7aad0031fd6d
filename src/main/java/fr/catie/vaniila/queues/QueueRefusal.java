package fr.catie.vaniila.queues;

import fr.catie.vaniila.wording.Wording;

/**
 * What the queues module says when it refuses a request, in English; the French is in
 * messages-admin_fr.properties under {@code refusal.queues.<NAME>}.
 */
public enum QueueRefusal implements Wording {
    NO_DEFAULT("No queue was named and there is no default queue: name one of {0}."),
    UNKNOWN("Unknown queue '{0}': use one of {1}."),
    NOT_FOUND("No queue named '{0}'."),
    ALREADY_EXISTS("A queue named '{0}' already exists: change it with PUT instead."),
    DEFAULT_STAYS_DEFAULT("'{0}' is the default queue: make another queue the default instead."),
    DEFAULT_NOT_DELETED("'{0}' is the default queue: make another queue the default first."),
    HAS_HISTORY("The queue '{0}' has {1} jobs in its history and cannot be deleted; restrict it to no organisation instead."),
    IN_USE("The queue '{0}' is still in use."),
    NAME_INVALID("Invalid queue name '{0}': use up to 32 lowercase letters, digits or '-', starting with a letter."),
    DEFAULT_WALLTIME_NOT_POSITIVE("defaultWalltime must be a positive duration, e.g. \"1h\"."),
    MAX_WALLTIME_BELOW_DEFAULT("maxWalltime must be at least defaultWalltime."),
    MAX_GPUS_NEGATIVE("maxGpusPerJob cannot be negative; 0 makes a CPU-only queue."),
    PRIORITY_TIER_NEGATIVE("priorityTier cannot be negative."),
    ADMIN_ONLY("Only a platform administrator can change queues.");

    private final String english;

    QueueRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.queues." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
