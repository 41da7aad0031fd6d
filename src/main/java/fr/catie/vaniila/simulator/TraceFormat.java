package fr.catie.vaniila.simulator;

import java.util.List;

/** The trace formats the simulator reads, with the columns each requires. */
public enum TraceFormat {
    /** The Philly digest: {@code timestamp,duration,num_gpus,gpu_time,cluster}; the cluster is the organisation. */
    PHILLY(List.of("timestamp", "duration", "num_gpus", "gpu_time", "cluster")),
    /** The Tiresias example: {@code job_id,num_gpu,submit_time,iterations,model_name,duration,interval}. */
    TIRESIAS(List.of("job_id", "num_gpu", "submit_time", "iterations", "model_name", "duration", "interval")),
    /** The native format: {@code submit_s,duration_s,nodes,gpus_per_node,org,queue,walltime_s}. */
    CSV(List.of("submit_s", "duration_s", "nodes", "gpus_per_node", "org", "queue", "walltime_s"));

    private final List<String> columns;

    TraceFormat(List<String> columns) {
        this.columns = columns;
    }

    /** @return the header columns, in any order in the file */
    public List<String> columns() {
        return columns;
    }

    /**
     * @param text {@code philly}, {@code tiresias} or {@code csv}
     * @return the format
     * @throws IllegalArgumentException naming the accepted values
     */
    public static TraceFormat parse(String text) {
        for (TraceFormat f : values()) {
            if (f.name().equalsIgnoreCase(text)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown trace format '" + text + "'; use philly, tiresias or csv");
    }
}
