package fr.catie.vaniila.jobs;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.platform.VaniilaProperties;
import fr.catie.vaniila.wording.Phrase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * The state machine of jobs, for the platform's own components (the scheduler loop, the agent
 * gateway): starting a run on an allocation, stopping it, and settling a job when its processes
 * have ended. Callers hold the transaction; every change is recorded in the job's timeline.
 * Why a job ended and the details of its timeline are phrases: their English in {@code end_reason} and
 * {@code detail}, as the REST API and SSH read them, the phrase beside it for the web pages.
 * Not for users: {@link Jobs} is their API. Thread-safe.
 */
@Service
public class JobControl {

    private static final Logger log = LoggerFactory.getLogger(JobControl.class);

    /** What the scheduler decided to start: one part per node, in node-rank order; the detail of its timeline. */
    public record StartPlan(long jobId, List<NodePart> parts, Instant endsBy, Phrase detail) {
    }

    /** The share of one node: its GPUs (by index), cores and memory, and its GPU flavor. */
    public record NodePart(String node, List<Integer> gpus, int cores, long memoryMb, String flavor) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final JsonMapper json;
    private final VaniilaProperties properties;
    private final ApplicationEventPublisher events;

    public JobControl(JdbcClient jdbc, Clock clock, JsonMapper json, VaniilaProperties properties,
            ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.json = json;
        this.properties = properties;
        this.events = events;
    }

