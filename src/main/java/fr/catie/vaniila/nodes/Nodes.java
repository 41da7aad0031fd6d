package fr.catie.vaniila.nodes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Module API for the cluster's inventory as the agents reported it. The inventory (nodes, GPU
 * counts and flavors) is public to every logged-in user: it is what they choose resources from.
 * Thread-safe.
 */
@Service
public class Nodes {

    /** One GPU of a node. */
    public record Gpu(int index, String model, String flavor, long memoryMb, boolean virtual) {
    }

    /** One node with its GPUs, in index order. */
    public record Node(String name, String state, int cores, long memoryMb, List<Gpu> gpus) {
    }

    /** How many GPUs of one flavor the cluster has, and on how many nodes. */
    public record FlavorCount(String flavor, long memoryMb, int gpus, int nodes) {
    }

    /** Published when a node registered or changed state, so that the scheduler loop runs soon. */
    public record NodesChanged(String node) {
    }

    private final JdbcClient jdbc;

    public Nodes(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(readOnly = true)
    public List<Node> inventory() {
        Map<Long, List<Gpu>> gpus = new LinkedHashMap<>();
        jdbc.sql("SELECT node_id, index, model, flavor, memory_mb, virtual FROM node_gpus ORDER BY node_id, index")
                .query(rs -> {
                    gpus.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Gpu(rs.getInt(2),
                            rs.getString(3), rs.getString(4), rs.getLong(5), rs.getBoolean(6)));
                });
        return jdbc.sql("SELECT id, name, state, cores, memory_mb FROM nodes ORDER BY name")
                .query((rs, n) -> new Node(rs.getString(2), rs.getString(3), rs.getInt(4), rs.getLong(5),
                        List.copyOf(gpus.getOrDefault(rs.getLong(1), List.of()))))
                .list();
    }

    /**
     * The nodes as the scheduler core sees them; GPU {@code i} of a node is its GPU of index {@code i}.
     * With {@code asIfUp}, every node counts as UP: the question is then whether a job could ever run.
     */
    @Transactional(readOnly = true)
    public List<fr.catie.vaniila.scheduler.Node> coreNodes(boolean asIfUp) {
        List<fr.catie.vaniila.scheduler.Node> out = new ArrayList<>();
        for (Node n : inventory()) {
            List<fr.catie.vaniila.scheduler.GpuFlavor> gpus = new ArrayList<>();
            for (Gpu g : n.gpus()) {
                gpus.add(flavor(g.flavor(), g.memoryMb()));
            }
            var state = asIfUp ? fr.catie.vaniila.scheduler.NodeState.UP
                    : fr.catie.vaniila.scheduler.NodeState.valueOf(n.state());
            out.add(new fr.catie.vaniila.scheduler.Node(new fr.catie.vaniila.scheduler.NodeName(n.name()), n.cores(),
                    n.memoryMb(), gpus, state));
        }
        return out;
    }

    /** A flavor from its name; the memory the agent measured stands when the name carries none. */
    static fr.catie.vaniila.scheduler.GpuFlavor flavor(String name, long memoryMb) {
        try {
            return fr.catie.vaniila.scheduler.GpuFlavor.parse(name);
        } catch (IllegalArgumentException e) {
            return new fr.catie.vaniila.scheduler.GpuFlavor(name, (int) memoryMb);
        }
    }

    /** GPUs by flavor across the cluster, largest memory first. */
    @Transactional(readOnly = true)
    public List<FlavorCount> flavors() {
        Map<String, long[]> byFlavor = new TreeMap<>();
        Map<String, java.util.Set<String>> nodesByFlavor = new TreeMap<>();
        for (Node node : inventory()) {
            for (Gpu gpu : node.gpus()) {
                long[] acc = byFlavor.computeIfAbsent(gpu.flavor(), f -> new long[2]);
                acc[0] = gpu.memoryMb();
                acc[1]++;
                nodesByFlavor.computeIfAbsent(gpu.flavor(), f -> new java.util.HashSet<>()).add(node.name());
            }
        }
        List<FlavorCount> out = new ArrayList<>();
        byFlavor.forEach((flavor, acc) -> out.add(new FlavorCount(flavor, acc[0], (int) acc[1],
                nodesByFlavor.get(flavor).size())));
        out.sort((a, b) -> Long.compare(b.memoryMb(), a.memoryMb()));
        return out;
    }
}
