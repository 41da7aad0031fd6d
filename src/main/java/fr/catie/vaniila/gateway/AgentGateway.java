package fr.catie.vaniila.gateway;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import fr.catie.vaniila.jobs.EndReason;
import fr.catie.vaniila.jobs.JobControl;
import fr.catie.vaniila.jobs.PhraseColumn;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.platform.VaniilaProperties;
import fr.catie.vaniila.wording.Phrase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The portal's side of the agent protocol ({@code docs/agent-protocol.md}): registration, the
 * sync that applies an agent's events exactly once (by sequence number) and hands it its commands,
 * and log uploads stored once per offset. Each call is one transaction. Thread-safe.
 */
@Service
public class AgentGateway {

    private static final Logger log = LoggerFactory.getLogger(AgentGateway.class);
    static final int HEARTBEAT_SECONDS = 5;
    static final int MAX_WAIT_SECONDS = 25;
    /** The values of a registration's {@code jobLimits} the portal knows; see docs/agent-protocol.md. */
    static final Set<String> JOB_LIMITS = Set.of("cgroup-v2", "cgroup-v1", "none");
    /** The values of a registration's {@code gpuIsolation} the portal knows. */
    static final Set<String> GPU_ISOLATION = Set.of("device-cgroup", "cuda-visible-devices");

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final JobControl control;
    private final JsonMapper json;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final VaniilaProperties properties;
    private final Object signal = new Object();
    private long generation;
    private volatile boolean closing;

    public AgentGateway(JdbcClient jdbc, TransactionTemplate tx, JobControl control, JsonMapper json, Clock clock,
            ApplicationEventPublisher events, VaniilaProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.control = control;
        this.json = json;
        this.clock = clock;
        this.events = events;
        this.properties = properties;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void commandsQueued(JobControl.CommandsQueued event) {
        synchronized (signal) {
            generation++;
            signal.notifyAll();
        }
    }

    /** At shutdown, waiting syncs answer at once, so that the web server can stop without waiting for them. */
    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextClosedEvent.class)
    void closing() {
        closing = true;
        synchronized (signal) {
            generation++;
            signal.notifyAll();
        }
    }

    // ------------------------------------------------------------ register

    public Map<String, Object> register(String allowed, JsonNode body) {
        String node = text(body, "node");
        checkNode(allowed, node);
        int cores = body.path("cores").asInt(0);
        long memory = body.path("memoryMb").asLong(0);
        if (cores <= 0 || memory <= 0) {
            throw Problem.invalid("Node " + node + " reports " + cores + " cores and " + memory
                    + " MiB of memory: both must be positive.");
        }
        List<Object[]> gpus = new ArrayList<>();
        for (JsonNode g : body.path("gpus")) {
            String flavor = g.path("flavor").asString("");
            try {
                fr.catie.vaniila.scheduler.GpuFlavor.parse(flavor);
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("GPU " + g.path("index").asInt() + " of " + node + ": " + e.getMessage());
            }
            gpus.add(new Object[] {g.path("index").asInt(), g.path("uuid").asString(null), g.path("model").asString(flavor),
                    flavor, g.path("memoryMb").asLong(0), g.path("virtual").asBoolean(false)});
        }
        List<String> running = new ArrayList<>();
        for (JsonNode r : body.path("running")) {
            running.add(r.path("launchId").asString());
        }
        Long ackSeq = tx.execute(status -> {
            Map<String, Object> row = jdbc.sql("""
                    INSERT INTO nodes (name, hostname, address, cores, memory_mb, agent_version, last_seen_at, reconcile_running,
                      job_limits, gpu_isolation)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?::uuid[], ?, ?)
                    ON CONFLICT (name) DO UPDATE SET hostname = EXCLUDED.hostname, address = EXCLUDED.address,
                      cores = EXCLUDED.cores, memory_mb = EXCLUDED.memory_mb, agent_version = EXCLUDED.agent_version,
                      last_seen_at = EXCLUDED.last_seen_at, reconcile_running = EXCLUDED.reconcile_running,
                      job_limits = EXCLUDED.job_limits, gpu_isolation = EXCLUDED.gpu_isolation,
                      state = CASE WHEN nodes.state = 'DOWN' THEN 'UP' ELSE nodes.state END,
                      state_reason = CASE WHEN nodes.state = 'DOWN' THEN NULL ELSE nodes.state_reason END
                    RETURNING id, last_seq""")
                    .params(node, text(body, "hostname"), body.path("address").asString(null), cores, memory,
                            body.path("agentVersion").asString(null), ts(clock.instant()), uuidArray(running),
                            known(body, "jobLimits", JOB_LIMITS), known(body, "gpuIsolation", GPU_ISOLATION))
                    .query().listOfRows().get(0);
            long nodeId = ((Number) row.get("id")).longValue();
            jdbc.sql("DELETE FROM node_gpus WHERE node_id = ?").param(nodeId).update();
            for (Object[] g : gpus) {
                jdbc.sql("INSERT INTO node_gpus (node_id, index, uuid, model, flavor, memory_mb, virtual) VALUES (?, ?, ?, ?, ?, ?, ?)")
                        .params(nodeId, g[0], g[1], g[2], g[3], g[4], g[5]).update();
            }
            events.publishEvent(new Nodes.NodesChanged(node));
            return ((Number) row.get("last_seq")).longValue();
        });
        log.info("Node {} registered: {} cores, {} MiB, {} GPUs, {} running launches", node, cores, memory, gpus.size(),
                running.size());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("node", node);
        answer.put("heartbeatSeconds", HEARTBEAT_SECONDS);
        answer.put("ackSeq", ackSeq);
        return answer;
    }