    /** Records a change of state in the job's timeline; the detail may be null. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void transition(long jobId, String from, String to, Phrase detail) {
        jdbc.sql("""
                INSERT INTO job_transitions (job_id, at, from_state, to_state, detail, detail_phrase)
                VALUES (?, ?, ?, ?, ?, ?::jsonb)""")
                .params(jobId, ts(clock.instant()), from, to, PhraseColumn.english(detail), PhraseColumn.write(detail))
                .update();
    }

    /** Moves a job from one state to another, or fails with CONFLICT when it is no longer in {@code from}. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void move(long jobId, JobState from, JobState to, Phrase detail) {
        int n = jdbc.sql("UPDATE jobs SET state = ?, updated_at = now() WHERE id = ? AND state = ?")
                .params(to.name(), jobId, from.name()).update();
        if (n == 0) {
            throw Problem.of(Problem.Kind.CONFLICT, JobRefusal.NO_LONGER, jobId, from);
        }
        transition(jobId, from.name(), to.name(), detail);
    }

    private JobState lockState(long jobId) {
        return JobState.valueOf(jdbc.sql("SELECT state FROM jobs WHERE id = ? FOR UPDATE").param(jobId)
                .query(String.class).single());
    }

    /** Cancels a waiting job at once; asks the agents to stop a running one. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void cancel(long jobId, Phrase detail) {
        JobState state = lockState(jobId);
        switch (state) {
            case PENDING, HELD -> {
                jdbc.sql("""
                        UPDATE jobs SET state = 'CANCELLED', ended_at = ?, end_reason = ?, end_phrase = ?::jsonb,
                          updated_at = now() WHERE id = ?""")
                        .params(ts(clock.instant()), detail.english(), PhraseColumn.write(detail), jobId).update();
                transition(jobId, state.name(), "CANCELLED", detail);
            }
            case STARTING, RUNNING -> {
                // The reason waits beside the stop until the processes have ended: settle then ends the job with it.
                jdbc.sql("UPDATE jobs SET stop_requested = 'CANCELLED', end_reason = ?, end_phrase = ?::jsonb WHERE id = ?")
                        .params(detail.english(), PhraseColumn.write(detail), jobId).update();
                stopLaunches(jobId, "CANCELLED", properties.agents().stopGrace().toSeconds());
                transition(jobId, state.name(), state.name(), Phrase.of(TimelineDetail.STOP_REQUESTED, detail));
            }
            default -> throw Problem.of(Problem.Kind.CONFLICT, JobRefusal.CANCEL_ENDED, jobId, state);
        }
    }

    /** Requeues: a running job is stopped and then pending again; an ended job is pending again. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void requeue(long jobId, Phrase detail) {
        JobState state = lockState(jobId);
        switch (state) {
            case STARTING, RUNNING -> {
                jdbc.sql("UPDATE jobs SET stop_requested = 'REQUEUE' WHERE id = ?").param(jobId).update();
                stopLaunches(jobId, "REQUEUE", properties.agents().stopGrace().toSeconds());
                transition(jobId, state.name(), state.name(), Phrase.of(TimelineDetail.STOP_REQUESTED, detail));
            }
            case PENDING, HELD -> throw Problem.of(Problem.Kind.CONFLICT, JobRefusal.REQUEUE_QUEUED, jobId, state);
            default -> {
                backToQueue(jobId, state, detail);
            }
        }
    }

    /** Preemption decided by the scheduler: stop with the grace, then requeue. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void preempt(long jobId, long graceSeconds, Phrase detail) {
        JobState state = lockState(jobId);
        if (!state.onNodes()) {
            return;
        }
        int n = jdbc.sql("""
                UPDATE jobs SET stop_requested = 'PREEMPTED', end_reason = ?, end_phrase = ?::jsonb
                WHERE id = ? AND stop_requested IS NULL""")
                .params(detail.english(), PhraseColumn.write(detail), jobId).update();
        if (n > 0) {
            stopLaunches(jobId, "PREEMPTED", graceSeconds);
            transition(jobId, state.name(), state.name(), Phrase.of(TimelineDetail.PREEMPTION, detail));
        }
    }

    private void backToQueue(long jobId, JobState from, Phrase detail) {
        jdbc.sql("""
                UPDATE jobs SET state = 'PENDING', held = FALSE, eligible_at = ?, started_at = NULL, ended_at = NULL,
                  exit_code = NULL, end_reason = NULL, end_phrase = NULL, stop_requested = NULL, pending_reason = NULL,
                  pending_detail = NULL, pending_phrase = NULL, updated_at = now() WHERE id = ?""")
                .params(ts(clock.instant()), jobId).update();
        transition(jobId, from.name(), "PENDING", detail);
        events.publishEvent(new Jobs.JobsChanged("requeued"));
    }

    /** Sends STOP to every live process of the job's current run. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void stopLaunches(long jobId, String reason, long graceSeconds) {
        List<Object[]> live = jdbc.sql("""
                SELECT l.id, l.node_id FROM launches l JOIN jobs j ON j.id = l.job_id AND j.run = l.run
                WHERE l.job_id = ? AND l.state IN ('LAUNCHING', 'RUNNING')""")
                .param(jobId).query((rs, n) -> new Object[] {rs.getObject(1, UUID.class), rs.getLong(2)}).list();
        for (Object[] l : live) {
            UUID commandId = UUID.randomUUID();
            Map<String, Object> cmd = new LinkedHashMap<>();
            cmd.put("commandId", commandId.toString());
            cmd.put("type", "STOP");
            cmd.put("launchId", l[0].toString());
            cmd.put("jobId", jobId);
            // Agents know CANCELLED and TIMEOUT; why the portal stops the job is in jobs.stop_requested.
            cmd.put("reason", "TIMEOUT".equals(reason) ? "TIMEOUT" : "CANCELLED");
            cmd.put("graceSeconds", graceSeconds);
            jdbc.sql("INSERT INTO agent_commands (id, node_id, type, launch_id, payload) VALUES (?, ?, 'STOP', ?, ?::jsonb)")
                    .params(commandId, l[1], l[0], json.writeValueAsString(cmd)).update();
        }
        if (!live.isEmpty()) {
            events.publishEvent(new CommandsQueued());
        }
    }

    /** Published when agents have new commands, so that waiting syncs answer at once. */
    public record CommandsQueued() {
    }

    // ------------------------------------------------------------------ start

