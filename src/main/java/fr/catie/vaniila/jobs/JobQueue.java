package fr.catie.vaniila.jobs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import fr.catie.vaniila.scheduler.Allocation;
import fr.catie.vaniila.scheduler.DependencyState;
import fr.catie.vaniila.scheduler.GpuConstraint;
import fr.catie.vaniila.scheduler.GpuFlavor;
import fr.catie.vaniila.scheduler.JobId;
import fr.catie.vaniila.scheduler.JobRequest;
import fr.catie.vaniila.scheduler.JobShape;
import fr.catie.vaniila.scheduler.JobType;
import fr.catie.vaniila.scheduler.NodeAllocation;
import fr.catie.vaniila.scheduler.NodeName;
import fr.catie.vaniila.scheduler.OrgName;
import fr.catie.vaniila.scheduler.PendingReason;
import fr.catie.vaniila.scheduler.PendingStatus;
import fr.catie.vaniila.scheduler.QueueName;
import fr.catie.vaniila.scheduler.ReasonDetail;
import fr.catie.vaniila.scheduler.Resources;
import fr.catie.vaniila.scheduler.RunningJob;
import fr.catie.vaniila.wording.Phrase;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * The jobs as the scheduler core sees them: pending ones (with their dependencies resolved) and
 * running ones (with their allocations), read in one snapshot; and the write-back of pending
 * reasons, positions and estimates. For the scheduler loop only. Thread-safe.
 */
@Service
public class JobQueue {

    /** The jobs of one cycle, and the pending reasons the loop decides itself (array throttling). */
    public record Jobs(List<JobRequest> pending, List<RunningJob> running, List<PendingStatus> throttled) {
    }

    /** Writes the reasons' phrases for their JSON column; plain maps, so no configuration matters. */
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    /**
     * Per pending job, the English of the reason's phrase the database held at the cycle's {@link #read}: the next
     * {@link #writePending} writes a phrase only when the reason changed, as writing 10,000 of them as JSON every
     * cycle costs about 50 ms. Only the scheduling loop's thread calls both.
     */
    private volatile Map<Long, String> phrasedDetails = Map.of();

