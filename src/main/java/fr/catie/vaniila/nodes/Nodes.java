package fr.catie.vaniila.nodes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.platform.Problem.Kind;
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
    private final org.springframework.context.ApplicationEventPublisher events;
    private final fr.catie.vaniila.audit.AuditLog audit;

    public Nodes(JdbcClient jdbc, org.springframework.context.ApplicationEventPublisher events,
            fr.catie.vaniila.audit.AuditLog audit) {
        this.jdbc = jdbc;
        this.events = events;
        this.audit = audit;
    }

    /** How a node is reached: its name, its host name and its address, as its agent registered them. */
    public record NodeAddress(String name, String hostname, String address) {

        /** Whether {@code host} names this node in one of its three ways. */
        public boolean named(String host) {
            return host != null && (host.equals(name) || host.equalsIgnoreCase(hostname) || host.equals(address));
        }
    }

    /** The ways to reach a node, if it ever registered. */
    @Transactional(readOnly = true)
    public java.util.Optional<NodeAddress> address(String name) {
        return jdbc.sql("SELECT name, hostname, address FROM nodes WHERE name = ?").param(name)
                .query((rs, n) -> new NodeAddress(rs.getString(1), rs.getString(2), rs.getString(3))).optional();
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

    /**
     * One GPU as a caller sees it: whether a job holds it and, for platform admins or the holder's own
     * organisation, which job and organisation, and how busy it really is.
     */
    public record GpuUse(int index, String flavor, String model, long memoryMb, boolean virtual, boolean busy,
            Long jobId, String organisation, Integer utilization) {
    }

    /**
     * A node with its state, what is allocated on it and its GPUs' use; how its agent holds jobs ({@code jobLimits}:
     * {@code cgroup-v2}, {@code cgroup-v1} or {@code none}; {@code gpuIsolation}: {@code device-cgroup} or
     * {@code cuda-visible-devices}, null without real GPUs), both null until an agent that says so registers.
     */
    public record NodeStatus(String name, String state, String stateReason, int cores, int coresAllocated,
            long memoryMb, long memoryAllocatedMb, java.time.Instant lastSeenAt, String agentVersion, List<GpuUse> gpus,
            String jobLimits, String gpuIsolation) {
    }

    /** The cluster map: every node with its allocations, GPU holders shown only to whom may see them. */
    @Transactional(readOnly = true)
    public List<NodeStatus> status(fr.catie.vaniila.identity.Caller caller) {
        Map<Long, List<GpuUse>> gpus = new LinkedHashMap<>();
        jdbc.sql("""
                SELECT g.node_id, g.index, g.flavor, g.model, g.memory_mb, g.virtual, c.job_id, o.id AS org_id,
                  o.name AS org, g.utilization
                FROM node_gpus g LEFT JOIN gpu_claims c ON c.node_id = g.node_id AND c.gpu_index = g.index
                LEFT JOIN jobs j ON j.id = c.job_id LEFT JOIN organisations o ON o.id = j.organisation_id
                ORDER BY g.node_id, g.index""").query(rs -> {
                    boolean busy = rs.getObject("job_id") != null;
                    boolean visible = busy && caller.sees(new fr.catie.vaniila.identity.OrganisationId(rs.getLong("org_id")));
                    gpus.computeIfAbsent(rs.getLong("node_id"), k -> new ArrayList<>()).add(new GpuUse(rs.getInt("index"),
                            rs.getString("flavor"), rs.getString("model"), rs.getLong("memory_mb"), rs.getBoolean("virtual"),
                            busy, visible ? rs.getLong("job_id") : null, visible ? rs.getString("org") : null,
                            caller.isPlatformAdmin() || visible ? (Integer) rs.getObject("utilization") : null));
                });
        return jdbc.sql("""
                SELECT n.id, n.name, n.state, n.state_reason, n.cores, n.memory_mb, n.last_seen_at, n.agent_version,
                  n.job_limits, n.gpu_isolation,
                  coalesce(sum(l.cores), 0) AS cores_used, coalesce(sum(l.memory_mb), 0) AS mem_used
                FROM nodes n LEFT JOIN launches l ON l.node_id = n.id AND l.state IN ('LAUNCHING', 'RUNNING')
                GROUP BY n.id ORDER BY n.name""")
                .query((rs, n) -> new NodeStatus(rs.getString("name"), rs.getString("state"), rs.getString("state_reason"),
                        rs.getInt("cores"), rs.getInt("cores_used"), rs.getLong("memory_mb"), rs.getLong("mem_used"),
                        rs.getTimestamp("last_seen_at") == null ? null : rs.getTimestamp("last_seen_at").toInstant(),
                        rs.getString("agent_version"), List.copyOf(gpus.getOrDefault(rs.getLong("id"), List.of())),
                        rs.getString("job_limits"), rs.getString("gpu_isolation")))
                .list();
    }

    /**
     * Drains a node (its running jobs finish, no new job starts there) or resumes it. Platform admins only.
     */
    @Transactional
    public NodeStatus setDrained(fr.catie.vaniila.identity.Caller caller, String name, boolean drain, String reason) {
        if (!caller.isPlatformAdmin()) {
            throw Problem.of(Kind.FORBIDDEN, NodeRefusal.ADMIN_ONLY);
        }
        String state = jdbc.sql("SELECT state FROM nodes WHERE name = ? FOR UPDATE").param(name).query(String.class)
                .optional().orElseThrow(() -> Problem.of(Kind.NOT_FOUND, NodeRefusal.NOT_FOUND, name));
        if (drain) {
            if (state.equals("DOWN")) {
                throw Problem.of(Kind.CONFLICT, NodeRefusal.DOWN_NOTHING_TO_DRAIN, name);
            }
            jdbc.sql("UPDATE nodes SET state = 'DRAINING', state_reason = ? WHERE name = ?")
                    .params(reason == null || reason.isBlank() ? "drained by " + caller.username() : reason, name).update();
        } else {
            if (state.equals("DOWN")) {
                throw Problem.of(Kind.CONFLICT, NodeRefusal.DOWN_COMES_BACK_BY_ITSELF, name);
            }
            jdbc.sql("UPDATE nodes SET state = 'UP', state_reason = NULL WHERE name = ?").param(name).update();
        }
        refreshDrained();
        audit.record(caller.username(), null, drain ? "node.drain" : "node.resume", name, reason, null);
        events.publishEvent(new NodesChanged(name));
        return status(caller).stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    /** A DRAINING node that no longer runs anything is DRAINED. */
    @Transactional
    public void refreshDrained() {
        jdbc.sql("""
                UPDATE nodes n SET state = 'DRAINED' WHERE state = 'DRAINING' AND NOT EXISTS
                  (SELECT 1 FROM launches l WHERE l.node_id = n.id AND l.state IN ('LAUNCHING', 'RUNNING'))""").update();
    }

    /** GPUs by flavor across the cluster, largest memory first. */
    @Transactional(readOnly = true)
    public List<FlavorCount> flavors() {
        return flavors(inventory());
    }

    /** GPUs by flavor of an inventory already read, largest memory first. */
    public static List<FlavorCount> flavors(List<Node> inventory) {
        Map<String, long[]> byFlavor = new TreeMap<>();
        Map<String, java.util.Set<String>> nodesByFlavor = new TreeMap<>();
        for (Node node : inventory) {
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
