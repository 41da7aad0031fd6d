package fr.catie.vaniila.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The static part of a snapshot turned into arrays for the inner loops: nodes, flavors and queues by index.
 * Built once per cycle, read-only afterwards; not shared between threads.
 */
final class CycleIndex {

    final List<Node> nodes;
    final List<GpuFlavor> flavors;
    final List<Queue> queues;
    private final Map<NodeName, Integer> nodeByName = new HashMap<>();
    private final Map<String, Integer> flavorByName = new HashMap<>();
    private final Map<QueueName, Integer> queueByName = new HashMap<>();
    /** [node][gpu] -> flavor index. */
    final int[][] gpuFlavor;
    /** [node][flavor] -> GPUs of that flavor the node owns. */
    private final int[][] totalGpus;
    private final boolean[] up;
    /** Every node idle, copied by each cycle instead of being rebuilt. */
    private Capacity idle;
    /** [queue][node] -> allowed; [queue][flavor] -> allowed. */
    private final boolean[][] queueNode;
    private final boolean[][] queueFlavor;

    CycleIndex(ClusterSnapshot snapshot) {
        this.nodes = snapshot.nodes();
        this.queues = snapshot.queues();
        TreeSet<GpuFlavor> distinct = new TreeSet<>();
        GpuFlavor last = null;
        for (Node n : nodes) {
            for (GpuFlavor f : n.gpus()) {
                // Nodes hold few flavors: skip the sorted insert for the common run of equal ones.
                if (!f.equals(last)) {
                    distinct.add(f);
                    last = f;
                }
            }
        }
        this.flavors = List.copyOf(distinct);
        for (int f = 0; f < flavors.size(); f++) {
            if (flavorByName.put(flavors.get(f).name(), f) != null) {
                throw new IllegalArgumentException("GPU flavor " + flavors.get(f).name()
                        + " is declared with two different memory sizes");
            }
        }
        int n = nodes.size();
        gpuFlavor = new int[n][];
        totalGpus = new int[n][flavors.size()];
        up = new boolean[n];
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            nodeByName.put(node.name(), i);
            up[i] = node.state() == NodeState.UP;
            gpuFlavor[i] = new int[node.gpus().size()];
            for (int g = 0; g < node.gpus().size(); g++) {
                int f = flavorByName.get(node.gpus().get(g).name());
                gpuFlavor[i][g] = f;
                totalGpus[i][f]++;
            }
        }
        queueNode = new boolean[queues.size()][n];
        queueFlavor = new boolean[queues.size()][flavors.size()];
        for (int q = 0; q < queues.size(); q++) {
            Queue queue = queues.get(q);
            queueByName.put(queue.name(), q);
            for (int i = 0; i < n; i++) {
                queueNode[q][i] = queue.nodes().isEmpty() || queue.nodes().contains(nodes.get(i).name());
            }
            for (int f = 0; f < flavors.size(); f++) {
                queueFlavor[q][f] = queue.flavors().isEmpty() || queue.flavors().contains(flavors.get(f).name());
            }
        }
    }

    /** @return a fresh all-idle capacity (a copy of a template built on first use) */
    Capacity idleCapacity() {
        return idleTemplate().copy();
    }

    /** @return the all-idle template itself: callers must only read it (placement does not write) */
    synchronized Capacity idleTemplate() {
        if (idle == null) {
            idle = Capacity.idle(this);
        }
        return idle;
    }

    int nodeCount() {
        return nodes.size();
    }

    int node(NodeName name) {
        Integer i = nodeByName.get(name);
        return i == null ? -1 : i;
    }

    int flavor(String name) {
        Integer i = flavorByName.get(name);
        return i == null ? -1 : i;
    }

    int queue(QueueName name) {
        Integer i = queueByName.get(name);
        return i == null ? -1 : i;
    }

    boolean up(int node) {
        return up[node];
    }

    int totalGpus(int node, int flavor) {
        return totalGpus[node][flavor];
    }

    boolean queueAllows(int queue, int node, int flavor) {
        return queueNode[queue][node] && (flavor < 0 || queueFlavor[queue][flavor]);
    }

    boolean queueAllowsFlavor(int queue, int flavor) {
        return queueFlavor[queue][flavor];
    }

    /** @return flavor indices accepted by the constraint and the queue, smallest memory first */
    List<Integer> candidateFlavors(GpuConstraint constraint, int queue) {
        List<Integer> out = new ArrayList<>(flavors.size());
        for (int f = 0; f < flavors.size(); f++) {
            if (constraint.accepts(flavors.get(f)) && queueFlavor[queue][f]) {
                out.add(f);
            }
        }
        return out;
    }
}