    public JobQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public Jobs read(Instant now) {
        Map<Long, DependencyState> deps = dependencies();
        Map<Long, Integer> arrayRunning = new HashMap<>();
        jdbc.sql("SELECT array_parent, count(*) FROM jobs WHERE array_parent IS NOT NULL AND state IN ('STARTING','RUNNING') "
                + "GROUP BY array_parent").query(rs -> {
                    arrayRunning.put(rs.getLong(1), rs.getInt(2));
                });
        List<JobRequest> pending = new ArrayList<>();
        List<PendingStatus> throttled = new ArrayList<>();
        Map<Long, Integer> arrayStarting = new HashMap<>();
        Map<Long, String> phrased = new HashMap<>();
        jdbc.sql("""
                SELECT j.*, o.name AS organisation, a.username, j.pending_phrase->>'english' AS phrase_english
                FROM jobs j
                JOIN organisations o ON o.id = j.organisation_id JOIN accounts a ON a.id = j.account_id
                WHERE j.state IN ('PENDING', 'HELD') ORDER BY j.id""").query(rs -> {
                    long id = rs.getLong("id");
                    String phraseEnglish = rs.getString("phrase_english");
                    if (phraseEnglish != null) {
                        phrased.put(id, phraseEnglish);
                    }
                    Long parent = (Long) rs.getObject("array_parent");
                    Integer max = (Integer) rs.getObject("array_max_running");
                    if (parent != null && max != null && rs.getString("state").equals("PENDING")) {
                        int running = arrayRunning.getOrDefault(parent, 0);
                        int admitted = arrayStarting.getOrDefault(parent, 0);
                        if (running + admitted >= max) {
                            throttled.add(new PendingStatus(new JobId(id), PendingReason.QUEUE_LIMIT,
                                    Phrase.of(ReasonDetail.ARRAY_LIMIT, parent, max), 0, 0, Optional.empty()));
                            return;
                        }
                        arrayStarting.merge(parent, 1, Integer::sum);
                    }
                    pending.add(request(rs, deps.getOrDefault(id, DependencyState.SATISFIED)));
                });
        Map<Long, List<NodeAllocation>> parts = new LinkedHashMap<>();
        jdbc.sql("""
                SELECT l.job_id, n.name, l.gpu_indices, sum(l.cores) AS cores, sum(l.memory_mb) AS mem
                FROM launches l JOIN jobs j ON j.id = l.job_id AND j.run = l.run JOIN nodes n ON n.id = l.node_id
                WHERE j.state IN ('STARTING', 'RUNNING') AND l.state IN ('LAUNCHING', 'RUNNING')
                GROUP BY l.job_id, n.name, l.gpu_indices, l.node_rank ORDER BY l.job_id, l.node_rank""").query(rs -> {
                    Integer[] gpus = (Integer[]) rs.getArray(3).getArray();
                    parts.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new NodeAllocation(
                            new NodeName(rs.getString(2)), List.of(gpus), rs.getInt(4), rs.getLong(5)));
                });
        List<RunningJob> running = new ArrayList<>();
        jdbc.sql("""
                SELECT j.*, o.name AS organisation, a.username FROM jobs j
                JOIN organisations o ON o.id = j.organisation_id JOIN accounts a ON a.id = j.account_id
                WHERE j.state IN ('STARTING', 'RUNNING') ORDER BY j.id""").query(rs -> {
                    long id = rs.getLong("id");
                    List<NodeAllocation> p = parts.get(id);
                    if (p == null || p.isEmpty()) {
                        return; // its processes have all ended; the gateway settles it
                    }
                    Instant started = rs.getTimestamp("started_at").toInstant();
                    running.add(new RunningJob(request(rs, DependencyState.SATISFIED), new Allocation(p), started,
                            started.plusSeconds(rs.getLong("walltime_s")), rs.getString("stop_requested") != null));
                });
        phrasedDetails = phrased;
        return new Jobs(pending, running, throttled);
    }

    private Map<Long, DependencyState> dependencies() {
        Map<Long, DependencyState> out = new HashMap<>();
        jdbc.sql("""
                SELECT d.job_id, d.kind, o.state FROM job_dependencies d
                JOIN jobs j ON j.id = d.job_id AND j.state IN ('PENDING', 'HELD') JOIN jobs o ON o.id = d.on_job""")
                .query(rs -> {
                    long id = rs.getLong(1);
                    JobState other = JobState.valueOf(rs.getString(3));
                    DependencyState s = switch (rs.getString(2)) {
                        case "afterok" -> other == JobState.COMPLETED ? DependencyState.SATISFIED
                                : other.terminal() ? DependencyState.NEVER : DependencyState.WAITING;
                        case "afternotok" -> other == JobState.COMPLETED ? DependencyState.NEVER
                                : other.terminal() ? DependencyState.SATISFIED : DependencyState.WAITING;
                        default -> other.terminal() ? DependencyState.SATISFIED : DependencyState.WAITING;
                    };
                    out.merge(id, s, JobQueue::worst);
                });
        return out;
    }

    private static DependencyState worst(DependencyState a, DependencyState b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    private static JobRequest request(ResultSet rs, DependencyState dependency) throws SQLException {
        String flavor = rs.getString("gpu_flavor");
        Integer minMemory = (Integer) rs.getObject("min_gpu_memory_mb");
        GpuConstraint gpus = flavor != null ? new GpuConstraint.ExactFlavor(GpuFlavor.parse(flavor))
                : minMemory != null ? new GpuConstraint.MinMemory(minMemory) : GpuConstraint.ANY;
        return JobRequest.builder(new JobId(rs.getLong("id")), new OrgName(rs.getString("organisation")),
                new QueueName(rs.getString("queue")), rs.getTimestamp("eligible_at").toInstant())
                .user(rs.getString("username"))
                .shape(new JobShape.Nodes(rs.getInt("nodes"), rs.getInt("gpus_per_node")))
                .gpus(gpus)
                .resources(new Resources(rs.getInt("cores_per_node"), rs.getLong("mem_per_node_mb"),
                        rs.getInt("cores_per_gpu"), rs.getLong("mem_per_gpu_mb")))
                .wallTime(Duration.ofSeconds(rs.getLong("walltime_s")))
                .type(JobType.valueOf(rs.getString("type")))
                .preemptible(rs.getBoolean("preemptible"))
                .held(rs.getString("state").equals("HELD"))
                .dependency(dependency)
                .attainedGpuSeconds(rs.getDouble("attained_gpu_seconds"))
                // The last cycle's estimated start exists only for a job it gave a reservation to.
                .holdsReservation(rs.getTimestamp("estimated_start") != null)
                .build();
    }

    /** Writes the reasons, positions, priorities and estimates of the jobs left pending, in one statement. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void writePending(List<PendingStatus> statuses) {
        if (statuses.isEmpty()) {
            return;
        }
        int n = statuses.size();
        // All as text arrays, cast in SQL: the driver encodes String[] everywhere.
        String[] ids = new String[n];
        String[] reasons = new String[n];
        String[] details = new String[n];
        String[] phrases = new String[n];
        String[] positions = new String[n];
        String[] priorities = new String[n];
        String[] estimates = new String[n];
        for (int i = 0; i < n; i++) {
            PendingStatus s = statuses.get(i);
            ids[i] = Long.toString(s.job().value());
            reasons[i] = s.reason().name();
            details[i] = s.details();
            phrases[i] = details[i].equals(phrasedDetails.get(s.job().value())) ? null
                    : JSON.writeValueAsString(s.said().toMap());
            positions[i] = s.queuePosition() > 0 ? Integer.toString(s.queuePosition()) : null;
            priorities[i] = Long.toString(s.priority());
            estimates[i] = s.estimatedStart().map(Instant::toString).orElse(null);
        }
        jdbc.sql("""
                UPDATE jobs j SET pending_reason = u.reason, pending_detail = u.detail,
                  pending_phrase = coalesce(u.phrase, j.pending_phrase),
                  queue_position = u.position, priority = u.priority, estimated_start = u.estimate
                FROM unnest(?::bigint[], ?::text[], ?::text[], ?::jsonb[], ?::int[], ?::bigint[], ?::timestamptz[])
                  AS u(id, reason, detail, phrase, position, priority, estimate)
                WHERE j.id = u.id AND j.state IN ('PENDING', 'HELD')
                  AND (j.pending_reason IS DISTINCT FROM u.reason OR j.pending_detail IS DISTINCT FROM u.detail
                    OR j.queue_position IS DISTINCT FROM u.position OR j.priority IS DISTINCT FROM u.priority
                    OR j.estimated_start IS DISTINCT FROM u.estimate)""")
                .params(ids, reasons, details, phrases, positions, priorities, estimates).update();
    }
}
