package fr.catie.vaniila.scheduler;

/** The named reason a filter gives for turning a node down for a job, in filter order. */
public enum NodeRejection {
    /** The node is not UP. */
    NODE_STATE,
    /** The job's queue may not use the node. */
    QUEUE_NODES,
    /** The node has too few GPUs of an accepted flavor, even when idle. */
    GPU_FLAVOR,
    /** Too few of its GPUs of the flavor are free now. */
    FREE_GPUS,
    /** Too few free cores. */
    CORES,
    /** Too little free memory. */
    MEMORY,
    /** Using it would delay a higher-priority job's reservation. */
    RESERVATION
}
