package fr.catie.vaniila.jobs;

import fr.catie.vaniila.wording.Wording;

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
    DEPENDENCY_BAD_ID("Invalid dependency '{0}': '{1}' is not a job id. " + JobRefusal.DEPENDENCY_EXAMPLE),
    DEPENDENCY_FOREIGN("The dependency names job {0}, which is not a job of your organisation: depend on your own jobs."),
    SCRIPT_MISSING("A batch job needs a script: give the commands to run, e.g. \"#!/bin/bash\\nhostname\"."),
    SCRIPT_TOO_LONG("The script is over {0} bytes: keep data in files of your workspace and read them from the script."),
    SCRIPT_NUL("The script contains a NUL byte: send it as text."),
    INTERACTIVE_SUBMITTED("Interactive jobs are started with 'srun --pty' over SSH or from the web terminal, not submitted."),
    INTERACTIVE_COMMAND("An interactive job needs the command to run on its terminal, e.g. \"bash\"."),
    INTERACTIVE_NODES("An interactive allocation is on one node: ask for --nodes=1 or leave it out."),
    INTERACTIVE_ARRAY("An interactive allocation cannot be an array: remove --array."),
    INTERACTIVE_DEPENDENCY("An interactive allocation starts when resources are free, without dependency: remove --dependency."),
    INTERACTIVE_HOLD("An interactive allocation cannot be held: remove --hold."),
    TYPE_UNKNOWN("Unknown job type '{0}': use batch, training or interactive."),
    TRAINING_WITHOUT_TYPE("'training' goes with \"type\": \"training\"; remove it or set the type."),
    TRAINING_MISSING("A training job needs \"training\": {\"dataset\": \"digits\", \"model\": \"mlp\"} at least."),
    TRAINING_UNREADABLE("Invalid training parameters: {0}. Known fields: dataset, model, epochs, batchSize, learningRate, "
            + "strategy, stalenessBound, averagingPeriod, warmupEpochs, seed, imageSize."),
    TRAINING_DATASET_MISSING("No file or folder '{0}' in your workspace: upload it first, or use \"digits\"."),
    TRAINING_RANKS("A training job runs one rank per GPU: leave 'ranks' out, or ask for no GPU."),
    COUNT_RANGE("{0} must be between {1} and {2}, not {3}."),
    MEMORY_RANGE("{0} must be between 1 and {1} MiB."),
    GPU_FLAVOR("{0}."),
    GPU_MEMORY_NOT_POSITIVE("minGpuMemoryMb must be positive."),
    GPU_CONSTRAINT_WITHOUT_GPU("A GPU flavor or memory was given but no GPU: set gpusPerNode."),
    ENV_NAME("Invalid environment variable name '{0}': use letters, digits and '_'."),
    ENV_RESERVED("The variable {0} is set by the cluster for each job; remove it."),
    ENV_NUL("The value of {0} contains a NUL byte."),
    NAME_INVALID("Invalid job name: use up to 128 letters, digits, spaces and ._-+=@:, characters."),
    NO_NODE_YET("No node has registered with the portal yet, so no job can run: start an agent, or wait for the nodes "
            + "to connect."),
    NOT_YOURS("No job {0} among yours."),
    NOT_OWNER("Only the owner of job {0} or an administrator can {1} it."),
    STREAM_UNKNOWN("Unknown stream '{0}': use stdout or stderr."),
    OFFSET_NEGATIVE("offset cannot be negative."),
    HOLD_NOT_PENDING("Job {0} is {1}: only a pending job can be held."),
    RELEASE_NOT_HELD("Job {0} is {1}, not held: there is nothing to release."),
    NO_LONGER("Job {0} is no longer {1}."),
    CANCEL_ENDED("Job {0} has already ended ({1}): there is nothing to cancel."),
    REQUEUE_QUEUED("Job {0} is {1}: it is already in the queue."),
    STATE_UNKNOWN("Unknown job state '{0}': use one of {1}."),
    SUBMIT_QUEUE_LIMIT("Queue limit: {0}."),
    SUBMIT_NEVER("Can never run: {0}.");

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