    /**
     * Starts a run of a pending job on the given parts, re-checking inside the caller's transaction
     * that the job is still pending and that no GPU is claimed by another job. Returns false (and
     * writes nothing) when either no longer holds; the caller wraps each start in a savepoint.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean start(StartPlan plan) {
        Map<String, Object> job = jdbc.sql("""
                SELECT j.*, a.username, a.uid, o.name AS organisation FROM jobs j
                JOIN accounts a ON a.id = j.account_id JOIN organisations o ON o.id = j.organisation_id
                WHERE j.id = ? AND j.state = 'PENDING' FOR UPDATE OF j""").param(plan.jobId()).query().listOfRows()
                .stream().findFirst().orElse(null);
        if (job == null) {
            return false;
        }
        int run = ((Number) job.get("run")).intValue() + 1;
        Instant now = clock.instant();
        // Capacity and claims, re-checked here: a GPU already claimed by another job aborts this start.
        for (NodePart part : plan.parts()) {
            Map<String, Object> node = jdbc.sql("SELECT id, state, cores, memory_mb FROM nodes WHERE name = ? FOR UPDATE")
                    .param(part.node()).query().listOfRows().stream().findFirst().orElse(null);
            if (node == null || !"UP".equals(node.get("state"))) {
                return false;
            }
            long nodeId = ((Number) node.get("id")).longValue();
            Map<String, Object> used = jdbc.sql("""
                    SELECT coalesce(sum(cores), 0) AS cores, coalesce(sum(memory_mb), 0) AS mem FROM launches
                    WHERE node_id = ? AND state IN ('LAUNCHING', 'RUNNING')""").param(nodeId).query().singleRow();
            if (((Number) used.get("cores")).longValue() + part.cores() > ((Number) node.get("cores")).longValue()
                    || ((Number) used.get("mem")).longValue() + part.memoryMb() > ((Number) node.get("memory_mb")).longValue()) {
                return false;
            }
            for (int gpu : part.gpus()) {
                int claimed = jdbc.sql("INSERT INTO gpu_claims (node_id, gpu_index, job_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                        .params(nodeId, gpu, plan.jobId()).update();
                if (claimed == 0) {
                    throw new GpuTaken(part.node(), gpu);
                }
            }
        }
        int tasksPerNode = ((Number) job.get("tasks_per_node")).intValue();
        int worldSize = plan.parts().size() * tasksPerNode;
        String masterAddress = jdbc.sql("SELECT coalesce(address, '127.0.0.1') FROM nodes WHERE name = ?")
                .param(plan.parts().get(0).node()).query(String.class).single();
        int masterPort = 20000 + (int) (plan.jobId() % 30000);
        String username = (String) job.get("username");
        int uid = ((Number) job.get("uid")).intValue();
        @SuppressWarnings("unchecked")
        Map<String, String> userEnv = json.readValue(job.get("env").toString(), Map.class);
        for (int nodeRank = 0; nodeRank < plan.parts().size(); nodeRank++) {
            NodePart part = plan.parts().get(nodeRank);
            long nodeId = jdbc.sql("SELECT id FROM nodes WHERE name = ?").param(part.node()).query(Long.class).single();
            for (int local = 0; local < tasksPerNode; local++) {
                int rank = nodeRank * tasksPerNode + local;
                UUID launchId = UUID.randomUUID();
                // Cores and memory of the node are split among its tasks; the first takes the remainder.
                int cores = part.cores() / tasksPerNode + (local == 0 ? part.cores() % tasksPerNode : 0);
                long memory = part.memoryMb() / tasksPerNode + (local == 0 ? part.memoryMb() % tasksPerNode : 0);
                jdbc.sql("""
                        INSERT INTO launches (id, job_id, run, node_id, node_rank, local_rank, rank, gpu_indices, cores,
                          memory_mb, flavor) VALUES (?, ?, ?, ?, ?, ?, ?, ?::int[], ?, ?, ?)""")
                        .params(launchId, plan.jobId(), run, nodeId, nodeRank, local, rank, intArray(part.gpus()),
                                cores, memory, part.flavor()).update();
                Map<String, String> env = new LinkedHashMap<>(userEnv);
                env.put("VANIILA_JOB_ID", Long.toString(plan.jobId()));
                env.put("VANIILA_JOB_NAME", (String) job.get("name"));
                env.put("VANIILA_QUEUE", (String) job.get("queue"));
                env.put("SLURM_JOB_ID", Long.toString(plan.jobId()));
                env.put("SLURM_JOB_NAME", (String) job.get("name"));
                env.put("SLURM_JOB_PARTITION", (String) job.get("queue"));
                env.put("SLURM_JOB_NUM_NODES", Integer.toString(plan.parts().size()));
                env.put("SLURM_NODEID", Integer.toString(nodeRank));
                env.put("SLURM_PROCID", Integer.toString(rank));
                env.put("SLURM_NTASKS", Integer.toString(worldSize));
                env.put("SLURM_CPUS_ON_NODE", Integer.toString(cores));
                env.put("SLURMD_NODENAME", part.node());
                String nodeList = String.join(",", plan.parts().stream().map(NodePart::node).toList());
                env.put("SLURM_JOB_NODELIST", nodeList);
                env.put("SLURM_NODELIST", nodeList);
                Object arrayIndex = job.get("array_index");
                if (arrayIndex != null) {
                    env.put("SLURM_ARRAY_JOB_ID", String.valueOf(job.get("array_parent")));
                    env.put("SLURM_ARRAY_TASK_ID", String.valueOf(arrayIndex));
                }
                env.put("MASTER_ADDR", masterAddress);
                env.put("MASTER_PORT", Integer.toString(masterPort));
                env.put("WORLD_SIZE", Integer.toString(worldSize));
                env.put("RANK", Integer.toString(rank));
                env.put("LOCAL_RANK", Integer.toString(local));
                env.put("LOCAL_WORLD_SIZE", Integer.toString(tasksPerNode));
                env.put("NODE_RANK", Integer.toString(nodeRank));
                String stdout = suffix((String) job.get("stdout_path"), rank);
                String stderr = suffix((String) job.get("stderr_path"), rank);
                String workdir = (String) job.get("workdir");
                Map<String, Object> launch = new LinkedHashMap<>();
                launch.put("launchId", launchId.toString());
                launch.put("jobId", plan.jobId());
                launch.put("jobName", job.get("name"));
                launch.put("kind", job.get("type"));
                launch.put("user", Map.of("name", username, "uid", uid, "gid", uid, "workspace",
                        workspaceOf(workdir, (String) job.get("organisation"), username)));
                launch.put("workdir", "TRAINING".equals(job.get("type"))
                        ? workspaceOf(workdir, (String) job.get("organisation"), username) + "/.vaniila/jobs/" + plan.jobId() + "/rank-" + rank
                        : workdir);
                boolean training = "TRAINING".equals(job.get("type"));
                String jobsDir = workspaceOf(workdir, (String) job.get("organisation"), username) + "/.vaniila/jobs/" + plan.jobId();
                // A training rank keeps its directory across runs: rank 0's checkpoints there are how a
                // requeued or preempted run resumes.
                launch.put("jobDir", training ? jobsDir + "/rank-" + rank
                        : jobsDir + (run > 1 ? "-" + run : "") + (tasksPerNode * plan.parts().size() > 1 ? "/rank-" + rank : ""));
                launch.put("script", job.get("script"));
                launch.put("argv", training ? trainingArgv(job) : null);
                launch.put("stdout", stdout);
                launch.put("stderr", stderr);
                launch.put("cores", cores);
                launch.put("memoryMb", memory);
                // Every task of a batch job sees the node's GPUs, as under torchrun (LOCAL_RANK picks one); a
                // training rank sees its own GPU only.
                launch.put("gpuIndices", training && part.gpus().size() == tasksPerNode ? List.of(part.gpus().get(local))
                        : part.gpus());
                launch.put("walltimeSeconds", ((Number) job.get("walltime_s")).longValue());
                launch.put("graceSeconds", properties.agents().stopGrace().toSeconds());
                launch.put("env", env);
                UUID commandId = UUID.randomUUID();
                Map<String, Object> cmd = new LinkedHashMap<>();
                cmd.put("commandId", commandId.toString());
                cmd.put("type", "LAUNCH");
                cmd.put("launch", launch);
                jdbc.sql("INSERT INTO agent_commands (id, node_id, type, launch_id, payload) VALUES (?, ?, 'LAUNCH', ?, ?::jsonb)")
                        .params(commandId, nodeId, launchId, json.writeValueAsString(cmd)).update();
            }
        }
        jdbc.sql("""
                UPDATE jobs SET state = 'STARTING', run = ?, started_at = ?, ended_at = NULL, exit_code = NULL,
                  end_reason = NULL, end_phrase = NULL, stop_requested = NULL, pending_reason = NULL, pending_detail = NULL,
                  pending_phrase = NULL,
                  queue_position = NULL, estimated_start = NULL, updated_at = now() WHERE id = ?""")
                .params(run, ts(now), plan.jobId()).update();
        transition(plan.jobId(), "PENDING", "STARTING", plan.detail());
        return true;
    }

    private List<String> trainingArgv(Map<String, Object> job) {
        @SuppressWarnings("unchecked")
        Map<String, Object> training = json.readValue(job.get("training").toString(), Map.class);
        @SuppressWarnings("unchecked")
        List<String> argv = (List<String>) training.get("argv");
        return argv;
    }

    /** Thrown inside a start when a GPU is already claimed: the caller rolls the start back to its savepoint. */
    public static final class GpuTaken extends RuntimeException {
        GpuTaken(String node, int gpu) {
            super("GPU " + gpu + " of " + node + " is already claimed");
        }
    }

