package fr.catie.vaniila.jobs;

import fr.catie.vaniila.platform.Wording;

/**
 * What the jobs module says when it refuses a request, in English; the French is in messages-jobs_fr.properties
 * under {@code refusal.jobs.<NAME>}.
 */
public enum JobRefusal implements Wording {
    WALLTIME_INVALID("Invalid wall time '{0}': write e.g. 30 (minutes), 01:30:00, 2-00:00:00, 90m or 2h."),
    WALLTIME_ZERO("The wall time '{0}' is zero: give a positive duration."),
    ARRAY_EMPTY("Invalid array '{0}': it is empty. " + JobRefusal.ARRAY_EXAMPLE),
    ARRAY_BAD_LIMIT("Invalid array '{0}': the part after '%' must be a positive number of tasks. "
            + JobRefusal.ARRAY_EXAMPLE),
    ARRAY_BACKWARDS("Invalid array '{0}': the range {1} runs backwards. " + JobRefusal.ARRAY_EXAMPLE),
    ARRAY_ZERO_STEP("Invalid array '{0}': the step of {1} is 0. " + JobRefusal.ARRAY_EXAMPLE),
    ARRAY_TOO_MANY("Invalid array '{0}': it has more than {1} tasks. " + JobRefusal.ARRAY_EXAMPLE),
    ARRAY_BAD_PART("Invalid array '{0}': '{1}' is neither an index nor a range. " + JobRefusal.ARRAY_EXAMPLE),
    DEPENDENCY_KIND("Invalid dependency '{0}': '{1}' is not a supported kind (afterok, afterany, afternotok). "
            + JobRefusal.DEPENDENCY_EXAMPLE),
    DEPENDENCY_NO_JOB("Invalid dependency '{0}': '{1}' names no job. " + JobRefusal.DEPENDENCY_EXAMPLE),
    DEPENDENCY_BAD_ID("Invalid dependency '{0}': '{1}' is not a job id. " + JobRefusal.DEPENDENCY_EXAMPLE);

    // Compile-time constants: the constants above may use them although they are declared after them.
    private static final String ARRAY_EXAMPLE = "Write e.g. 0-9, 1,3,5, 1-9:2 or 0-99%10 (at most 10 at once).";
    private static final String DEPENDENCY_EXAMPLE = "Write e.g. afterok:12 or afterok:12:13,afterany:14.";

    private final String english;

    JobRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.jobs." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
