package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A queue (a Slurm partition): where its jobs may run and their limits. Immutable; thread safe.
 *
 * @param name            the queue name
 * @param nodes           nodes its jobs may use; empty means all nodes
 * @param flavors         GPU flavor names its jobs may use; empty means all flavors
 * @param defaultWallTime wall time of a job that gives none
 * @param maxWallTime     longest wall time allowed
 * @param maxGpusPerJob   most GPUs a job may ask for
 * @param priorityTier    tier, higher first (a factor of the priority)
 * @param preemptible     true when all its jobs may be preempted
 * @param allowedOrgs     organisations allowed to submit; empty means all
 */
public record Queue(QueueName name, Set<NodeName> nodes, Set<String> flavors, Duration defaultWallTime,
        Duration maxWallTime, int maxGpusPerJob, int priorityTier, boolean preemptible, Set<OrgName> allowedOrgs) {

    /** Checks the limits are consistent. */
    public Queue {
        Objects.requireNonNull(name, "name");
        nodes = Set.copyOf(nodes);
        flavors = Set.copyOf(flavors);
        allowedOrgs = Set.copyOf(allowedOrgs);
        if (defaultWallTime.isNegative() || defaultWallTime.isZero() || maxWallTime.compareTo(defaultWallTime) < 0) {
            throw new IllegalArgumentException("queue " + name
                    + ": the default wall time must be positive and not above the maximum (" + maxWallTime + ")");
        }
        if (maxGpusPerJob < 0 || priorityTier < 0) {
            throw new IllegalArgumentException("queue " + name + ": max GPUs per job and tier cannot be negative");
        }
    }

    /**
     * @param name        queue name
     * @param maxWallTime its maximum (also its default) wall time
     * @param maxGpus     maximum GPUs per job
     * @return a non-preemptible queue of tier 1 open to every node, flavor and organisation
     */
    public static Queue open(String name, Duration maxWallTime, int maxGpus) {
        return new Queue(new QueueName(name), Set.of(), Set.of(), maxWallTime, maxWallTime, maxGpus, 1, false,
                Set.of());
    }

    /** @param value preemptible or not @return a copy */
    public Queue withPreemptible(boolean value) {
        return new Queue(name, nodes, flavors, defaultWallTime, maxWallTime, maxGpusPerJob, priorityTier, value,
                allowedOrgs);
    }

    /** @param value tier @return a copy */
    public Queue withTier(int value) {
        return new Queue(name, nodes, flavors, defaultWallTime, maxWallTime, maxGpusPerJob, value, preemptible,
                allowedOrgs);
    }

    /** @param value allowed organisations, empty for all @return a copy */
    public Queue withAllowedOrgs(Set<OrgName> value) {
        return new Queue(name, nodes, flavors, defaultWallTime, maxWallTime, maxGpusPerJob, priorityTier, preemptible,
                value);
    }

    /**
     * @param nodeNames   allowed nodes, empty for all
     * @param flavorNames allowed flavor names, empty for all
     * @return a copy
     */
    public Queue withPlacement(Set<NodeName> nodeNames, Set<String> flavorNames) {
        return new Queue(name, nodeNames, flavorNames, defaultWallTime, maxWallTime, maxGpusPerJob, priorityTier,
                preemptible, allowedOrgs);
    }

    /** @param value default wall time @return a copy */
    public Queue withDefaultWallTime(Duration value) {
        return new Queue(name, nodes, flavors, value, maxWallTime, maxGpusPerJob, priorityTier, preemptible,
                allowedOrgs);
    }
}