    // ------------------------------------------------------------ sync

    public Map<String, Object> sync(String allowed, JsonNode body, int wait) {
        String node = text(body, "node");
        checkNode(allowed, node);
        long[] ack = new long[1];
        long nodeId = tx.execute(status -> apply(node, body, ack));
        List<JsonNode> commands = commands(nodeId);
        long deadline = System.nanoTime() + Math.min(Math.max(wait, 0), MAX_WAIT_SECONDS) * 1_000_000_000L;
        while (commands.isEmpty() && !closing && System.nanoTime() < deadline) {
            synchronized (signal) {
                long seen = generation;
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                try {
                    // Woken by this portal's own commits; the one-second cap covers other portals'.
                    if (seen == generation) {
                        signal.wait(Math.min(left, 1000));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            commands = commands(nodeId);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ackSeq", ack[0]);
        answer.put("commands", commands);
        return answer;
    }

    private List<JsonNode> commands(long nodeId) {
        return jdbc.sql("SELECT payload FROM agent_commands WHERE node_id = ? AND done_at IS NULL ORDER BY created_at, type")
                .param(nodeId).query((rs, n) -> json.readTree(rs.getString(1))).list();
    }

    private long apply(String node, JsonNode body, long[] ack) {
        List<Map<String, Object>> rows = jdbc.sql("SELECT id, last_seq, reconcile_running FROM nodes WHERE name = ? FOR UPDATE")
                .param(node).query().listOfRows();
        if (rows.isEmpty()) {
            throw new Problem(Problem.Kind.NOT_FOUND, "gone: the portal does not know node " + node + "; register again");
        }
        long nodeId = ((Number) rows.get(0).get("id")).longValue();
        long lastSeq = ((Number) rows.get(0).get("last_seq")).longValue();
        Set<Long> touched = new TreeSet<>();
        for (JsonNode e : body.path("events")) {
            long seq = e.path("seq").asLong(0);
            if (seq <= lastSeq) {
                continue; // applied before: the agent resent it because our answer was lost
            }
            applyEvent(nodeId, node, e, touched);
            lastSeq = seq;
        }
        for (JsonNode u : body.path("usage")) {
            double util = 0;
            int samples = 0;
            for (JsonNode g : u.path("gpus")) {
                util += g.path("utilization").asDouble(0);
                samples++;
            }
            jdbc.sql("""
                    UPDATE launches SET cpu_seconds = ?, max_rss_mb = ?, gpu_util_sum = gpu_util_sum + ?,
                      gpu_util_samples = gpu_util_samples + ? WHERE id = ? AND node_id = ?""")
                    .params(u.path("cpuSeconds").asDouble(0), u.path("maxRssMb").asLong(0),
                            samples == 0 ? 0 : util / samples, samples == 0 ? 0 : 1, uuid(u, "launchId"), nodeId)
                    .update();
        }
        for (JsonNode g : body.path("gpus")) {
            jdbc.sql("UPDATE node_gpus SET utilization = ?, memory_used_mb = ? WHERE node_id = ? AND index = ?")
                    .params(g.path("utilization").asInt(0), g.path("memoryUsedMb").asLong(0), nodeId, g.path("index").asInt())
                    .update();
        }
        Object reconcile = rows.get(0).get("reconcile_running");
        if (reconcile != null) {
            reconcile(nodeId, node, reconcile, touched);
        }
        // A node declared DOWN whose agent answers again is back: it takes jobs again.
        int back = jdbc.sql("""
                UPDATE nodes SET last_seq = ?, last_seen_at = ?, reconcile_running = NULL,
                  state = CASE WHEN state = 'DOWN' THEN 'UP' ELSE state END,
                  state_reason = CASE WHEN state = 'DOWN' THEN NULL ELSE state_reason END
                WHERE id = ? RETURNING (SELECT state FROM nodes WHERE id = ?) = 'DOWN'""")
                .params(lastSeq, ts(clock.instant()), nodeId, nodeId).query(Boolean.class).list()
                .stream().filter(Boolean::booleanValue).toList().size();
        if (back > 0) {
            log.info("Node {} answers again: UP", node);
            events.publishEvent(new Nodes.NodesChanged(node));
        }
        for (long jobId : touched) {
            control.settle(jobId);
        }
        ack[0] = lastSeq;
        return nodeId;
    }

    /**
     * After a registration: a process the portal believes running on this node, but which the agent
     * neither lists nor reported ended, was lost with the agent's state.
     */
    private void reconcile(long nodeId, String node, Object reported, Set<Long> touched) {
        Set<String> alive = new HashSet<>();
        try {
            for (Object o : (Object[]) ((java.sql.Array) reported).getArray()) {
                alive.add(o.toString());
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        List<Map<String, Object>> running = jdbc.sql("SELECT id, job_id FROM launches WHERE node_id = ? AND state = 'RUNNING'")
                .param(nodeId).query().listOfRows();
        for (Map<String, Object> l : running) {
            if (!alive.contains(l.get("id").toString())) {
                Phrase lost = Phrase.of(EndReason.AGENT_RESTARTED, node);
                jdbc.sql("UPDATE launches SET state = 'LOST', ended_at = now(), message = ?, message_phrase = ?::jsonb WHERE id = ?")
                        .params(lost.english(), PhraseColumn.write(lost), l.get("id")).update();
                touched.add(((Number) l.get("job_id")).longValue());
            }
        }
    }

    private void applyEvent(long nodeId, String node, JsonNode e, Set<Long> touched) {
        String type = e.path("type").asString("");
        UUID launch = uuid(e, "launchId");
        Instant at = instant(e.path("at").asString(null));
        List<Long> jobs = List.of();
        switch (type) {
            case "STARTED" -> {
                jobs = jdbc.sql("UPDATE launches SET state = 'RUNNING', started_at = ?, pid = ? WHERE id = ? AND node_id = ? "
                        + "AND state = 'LAUNCHING' RETURNING job_id")
                        .params(ts(at), e.path("pid").isMissingNode() ? null : e.path("pid").asLong(), launch, nodeId)
                        .query(Long.class).list();
                jdbc.sql("UPDATE agent_commands SET done_at = now() WHERE launch_id = ? AND type = 'LAUNCH' AND done_at IS NULL")
                        .param(launch).update();
            }
            case "LAUNCH_FAILED" -> {
                // The agent's own words stay as it wrote them, in the portal's sentence around them.
                Phrase failed = Phrase.of(EndReason.LAUNCH_FAILED, node, e.path("message").asString(""));
                jobs = jdbc.sql("""
                        UPDATE launches SET state = 'FAILED', ended_at = ?, message = ?, message_phrase = ?::jsonb
                        WHERE id = ? AND node_id = ? AND state IN ('LAUNCHING', 'RUNNING') RETURNING job_id""")
                        .params(ts(at), failed.english(), PhraseColumn.write(failed), launch, nodeId)
                        .query(Long.class).list();
                jdbc.sql("UPDATE agent_commands SET done_at = now() WHERE launch_id = ? AND done_at IS NULL").param(launch).update();
            }
            case "EXITED" -> {
                Integer code = e.path("exitCode").isNumber() ? e.path("exitCode").asInt() : null;
                String signalName = e.path("signal").asString(null);
                jobs = jdbc.sql("""
                        UPDATE launches SET state = 'EXITED', ended_at = ?, exit_code = ?, exit_reason = ?,
                          started_at = coalesce(started_at, ?), message = ?
                        WHERE id = ? AND node_id = ? AND state IN ('LAUNCHING', 'RUNNING') RETURNING job_id""")
                        .params(ts(at), code, e.path("reason").asString("EXITED"), ts(at),
                                signalName == null ? null : "killed by " + signalName, launch, nodeId)
                        .query(Long.class).list();
                jdbc.sql("UPDATE agent_commands SET done_at = now() WHERE launch_id = ? AND done_at IS NULL").param(launch).update();
            }
            case "METRICS" -> {
                jdbc.sql("INSERT INTO job_metrics (job_id, run, at, data) SELECT job_id, run, ?, ?::jsonb FROM launches WHERE id = ? AND node_id = ?")
                        .params(ts(at), json.writeValueAsString(e.path("metrics")), launch, nodeId).update();
            }
            default -> log.warn("Node {} sent an event of unknown type '{}'; ignored", node, type);
        }
        touched.addAll(jobs);
    }

    // ------------------------------------------------------------ logs

    /** Stores a chunk of a launch's log once, at its offset; answers the offset expected next. */
    public Map<String, Object> uploadLog(String allowed, UUID launchId, String stream, long offset, byte[] data) {
        if (!stream.equals("stdout") && !stream.equals("stderr")) {
            throw Problem.invalid("stream must be stdout or stderr, not '" + stream + "'.");
        }
        long max = properties.logs().maxBytesPerStream();
        return tx.execute(status -> {
            String node = jdbc.sql("SELECT n.name FROM launches l JOIN nodes n ON n.id = l.node_id WHERE l.id = ?")
                    .param(launchId).query(String.class).optional()
                    .orElseThrow(() -> Problem.notFound("No launch " + launchId + "."));
            checkNode(allowed, node);
            jdbc.sql("INSERT INTO log_streams (launch_id, stream) VALUES (?, ?) ON CONFLICT DO NOTHING")
                    .params(launchId, stream).update();
            Map<String, Object> row = jdbc.sql("SELECT next_offset, truncated FROM log_streams WHERE launch_id = ? AND stream = ? FOR UPDATE")
                    .params(launchId, stream).query().listOfRows().get(0);
            long next = ((Number) row.get("next_offset")).longValue();
            boolean truncated = Boolean.TRUE.equals(row.get("truncated"));
            if (!truncated && offset == next && data.length > 0) {
                int keep = (int) Math.max(0, Math.min(data.length, max - next));
                if (keep > 0) {
                    byte[] chunk = keep == data.length ? data : java.util.Arrays.copyOf(data, keep);
                    jdbc.sql("INSERT INTO log_chunks (launch_id, stream, \"offset\", data) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
                            .params(launchId, stream, next, chunk).update();
                    next += keep;
                }
                truncated = keep < data.length;
                jdbc.sql("UPDATE log_streams SET next_offset = ?, truncated = ? WHERE launch_id = ? AND stream = ?")
                        .params(next, truncated, launchId, stream).update();
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("next", next);
            answer.put("truncated", truncated);
            return answer;
        });
    }

    // ------------------------------------------------------------ helpers

    private static void checkNode(String allowed, String node) {
        if (node == null || node.isBlank()) {
            throw Problem.invalid("The message names no node: send \"node\".");
        }
        if (!"*".equals(allowed) && !allowed.equals(node)) {
            throw Problem.forbidden("This node token is for node '" + allowed + "', not '" + node + "'.");
        }
    }

    /** A field among known values; null when absent, or a value of a newer agent this portal cannot show. */
    private static String known(JsonNode body, String field, Set<String> values) {
        String value = text(body, field);
        return value != null && values.contains(value) ? value : null; // Set.of refuses to look up null
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.path(field);
        return n.isMissingNode() || n.isNull() ? null : n.asString();
    }

    private static UUID uuid(JsonNode body, String field) {
        try {
            return UUID.fromString(body.path(field).asString(""));
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("'" + field + "' is not a UUID: " + body.path(field));
        }
    }

    private Instant instant(String text) {
        if (text == null) {
            return clock.instant();
        }
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return clock.instant();
        }
    }

    private static String uuidArray(List<String> ids) {
        List<String> valid = new ArrayList<>();
        for (String id : ids) {
            try {
                valid.add(UUID.fromString(id).toString());
            } catch (IllegalArgumentException ignored) {
                // not one of ours
            }
        }
        return "{" + String.join(",", valid) + "}";
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
