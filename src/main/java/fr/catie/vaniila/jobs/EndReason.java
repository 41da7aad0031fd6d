package fr.catie.vaniila.jobs;

import fr.catie.vaniila.wording.Wording;

/**
 * Why a run of a job ended (its {@code endReason}, and the line of its timeline that ends it), in English; the
 * French is in messages-jobs_fr.properties under {@code jobs.end.<NAME>}. The launch failures are first a process's
 * message, which becomes the job's reason when that process ends it. What comes from elsewhere (a user's name, a
 * node agent's own words) is an argument, said as it came.
 */
public enum EndReason implements Wording {
    CANCELLED_BY("cancelled by {0}"),
    EXIT_CODE("exit code {0}"),
    EXIT_CODE_OUT_OF_MEMORY("exit code {0}; a process of the job was killed for going over its {1} MiB of memory on "
            + "its node: ask for more memory per node (--mem, or \"Memory per node\" on the form)"),
    WALL_TIME_REACHED("wall time of {0} reached"),
    REQUEUED("requeued"),
    NODE_FAILED("a node of the job failed"),
    NODE_STOPPED_ANSWERING("node {0} stopped answering"),
    AGENT_RESTARTED("the agent of {0} restarted without this process"),
    /** {1} is the node agent's own message. */
    LAUNCH_FAILED("launch failed on {0}: {1}");

    private final String english;
    private final String key;

    EndReason(String english) {
        this.english = english;
        this.key = "jobs.end." + name();
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
