package fr.catie.vaniila.scheduler;

import fr.catie.vaniila.wording.Wording;

/**
 * The job-specific sentences of pending reasons and submit-time refusals, in English; the French is in
 * messages-jobs_fr.properties under {@code reason.detail.<NAME>}. Arguments are numbers, names, times and sizes,
 * or nested details ({@link #WITH_CORES_AND_MEMORY}, which begins with a space as it follows a GPU count).
 */
public enum ReasonDetail implements Wording {
    HELD_BY_OWNER("held by its owner or an admin; release it to let it run"),
    HELD_UNTIL_RELEASED("release the job to let it start"),
    DEPENDS_WAITING("waits for the jobs it depends on to end"),
    DEPENDS_NEVER("a job it depends on ended in a way that rules it out, so it will never run; cancel it or resubmit it "
            + "without that dependency"),
    ORG_NO_QUOTA("organisation {0} has no quota on this cluster; a platform admin must grant one"),
    BUDGET("{0} has used {1} of its {2} GPU-hours this period and this job may use up to {3} more ({4} GPUs x {5}); "
            + "lower its wall time or GPUs, or ask an admin for more budget"),
    CORE_QUOTA("{0}'s jobs hold {1} of its {2} cores and this job needs {3} more"),
    GPU_QUOTA("{0} holds {1} x {2} of at most {3} (guarantee {4} + borrowing {5}) and this job needs {6} more"),
    FIFO_BLOCKED("queue {0} runs first-in first-out and job {1}, ahead of it, waits for resources"),
    WOULD_DELAY("it fits now but would delay job {0}, which has resources reserved from {1}"),
    RESERVED_FROM("{0}; resources are reserved for it from {1}"),
    WAITS_FOR_PREEMPTED("waits for preempted jobs to release {0} x {1} by {2}"),
    PREEMPTING("preempting {0} job(s) to free {1} x {2} by {3}"),
    ARRAY_LIMIT("array {0} runs at most {1} tasks at once"),
    QUEUE_UNKNOWN("queue '{0}' does not exist; use one of: {1}"),
    QUEUE_NOT_ALLOWED("organisation {0} may not use queue {1}; use one of: {2}"),
    QUEUE_MAX_GPUS("asks for {0} GPUs but queue {1} allows at most {2} per job; ask for fewer GPUs or use another queue"),
    QUEUE_MAX_WALLTIME("asks for a wall time of {0} but queue {1} allows at most {2}; lower the wall time (--time) or "
            + "use another queue"),
    NONE_OF_THEM("(none)"),
    NO_FLAVOR_THERE("none"),
    GIGABYTES("{0} GB"),
    /** GPUs of any flavor with at least {1} GB of memory each. */
    GPUS_WITH_MEMORY("{0} x GPU with >= {1} GB"),
    GPU_WITH_MEMORY("GPU with >= {0} GB"),
    WITH_CORES_AND_MEMORY(" with {0} cores and {1}"),
    WITH_CORES_AND_MEMORY_PER_GPU(" with, per GPU, {0} cores and {1}"),
    NO_UP_NODE("no UP node of queue {0} can host it right now (nodes down or draining)"),
    NO_UP_NODE_FOR_GPUS("no UP node of queue {0} can host {1} on one node right now (nodes down or draining)"),
    BUSY_NODES("needs {0} node(s){1} each; {2} node(s) of queue {3} have nodes with at most {4} free cores and {5}"),
    BUSY_GPUS("needs {0} on one node; the most free on any node is {1}"),
    BUSY_CORES_OR_MEMORY("needs {0}{1} on one node; the nodes with {2} free GPUs have at most {3} free cores and {4}"),
    BUSY_NODES_WITH_GPUS("needs {0} nodes with {1}{2} free each; {3} node(s) have that now"),
    BUSY_GPUS_ANYWHERE("needs {0}{1}; {2} are free (at most {3} on one node)"),
    NEVER_NODES("needs {0} node(s){1} each; the largest node in queue {2} has {3} cores and {4} and {5} node(s) exist; "
            + "ask for less"),
    NEVER_GPUS_PER_NODE("needs {0} on one node; the largest node in queue {1} has {2}; ask for fewer GPUs per node"),
    NEVER_NODES_WITH_GPUS("needs {0} nodes with {1} each; only {2} node(s) in queue {3} have that many; ask for fewer "
            + "nodes"),
    NEVER_CORES_OR_MEMORY("needs {0}{1} on one node; the nodes in queue {2} with that many GPUs have at most {3} cores "
            + "and {4}; ask for fewer cores or less memory"),
    NEVER_GPUS("needs {0}; queue {1} has only {2} of them; ask for fewer GPUs"),
    NEVER_GPUS_SPACE("needs {0}{1}; the nodes in queue {2} cannot hold that many cores or that much memory; ask for "
            + "less"),
    NEVER_QUOTA("needs {0} GPUs but organisation {1} may hold at most {2} x {3} (guarantee {4} + borrowing {5}); ask "
            + "for fewer GPUs or ask a platform admin for more quota"),
    NO_FLAVOR("no node of queue {0} has a {1}; flavors there: {2}");

    private final String english;
    /** Built once: the core asks for it for every pending job of every cycle. */
    private final String key;

    ReasonDetail(String english) {
        this.english = english;
        this.key = "reason.detail." + name();
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