    private static String workspaceOf(String workdir, String organisation, String username) {
        String marker = "/" + organisation + "/" + username;
        int i = workdir.indexOf(marker);
        return i < 0 ? workdir : workdir.substring(0, i + marker.length());
    }

    /** Rank 0 writes to the job's files; other ranks to the same names with their rank before the extension. */
    static String suffix(String path, int rank) {
        if (rank == 0 || path == null) {
            return path;
        }
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash ? path.substring(0, dot) + "." + rank + path.substring(dot) : path + "." + rank;
    }

    // ------------------------------------------------------------------ settle

    /**
     * Settles a job whose processes of the current run have all ended (or one failed): decides the
     * final state, releases its GPUs, writes its usage, and requeues it when the stop asked for it.
     * Does nothing while processes still run, except stopping them when one failed.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void settle(long jobId) {
        Map<String, Object> job = jdbc.sql("SELECT * FROM jobs WHERE id = ? FOR UPDATE").param(jobId).query().listOfRows()
                .stream().findFirst().orElse(null);
        if (job == null) {
            return;
        }
        JobState state = JobState.valueOf((String) job.get("state"));
        if (!state.onNodes()) {
            return;
        }
        int run = ((Number) job.get("run")).intValue();
        List<Map<String, Object>> launches = jdbc.sql("SELECT * FROM launches WHERE job_id = ? AND run = ? ORDER BY rank")
                .params(jobId, run).query().listOfRows();
        boolean anyLive = launches.stream().anyMatch(l -> "LAUNCHING".equals(l.get("state")) || "RUNNING".equals(l.get("state")));
        boolean anyBad = launches.stream().anyMatch(l -> "FAILED".equals(l.get("state")) || "LOST".equals(l.get("state"))
                || ("EXITED".equals(l.get("state")) && !Integer.valueOf(0).equals(l.get("exit_code"))));
        String stop = (String) job.get("stop_requested");
        if (anyLive) {
            if (anyBad && stop == null) {
                // One rank failed: the others cannot finish the job, stop them as Slurm stops a step.
                boolean lost = launches.stream().anyMatch(l -> "LOST".equals(l.get("state")));
                jdbc.sql("UPDATE jobs SET stop_requested = ? WHERE id = ?").params(lost ? "NODE_FAIL" : "FAILED", jobId).update();
                stopLaunches(jobId, "CANCELLED", properties.agents().stopGrace().toSeconds());
            }
            if (state == JobState.STARTING && launches.stream().noneMatch(l -> "LAUNCHING".equals(l.get("state")))) {
                move(jobId, JobState.STARTING, JobState.RUNNING, Phrase.of(TimelineDetail.ALL_STARTED));
            }
            return;
        }
        Instant now = clock.instant();
        JobState outcome;
        Phrase detail;
        Integer exitCode = null;
        for (Map<String, Object> l : launches) {
            Integer code = (Integer) l.get("exit_code");
            if (code != null && (exitCode == null || (exitCode == 0 && code != 0))) {
                exitCode = code;
            }
        }
        Optional<Map<String, Object>> lost = launches.stream().filter(l -> "LOST".equals(l.get("state"))).findFirst();
        Optional<Map<String, Object>> failed = launches.stream().filter(l -> "FAILED".equals(l.get("state"))).findFirst();
        boolean timeout = launches.stream().anyMatch(l -> "TIMEOUT".equals(l.get("exit_reason")));
        // The node's cgroup killed a process of the job at its memory limit (Slurm's OUT_OF_MEMORY).
        Optional<Map<String, Object>> outOfMemory = launches.stream()
                .filter(l -> "OUT_OF_MEMORY".equals(l.get("exit_reason"))).findFirst();
        if ("CANCELLED".equals(stop)) {
            outcome = JobState.CANCELLED;
            detail = stored(job, "end_reason", "end_phrase");
        } else if ("PREEMPTED".equals(stop)) {
            outcome = JobState.PREEMPTED;
            detail = stored(job, "end_reason", "end_phrase");
        } else if ("REQUEUE".equals(stop)) {
            outcome = JobState.PENDING;
            detail = Phrase.of(EndReason.REQUEUED);
        } else if (lost.isPresent() || "NODE_FAIL".equals(stop)) {
            outcome = JobState.NODE_FAIL;
            detail = lost.map(l -> stored(l, "message", "message_phrase")).orElse(Phrase.of(EndReason.NODE_FAILED));
        } else if (failed.isPresent()) {
            outcome = JobState.FAILED;
            detail = stored(failed.get(), "message", "message_phrase");
        } else if (timeout) {
            outcome = JobState.TIMEOUT;
            detail = Phrase.of(EndReason.WALL_TIME_REACHED,
                    Walltime.format(java.time.Duration.ofSeconds(((Number) job.get("walltime_s")).longValue())));
        } else {
            // Out of memory fails the job even when the script went on and exited 0, as Slurm's OUT_OF_MEMORY: its
            // work is likely lost.
            outcome = exitCode != null && exitCode == 0 && outOfMemory.isEmpty() ? JobState.COMPLETED : JobState.FAILED;
            detail = exitReason(exitCode, outOfMemory);
        }
        release(jobId);
        recordUsage(jobId, run, now);
        events.publishEvent(new RunEnded(jobId, run, outcome));
        if (outcome == JobState.PENDING) {
            backToQueue(jobId, state, detail);
            return;
        }
        jdbc.sql("""
                UPDATE jobs SET state = ?, ended_at = ?, exit_code = ?, end_reason = ?, end_phrase = ?::jsonb,
                  stop_requested = NULL, updated_at = now() WHERE id = ?""")
                .params(outcome.name(), ts(now), exitCode, PhraseColumn.english(detail), PhraseColumn.write(detail), jobId)
                .update();
        transition(jobId, state.name(), outcome.name(), detail);
        boolean requeueable = Boolean.TRUE.equals(job.get("requeueable"));
        // An interactive job's terminal is gone with its run: started again, nobody would be at it.
        boolean interactive = "INTERACTIVE".equals(job.get("type"));
        if (!interactive && (outcome == JobState.PREEMPTED || (outcome == JobState.NODE_FAIL && requeueable))) {
            backToQueue(jobId, outcome, Phrase.of(outcome == JobState.PREEMPTED ? TimelineDetail.REQUEUED_AFTER_PREEMPTION
                    : TimelineDetail.REQUEUED_AFTER_NODE_FAILURE));
        }
        events.publishEvent(new Jobs.JobsChanged("run ended"));
    }

    /**
     * The exit code of a run whose processes all exited; when the node killed one at its memory limit, also what went
     * over which limit and what to change.
     */
    static Phrase exitReason(Integer exitCode, Optional<Map<String, Object>> outOfMemory) {
        return outOfMemory.map(l -> Phrase.of(EndReason.EXIT_CODE_OUT_OF_MEMORY, exitCode, l.get("memory_mb")))
                .orElseGet(() -> Phrase.of(EndReason.EXIT_CODE, exitCode));
    }

