package fr.catie.vaniila.queues;

import java.time.Duration;
import java.util.List;

/**
 * A queue (a Slurm partition) as admins define it.
 *
 * @param name            lower case, e.g. {@code gpu}
 * @param isDefault       the queue of jobs that name none
 * @param defaultWalltime wall time of jobs that give none
 * @param maxWalltime     longest wall time a job may ask for
 * @param maxGpusPerJob   most GPUs one job may ask for; 0 makes a CPU-only queue
 * @param priorityTier    higher tiers are scheduled first
 * @param preemptible     jobs of this queue may be preempted to give GPUs back to their owners
 * @param flavors         GPU flavors the queue may use; empty for any
 * @param nodes           nodes the queue may use; empty for any
 * @param organisations   organisations allowed to submit; empty for all
 */
public record QueueSpec(String name, boolean isDefault, Duration defaultWalltime, Duration maxWalltime,
        int maxGpusPerJob, int priorityTier, boolean preemptible, List<String> flavors, List<String> nodes,
        List<String> organisations) {

    public QueueSpec {
        flavors = flavors == null ? List.of() : List.copyOf(flavors);
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        organisations = organisations == null ? List.of() : List.copyOf(organisations);
    }
}
