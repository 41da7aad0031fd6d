package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one scheduling cycle looks at, frozen: nodes, queues, organisations, running and pending jobs.
 * A fresh snapshot is taken per cycle; the core never changes it. Immutable (lists are copied); thread safe.
 */
public final class ClusterSnapshot {

    private final List<Node> nodes;
    private final List<Queue> queues;
    private final List<Organisation> organisations;
    private final List<RunningJob> running;
    private final List<JobRequest> pending;
    private final Map<QueueName, Queue> queueByName;
    private final Map<OrgName, Organisation> orgByName;

    /**
     * @param nodes         the nodes, names unique
     * @param queues        the queues, names unique
     * @param organisations the organisations, names unique
     * @param running       jobs holding resources
     * @param pending       jobs waiting, ids unique and distinct from running ones
     * @throws IllegalArgumentException on a duplicate name or id
     */
    public ClusterSnapshot(List<Node> nodes, List<Queue> queues, List<Organisation> organisations,
            List<RunningJob> running, List<JobRequest> pending) {
        this.nodes = List.copyOf(nodes);
        this.queues = List.copyOf(queues);
        this.organisations = List.copyOf(organisations);
        this.running = List.copyOf(running);
        this.pending = List.copyOf(pending);
        this.queueByName = new HashMap<>();
        for (Queue q : this.queues) {
            if (queueByName.put(q.name(), q) != null) {
                throw new IllegalArgumentException("queue " + q.name() + " is declared twice");
            }
        }
        this.orgByName = new HashMap<>();
        for (Organisation o : this.organisations) {
            if (orgByName.put(o.name(), o) != null) {
                throw new IllegalArgumentException("organisation " + o.name() + " is declared twice");
            }
        }
        java.util.Set<NodeName> seen = new java.util.HashSet<>();
        for (Node n : this.nodes) {
            if (!seen.add(n.name())) {
                throw new IllegalArgumentException("node " + n.name() + " is declared twice");
            }
        }
    }

    /** @return the nodes */
    public List<Node> nodes() {
        return nodes;
    }

    /** @return the queues */
    public List<Queue> queues() {
        return queues;
    }

    /** @return the organisations */
    public List<Organisation> organisations() {
        return organisations;
    }

    /** @return jobs holding resources */
    public List<RunningJob> running() {
        return running;
    }

    /** @return jobs waiting */
    public List<JobRequest> pending() {
        return pending;
    }

    /** @param name a queue name @return the queue if declared */
    public Optional<Queue> queue(QueueName name) {
        return Optional.ofNullable(queueByName.get(name));
    }

    /**
     * @param job a job
     * @return its wall time: its own, or its queue's default; empty when its queue is unknown
     */
    public Optional<Duration> wallTime(JobRequest job) {
        return job.wallTime().or(() -> queue(job.queue()).map(Queue::defaultWallTime));
    }

    /** @param name an organisation name @return the organisation if known */
    public Optional<Organisation> organisation(OrgName name) {
        return Optional.ofNullable(orgByName.get(name));
    }

    /** @return total GPUs of all nodes, whatever their state */
    public int totalGpus() {
        int n = 0;
        for (Node node : nodes) {
            n += node.gpus().size();
        }
        return n;
    }

    /**
     * @param running jobs holding resources
     * @param pending jobs waiting
     * @return a snapshot with the same nodes, queues and organisations and these jobs
     */
    public ClusterSnapshot withJobs(List<RunningJob> running, List<JobRequest> pending) {
        return new ClusterSnapshot(nodes, queues, organisations, running, pending);
    }
}