    /**
     * The phrase of a row's English column and its phrase column (a JSONB value, read as its text), or the English
     * alone when the row has no phrase; null when it has no English either.
     */
    private static Phrase stored(Map<String, Object> row, String englishColumn, String phraseColumn) {
        Object phrase = row.get(phraseColumn);
        return PhraseColumn.readOrEnglish(phrase == null ? null : phrase.toString(), (String) row.get(englishColumn));
    }

    /** Published when a run of a job ended, with its outcome. */
    public record RunEnded(long jobId, int run, JobState outcome) {
    }

    private void release(long jobId) {
        jdbc.sql("DELETE FROM gpu_claims WHERE job_id = ?").param(jobId).update();
        jdbc.sql("UPDATE agent_commands SET done_at = now() WHERE done_at IS NULL AND launch_id IN "
                + "(SELECT id FROM launches WHERE job_id = ? AND state NOT IN ('LAUNCHING', 'RUNNING'))").param(jobId).update();
    }

    /** GPU-seconds and core-seconds of the run, per flavor; actually used GPU time from the agents' samples. */
    private void recordUsage(long jobId, int run, Instant now) {
        jdbc.sql("""
                INSERT INTO usage_records (job_id, run, organisation_id, account_id, flavor, gpus, cores, started_at,
                  ended_at, gpu_seconds, core_seconds, used_gpu_seconds)
                SELECT j.id, l.run, j.organisation_id, j.account_id, coalesce(l.flavor, 'cpu'),
                  sum(cardinality(l.gpu_indices)) FILTER (WHERE l.local_rank = 0), sum(l.cores),
                  min(coalesce(l.started_at, l.created_at)), max(coalesce(l.ended_at, ?)),
                  sum(CASE WHEN l.local_rank = 0 THEN cardinality(l.gpu_indices) ELSE 0 END
                      * extract(epoch FROM coalesce(l.ended_at, ?) - coalesce(l.started_at, l.created_at))),
                  sum(l.cores * extract(epoch FROM coalesce(l.ended_at, ?) - coalesce(l.started_at, l.created_at))),
                  CASE WHEN sum(l.gpu_util_samples) > 0 THEN
                    sum(CASE WHEN l.local_rank = 0 THEN cardinality(l.gpu_indices) ELSE 0 END
                      * extract(epoch FROM coalesce(l.ended_at, ?) - coalesce(l.started_at, l.created_at))
                      * (l.gpu_util_sum / greatest(l.gpu_util_samples, 1)) / 100.0) END
                FROM launches l JOIN jobs j ON j.id = l.job_id
                WHERE l.job_id = ? AND l.run = ?
                GROUP BY j.id, l.run, j.organisation_id, j.account_id, coalesce(l.flavor, 'cpu')
                ON CONFLICT DO NOTHING""")
                .params(ts(now), ts(now), ts(now), ts(now), jobId, run).update();
        jdbc.sql("UPDATE jobs SET attained_gpu_seconds = attained_gpu_seconds + coalesce((SELECT sum(gpu_seconds) "
                + "FROM usage_records WHERE job_id = ? AND run = ?), 0) WHERE id = ?").params(jobId, run, jobId).update();
    }

    static String intArray(List<Integer> values) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            sb.append(i > 0 ? "," : "").append(values.get(i));
        }
        return sb.append('}').toString();
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

}
