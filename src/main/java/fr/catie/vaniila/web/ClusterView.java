package fr.catie.vaniila.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.quotas.Quotas;

/**
 * The cluster as the dashboard and the submit page show it to one caller, computed from one read of
 * {@link Nodes#status}: a map of nodes and GPUs, and per GPU flavor how many are free now. Immutable.
 *
 * @param nodes   every node, by name, with its GPUs
 * @param flavors GPU flavors, largest memory first, with what is free now
 */
record ClusterView(List<NodeCard> nodes, List<FlavorFree> flavors) {

    /** What a GPU is doing, as the map colours it. */
    enum GpuStatus {
        FREE, BUSY, DRAINING, DOWN
    }

    /**
     * One GPU on the map. {@code jobId} and {@code organisation} are known only to callers that may see the
     * holder (its organisation, platform admins); {@code utilization} (percent, from the agents' samples) to the
     * same callers.
     *
     * @param mine whether a job of the caller's organisation holds it
     */
    record GpuCell(int index, String flavor, String model, GpuStatus status, boolean mine, Long jobId,
            String organisation, Integer utilization) {

        /** The CSS class and message key suffix of the status. */
        public String css() {
            return status.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One node on the map, with its allocated cores and memory. */
    record NodeCard(String name, String state, String stateReason, int cores, int coresAllocated, long memoryMb,
            long memoryAllocatedMb, List<GpuCell> gpus) {

        /** Percent of the node's cores allocated, for the bar (0-100). */
        public int corePercent() {
            return cores == 0 ? 0 : (int) Math.min(100, Math.round(100.0 * coresAllocated / cores));
        }
    }

    /**
     * GPUs of one flavor.
     *
     * @param free          GPUs held by no job on nodes that take jobs (UP)
     * @param mostFreeOnOne the most free GPUs of this flavor on any one node: the largest single-node request that
     *                      could start now
     */
    record FlavorFree(String flavor, long memoryMb, int total, int free, int mostFreeOnOne, int nodes) {
    }

    /**
     * The caller's organisation on one flavor: its quota and what it holds now.
     *
     * @param inUse GPUs of this flavor held by jobs of the organisation now
     */
    record QuotaRow(String flavor, int guaranteed, int borrowLimit, int inUse, int total) {

        /** The most the organisation may hold at once: its guarantee plus what it may borrow. */
        public int ceiling() {
            return guaranteed + borrowLimit;
        }

        /** Percent of the ceiling in use, for the bar (0-100). */
        public int percent() {
            return ceiling() == 0 ? (inUse > 0 ? 100 : 0) : (int) Math.min(100, Math.round(100.0 * inUse / ceiling()));
        }

        /** Whether the organisation holds more than its guarantee (the extra may be preempted by the owners). */
        public boolean borrowing() {
            return inUse > guaranteed;
        }
    }

    /** The monthly GPU-hour budget and what was spent of it this month. */
    record Budget(double limitHours, double spentHours) {

        public int percent() {
            return limitHours <= 0 ? 100 : (int) Math.min(100, Math.round(100.0 * spentHours / limitHours));
        }
    }

    static ClusterView of(Caller caller, List<Nodes.NodeStatus> status) {
        List<NodeCard> nodes = new ArrayList<>();
        Map<String, int[]> perFlavor = new TreeMap<>(); // total, free, most free on one node, nodes
        Map<String, Long> memory = new TreeMap<>();
        for (Nodes.NodeStatus n : status) {
            List<GpuCell> gpus = new ArrayList<>();
            Map<String, Integer> freeHere = new TreeMap<>();
            for (Nodes.GpuUse g : n.gpus()) {
                GpuStatus s = n.state().equals("DOWN") ? GpuStatus.DOWN
                        : g.busy() ? GpuStatus.BUSY
                        : n.state().equals("UP") ? GpuStatus.FREE : GpuStatus.DRAINING;
                boolean mine = g.busy() && caller.organisation().equals(g.organisation());
                gpus.add(new GpuCell(g.index(), g.flavor(), g.model(), s, mine, g.jobId(),
                        caller.isPlatformAdmin() ? g.organisation() : null, g.utilization()));
                int[] acc = perFlavor.computeIfAbsent(g.flavor(), f -> new int[4]);
                memory.put(g.flavor(), g.memoryMb());
                acc[0]++;
                freeHere.putIfAbsent(g.flavor(), 0);
                if (s == GpuStatus.FREE) {
                    acc[1]++;
                    freeHere.merge(g.flavor(), 1, Integer::sum);
                }
            }
            freeHere.forEach((flavor, free) -> {
                int[] acc = perFlavor.get(flavor);
                acc[2] = Math.max(acc[2], free);
                acc[3]++;
            });
            nodes.add(new NodeCard(n.name(), n.state(), n.stateReason(), n.cores(), n.coresAllocated(), n.memoryMb(),
                    n.memoryAllocatedMb(), List.copyOf(gpus)));
        }
        List<FlavorFree> flavors = new ArrayList<>();
        perFlavor.forEach((f, acc) -> flavors.add(new FlavorFree(f, memory.get(f), acc[0], acc[1], acc[2], acc[3])));
        flavors.sort((a, b) -> Long.compare(b.memoryMb(), a.memoryMb()));
        return new ClusterView(List.copyOf(nodes), List.copyOf(flavors));
    }

    /** The caller's organisation's quota against what it holds now, one row per flavor of the cluster. */
    List<QuotaRow> quotaRows(Quotas.Quota quota, Quotas.FlavorLimit platformDefault) {
        Map<String, Integer> held = new TreeMap<>();
        for (NodeCard n : nodes) {
            for (GpuCell g : n.gpus()) {
                if (g.mine()) {
                    held.merge(g.flavor(), 1, Integer::sum);
                }
            }
        }
        List<QuotaRow> rows = new ArrayList<>();
        for (FlavorFree f : flavors) {
            Quotas.FlavorLimit limit = quota.limit(f.flavor(), platformDefault);
            rows.add(new QuotaRow(f.flavor(), limit.guaranteedGpus(), limit.borrowLimit(),
                    held.getOrDefault(f.flavor(), 0), f.total()));
        }
        return rows;
    }
}
