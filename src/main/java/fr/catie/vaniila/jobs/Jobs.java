package fr.catie.vaniila.jobs;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonIgnore;
import fr.catie.vaniila.files.Workspaces;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.Role;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.platform.VaniilaProperties;
import fr.catie.vaniila.queues.QueueSpec;
import fr.catie.vaniila.queues.Queues;
import fr.catie.vaniila.quotas.Quotas;
import fr.catie.vaniila.scheduler.ClusterSnapshot;
import fr.catie.vaniila.scheduler.DecayedUsage;
import fr.catie.vaniila.scheduler.DependencyState;
import fr.catie.vaniila.scheduler.Feasibility;
import fr.catie.vaniila.scheduler.GpuConstraint;
import fr.catie.vaniila.scheduler.GpuFlavor;
import fr.catie.vaniila.scheduler.InvalidFlavor;
import fr.catie.vaniila.scheduler.JobId;
import fr.catie.vaniila.scheduler.JobRequest;
import fr.catie.vaniila.scheduler.JobShape;
import fr.catie.vaniila.scheduler.JobType;
import fr.catie.vaniila.scheduler.OrgName;
import fr.catie.vaniila.scheduler.QueueName;
import fr.catie.vaniila.scheduler.Resources;
import fr.catie.vaniila.scheduler.Scheduler;
import fr.catie.vaniila.wording.Phrase;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Module API for jobs: submit, read, cancel, hold, release, requeue, logs and metrics. Every call
 * is scoped to the caller: a user sees its own jobs, an organisation admin its organisation's, a
 * platform admin all; another organisation's job reads as absent (404). Every state change is one
 * transaction, recorded in the job's timeline, and published as {@link JobsChanged}. Thread-safe.
 */
@Service
public class Jobs {

    /** Published after jobs were submitted or changed, so that the scheduler loop runs soon. */
    public record JobsChanged(String why) {
    }

    /** The answer to a submission: the job's id, and for an array the ids of all its tasks. */
    public record Submitted(long id, List<Long> taskIds, JobState state) {
    }

    /**
     * One change of state, for the job's timeline.
     *
     * @param detail       why, in English; null when nothing more is said
     * @param detailPhrase the detail as a phrase for the pages that say it in the user's language; null for details
     *                     written before it was kept and for those that exist in English only; not part of the REST
     *                     API, whose {@code detail} stays the English
     */
    public record Transition(Instant at, String from, String to, String detail, @JsonIgnore Phrase detailPhrase) {
    }

    /** A piece of a job's log. */
    public record LogPiece(long offset, long next, boolean truncated, boolean complete, String data) {
    }

    static final int DEFAULT_MEM_PER_GPU_MB = 4096;
    static final int DEFAULT_MEM_PER_NODE_MB = 2048;

    private final JdbcClient jdbc;
    private final Queues queues;
    private final Quotas quotas;
    private final Nodes nodes;
    private final Workspaces workspaces;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final VaniilaProperties properties;
    private final JsonMapper json;
    private final JobControl control;

    public Jobs(JdbcClient jdbc, Queues queues, Quotas quotas, Nodes nodes, Workspaces workspaces,
            ApplicationEventPublisher events, Clock clock, VaniilaProperties properties, JsonMapper json,
            JobControl control) {
        this.jdbc = jdbc;
        this.queues = queues;
        this.quotas = quotas;
        this.nodes = nodes;
        this.workspaces = workspaces;
        this.events = events;
        this.clock = clock;
        this.properties = properties;
        this.json = json;
        this.control = control;
    }

    /**
     * Validates and stores a job (or the tasks of an array) as PENDING, or HELD when asked. An
     * impossible request (more GPUs than any node has, over the queue's limits) is refused at once
     * with the scheduler core's own reason (UNPROCESSABLE); malformed input is INVALID.
     */
    @Transactional
    public Submitted submit(Caller caller, JobSubmission s) {
        return submit(caller, s, false);
    }

    /**
     * Validates and stores an interactive job as PENDING: one node, no array, dependency or hold; its
     * {@code script} is the command line its terminal runs. Only for the interactive module, which
     * attaches the terminal the job's agent connects back to: a job submitted otherwise would run with
     * nobody at its terminal, which is why {@link #submit} refuses the type.
     */
    @Transactional
    public Submitted submitInteractive(Caller caller, JobSubmission s) {
        return submit(caller, s, true);
    }

    private Submitted submit(Caller caller, JobSubmission s, boolean interactive) {
        Map<String, Phrase> errors = new LinkedHashMap<>();
        JobType type = interactive ? JobType.INTERACTIVE : parseType(s.type(), errors);
        String script = s.script();
        if (type == JobType.BATCH) {
            if (script == null || script.isBlank()) {
                errors.put("script", Phrase.of(JobRefusal.SCRIPT_MISSING));
            } else if (script.getBytes(StandardCharsets.UTF_8).length > properties.jobs().maxScriptBytes()) {
                errors.put("script", Phrase.of(JobRefusal.SCRIPT_TOO_LONG, properties.jobs().maxScriptBytes()));
            } else if (script.indexOf('\0') >= 0) {
                errors.put("script", Phrase.of(JobRefusal.SCRIPT_NUL));
            }
        }
        if (type == JobType.INTERACTIVE && !interactive) {
            errors.put("type", Phrase.of(JobRefusal.INTERACTIVE_SUBMITTED));
        }
        if (interactive) {
            if (script == null || script.isBlank() || script.indexOf('\0') >= 0 || script.length() > 4096) {
                errors.put("script", Phrase.of(JobRefusal.INTERACTIVE_COMMAND));
            }
            if (s.nodes() != null && s.nodes() != 1) {
                errors.put("nodes", Phrase.of(JobRefusal.INTERACTIVE_NODES));
            }
            if (s.array() != null && !s.array().isBlank()) {
                errors.put("array", Phrase.of(JobRefusal.INTERACTIVE_ARRAY));
            }
            if (s.dependency() != null && !s.dependency().isBlank()) {
                errors.put("dependency", Phrase.of(JobRefusal.INTERACTIVE_DEPENDENCY));
            }
            if (Boolean.TRUE.equals(s.hold())) {
                errors.put("hold", Phrase.of(JobRefusal.INTERACTIVE_HOLD));
            }
        }
        fr.catie.vaniila.training.TrainingSpec training = null;
        if (type == JobType.TRAINING) {
            training = trainingSpec(caller, s, errors);
        } else if (s.training() != null) {
            errors.put("training", Phrase.of(JobRefusal.TRAINING_WITHOUT_TYPE));
        }
        int nodeCount = positive(s.nodes(), 1, "nodes", errors, 1, 1024);
        int gpusPerNode = nonNegative(s.gpusPerNode(), 0, "gpusPerNode", errors, 64);
        int tasksPerNode = positive(s.tasksPerNode(), 1, "tasksPerNode", errors, 1, 256);
        if (type == JobType.TRAINING) {
            // One rank per GPU; without GPUs, the CPU ranks asked for (each its own process and core).
            tasksPerNode = gpusPerNode > 0 ? gpusPerNode : positive(s.ranks(), 1, "ranks", errors, 1, 64);
            if (gpusPerNode > 0 && s.ranks() != null && s.ranks() != nodeCount * gpusPerNode) {
                errors.put("ranks", Phrase.of(JobRefusal.TRAINING_RANKS));
            }
        }
        int cpusPerGpu = nonNegative(s.cpusPerGpu(), -1, "cpusPerGpu", errors, 1024);
        int coresPerNode = nonNegative(s.coresPerNode(), -1, "coresPerNode", errors, 4096);
        long memPerGpu = s.memPerGpuMb() == null ? -1 : s.memPerGpuMb();
        long memPerNode = s.memPerNodeMb() == null ? -1 : s.memPerNodeMb();
        if (s.memPerGpuMb() != null && (memPerGpu <= 0 || memPerGpu > 16L << 20)) {
            errors.put("memPerGpuMb", Phrase.of(JobRefusal.MEMORY_RANGE, "memPerGpuMb", 16L << 20));
        }
        if (s.memPerNodeMb() != null && (memPerNode <= 0 || memPerNode > 64L << 20)) {
            errors.put("memPerNodeMb", Phrase.of(JobRefusal.MEMORY_RANGE, "memPerNodeMb", 64L << 20));
        }
        GpuConstraint gpuConstraint = GpuConstraint.ANY;
        String flavor = s.gpuFlavor() == null || s.gpuFlavor().isBlank() ? null : s.gpuFlavor().trim().toLowerCase(Locale.ROOT);
        if (flavor != null) {
            try {
                gpuConstraint = new GpuConstraint.ExactFlavor(GpuFlavor.parse(flavor));
            } catch (InvalidFlavor e) {
                errors.put("gpuFlavor", Phrase.of(JobRefusal.GPU_FLAVOR, e.phrase()));
            }
        } else if (s.minGpuMemoryMb() != null) {
            if (s.minGpuMemoryMb() <= 0) {
                errors.put("minGpuMemoryMb", Phrase.of(JobRefusal.GPU_MEMORY_NOT_POSITIVE));
            } else {
                gpuConstraint = new GpuConstraint.MinMemory(s.minGpuMemoryMb());
            }
        }
        if ((flavor != null || s.minGpuMemoryMb() != null) && gpusPerNode == 0 && !errors.containsKey("gpusPerNode")) {
            errors.put("gpusPerNode", Phrase.of(JobRefusal.GPU_CONSTRAINT_WITHOUT_GPU));
        }
        Duration walltime = null;
        if (s.walltime() != null && !s.walltime().isBlank()) {
            try {
                walltime = Walltime.parse(s.walltime());
            } catch (Problem p) {
                errors.putAll(p.fieldPhrases());
            }
        }
        ArraySpec array = null;
        if (s.array() != null && !s.array().isBlank()) {
            try {
                array = ArraySpec.parse(s.array(), properties.jobs().maxArrayTasks());
            } catch (Problem p) {
                errors.putAll(p.fieldPhrases());
            }
        }
        List<Dependency> dependencies = List.of();
        try {
            dependencies = Dependency.parse(s.dependency());
        } catch (Problem p) {
            errors.putAll(p.fieldPhrases());
        }
        Map<String, String> env = new LinkedHashMap<>(s.env() == null ? Map.of() : s.env());
        env.forEach((k, v) -> {
            if (k == null || !k.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
                errors.put("env", Phrase.of(JobRefusal.ENV_NAME, k));
            } else if (k.equals("VANIILA_JOB_ID") || k.equals("CUDA_VISIBLE_DEVICES") || k.startsWith("VANIILA_AGENT")) {
                errors.put("env", Phrase.of(JobRefusal.ENV_RESERVED, k));
            } else if (v != null && v.indexOf('\0') >= 0) {
                errors.put("env", Phrase.of(JobRefusal.ENV_NUL, k));
            }
        });
        String name = s.name() == null || s.name().isBlank() ? "job" : s.name().trim();
        if (name.length() > 128 || !name.matches("[\\p{L}\\p{N} ._+=@:,-]+")) {
            errors.put("name", Phrase.of(JobRefusal.NAME_INVALID));
        }
        QueueSpec queue = null;
        try {
            queue = queues.resolve(s.queue());
        } catch (Problem p) {
            errors.putAll(p.fieldPhrases().isEmpty() ? Map.of("queue", p.phrase()) : p.fieldPhrases());
        }
        java.nio.file.Path workdir = null;
        try {
            workdir = workspaces.inside(caller, s.workdir(), "workdir");
        } catch (Problem p) {
            errors.putAll(p.fieldPhrases());
        }
        if (!errors.isEmpty()) {
            throw Problem.invalidPhrases(errors);
        }

        // Defaults that make a first job run: one core and some memory per GPU, or per node for CPU jobs.
        int coresGpu = cpusPerGpu >= 0 ? cpusPerGpu : (gpusPerNode > 0 && coresPerNode < 0 ? 1 : 0);
        int coresNode = coresPerNode >= 0 ? coresPerNode : (gpusPerNode == 0 ? tasksPerNode : 0);
        long memGpu = memPerGpu > 0 ? memPerGpu : (gpusPerNode > 0 && memPerNode < 0 ? DEFAULT_MEM_PER_GPU_MB : 0);
        long memNode = memPerNode > 0 ? memPerNode : (gpusPerNode == 0 ? DEFAULT_MEM_PER_NODE_MB : 0);
        Duration wall = walltime == null ? queue.defaultWalltime() : walltime;

        JobRequest request = JobRequest.builder(new JobId(Long.MAX_VALUE), new OrgName(caller.organisation()),
                new QueueName(queue.name()), clock.instant())
                .user(caller.username())
                .shape(new JobShape.Nodes(nodeCount, gpusPerNode))
                .gpus(gpuConstraint)
                .resources(new Resources(coresNode, memNode, coresGpu, memGpu))
                .wallTime(wall)
                .type(type)
                .preemptible(queue.preemptible())
                .held(false)
                .dependency(DependencyState.SATISFIED)
                .build();
        List<fr.catie.vaniila.scheduler.Node> inventory = nodes.coreNodes(true);
        ClusterSnapshot whole = new ClusterSnapshot(inventory,
                queues.list().stream().map(Queues::toCore).toList(), List.of(organisation(caller, inventory)), List.of(),
                List.of());
        if (whole.nodes().isEmpty()) {
            throw Problem.of(Problem.Kind.UNPROCESSABLE, JobRefusal.NO_NODE_YET);
        }
        Feasibility feasible = Scheduler.check(request, whole);
        if (feasible instanceof Feasibility.Infeasible no) {
            // Submit-time checks answer with these two reasons only; no detail ends with a period.
            JobRefusal refusal = no.reason() == fr.catie.vaniila.scheduler.PendingReason.QUEUE_LIMIT
                    ? JobRefusal.SUBMIT_QUEUE_LIMIT : JobRefusal.SUBMIT_NEVER;
            throw Problem.of(Problem.Kind.UNPROCESSABLE, refusal, no.said());
        }

        for (Dependency d : dependencies) {
            Optional<Long> org = jdbc.sql("SELECT organisation_id FROM jobs WHERE id = ?").param(d.jobId())
                    .query(Long.class).optional();
            if (org.isEmpty() || org.get() != caller.organisationId().value()) {
                throw Problem.invalid("dependency", JobRefusal.DEPENDENCY_FOREIGN, d.jobId());
            }
        }

        boolean hold = Boolean.TRUE.equals(s.hold());
        String trainingJson = null;
        if (training != null) {
            Map<String, Object> stored = new LinkedHashMap<>(json.convertValue(training.withDefaults(), Map.class));
            List<String> argv = new ArrayList<>(List.of("train"));
            argv.addAll(training.argv());
            stored.put("argv", argv);
            trainingJson = json.writeValueAsString(stored);
            // The engine's native library is unpacked once into a cache every user may read.
            env.putIfAbsent("ENGINE_CACHE_DIR", workspaces.root().resolve(".djl-cache").toString());
            env.putIfAbsent("DJL_CACHE_DIR", workspaces.root().resolve(".djl-cache").toString());
            if (name.equals("job")) {
                name = "train-" + training.dataset().replaceAll(".*/", "").replaceAll("[^\\p{L}\\p{N}._-]", "");
            }
        }
        String state = hold ? JobState.HELD.name() : JobState.PENDING.name();
        String envJson = json.writeValueAsString(env);
        String trainingColumn = trainingJson;
        List<Integer> indices = array == null ? List.of(-1) : array.indices();
        Long parent = null;
        List<Long> ids = new ArrayList<>();
        for (int index : indices) {
            long id = jdbc.sql("""
                    INSERT INTO jobs (organisation_id, account_id, name, queue, type, state, script, env, nodes,
                      gpus_per_node, tasks_per_node, gpu_flavor, min_gpu_memory_mb, cores_per_node, cores_per_gpu,
                      mem_per_node_mb, mem_per_gpu_mb, walltime_s, workdir, array_index, array_max_running,
                      dependency, held, preemptible, requeueable, training)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
                    RETURNING id""")
                    .params(caller.organisationId().value(), caller.accountId().value(), name, queue.name(), type.name(),
                            state, type == JobType.TRAINING ? null : script, envJson, nodeCount, gpusPerNode, tasksPerNode, flavor,
                            flavor == null ? s.minGpuMemoryMb() : null, coresNode, coresGpu, memNode, memGpu,
                            wall.toSeconds(), workdir.toString(), index < 0 ? null : index,
                            array == null || array.maxRunning() == 0 ? null : array.maxRunning(),
                            dependencies.isEmpty() ? null : s.dependency().trim(), hold, queue.preemptible(),
                            !Boolean.FALSE.equals(s.requeue()), trainingColumn)
                    .query(Long.class).single();
            if (parent == null && array != null) {
                parent = id;
            }
            if (array != null) {
                jdbc.sql("UPDATE jobs SET array_parent = ? WHERE id = ?").params(parent, id).update();
            }
            String out = expand(s.output(), id, parent, index, "slurm-%j.out", array != null);
            String err = expand(s.error(), id, parent, index, "slurm-%j.err", array != null);
            jdbc.sql("UPDATE jobs SET stdout_path = ?, stderr_path = ? WHERE id = ?")
                    .params(workspaces.inside(caller, resolveAgainst(workdir, out), "output").toString(),
                            workspaces.inside(caller, resolveAgainst(workdir, err), "error").toString(), id)
                    .update();
            for (Dependency d : dependencies) {
                jdbc.sql("INSERT INTO job_dependencies (job_id, kind, on_job) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                        .params(id, d.kind(), d.jobId()).update();
            }
            control.transition(id, null, state, Phrase.of(hold ? TimelineDetail.SUBMITTED_HELD : TimelineDetail.SUBMITTED));
            ids.add(id);
        }
        events.publishEvent(new JobsChanged("submitted"));
        return new Submitted(ids.get(0), ids, hold ? JobState.HELD : JobState.PENDING);
    }

    /**
     * The training parameters of a training job, checked by the training module; a dataset other than the
     * built-in one must be a file or folder of the caller's workspace.
     */
    private fr.catie.vaniila.training.TrainingSpec trainingSpec(Caller caller, JobSubmission s, Map<String, Phrase> errors) {
        if (s.training() == null) {
            errors.put("training", Phrase.of(JobRefusal.TRAINING_MISSING));
            return null;
        }
        fr.catie.vaniila.training.TrainingSpec spec;
        try {
            Map<String, Object> fields = new LinkedHashMap<>(s.training());
            fields.remove("argv");
            spec = json.convertValue(fields, fr.catie.vaniila.training.TrainingSpec.class);
        } catch (RuntimeException e) {
            errors.put("training", Phrase.of(JobRefusal.TRAINING_UNREADABLE,
                    e.getMessage().lines().findFirst().orElse("")));
            return null;
        }
        if (spec.dataset() != null && !spec.dataset().equals("digits") && !spec.dataset().isBlank()) {
            try {
                java.nio.file.Path data = workspaces.inside(caller, spec.dataset(), "training.dataset");
                if (!java.nio.file.Files.exists(data)) {
                    errors.put("training.dataset", Phrase.of(JobRefusal.TRAINING_DATASET_MISSING, spec.dataset()));
                    return null;
                }
                spec = new fr.catie.vaniila.training.TrainingSpec(data.toString(), spec.model(), spec.epochs(),
                        spec.batchSize(), spec.learningRate(), spec.strategy(), spec.stalenessBound(),
                        spec.averagingPeriod(), spec.warmupEpochs(), spec.seed(), spec.ranks(), spec.imageSize());
            } catch (Problem p) {
                errors.putAll(p.fieldPhrases());
                return null;
            }
        }
        List<String> problems = spec.problems();
        if (!problems.isEmpty()) {
            errors.put("training", Phrase.english(String.join("; ", problems) + "."));
            return null;
        }
        spec.withDefaults(); // throws with the problems, had any escaped problems()
        return spec;
    }

    private static String resolveAgainst(java.nio.file.Path workdir, String file) {
        java.nio.file.Path p = java.nio.file.Path.of(file);
        return (p.isAbsolute() ? p : workdir.resolve(p)).toString();
    }

    /** Slurm's filename patterns: %j job id, %A array job id, %a array index, %% a percent sign. */
    static String expand(String pattern, long id, Long parent, int index, String fallback, boolean isArray) {
        String p = pattern == null || pattern.isBlank() ? (isArray ? fallback.replace("%j", "%A_%a") : fallback) : pattern.trim();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '%' && i + 1 < p.length()) {
                char k = p.charAt(++i);
                switch (k) {
                    case 'j' -> sb.append(id);
                    case 'A' -> sb.append(parent == null ? id : parent);
                    case 'a' -> sb.append(index < 0 ? 0 : index);
                    case '%' -> sb.append('%');
                    default -> sb.append('%').append(k);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The caller's organisation as the feasibility check sees it: its GPU ceilings per flavor. */
    private fr.catie.vaniila.scheduler.Organisation organisation(Caller caller,
            List<fr.catie.vaniila.scheduler.Node> inventory) {
        Quotas.Quota quota = quotas.get(caller, caller.organisation());
        Map<String, fr.catie.vaniila.scheduler.FlavorQuota> flavors = new LinkedHashMap<>();
        for (fr.catie.vaniila.scheduler.Node node : inventory) {
            for (GpuFlavor f : node.gpus()) {
                Quotas.FlavorLimit l = quota.limit(f.name(), quotas.platformDefault());
                flavors.putIfAbsent(f.name(), new fr.catie.vaniila.scheduler.FlavorQuota(l.guaranteedGpus(), l.borrowLimit()));
            }
        }
        return new fr.catie.vaniila.scheduler.Organisation(new OrgName(caller.organisation()), flavors,
                java.util.OptionalInt.empty(), java.util.OptionalDouble.empty(), 0, 1.0, DecayedUsage.none(clock.instant()));
    }

    private static JobType parseType(String text, Map<String, Phrase> errors) {
        if (text == null || text.isBlank()) {
            return JobType.BATCH;
        }
        try {
            return JobType.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.put("type", Phrase.of(JobRefusal.TYPE_UNKNOWN, text));
            return JobType.BATCH;
        }
    }

    private static int positive(Integer value, int fallback, String field, Map<String, Phrase> errors, int min, int max) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            errors.put(field, Phrase.of(JobRefusal.COUNT_RANGE, field, min, max, value));
            return fallback;
        }
        return value;
    }

    private static int nonNegative(Integer value, int fallback, String field, Map<String, Phrase> errors, int max) {
        if (value == null) {
            return fallback;
        }
        if (value < 0 || value > max) {
            errors.put(field, Phrase.of(JobRefusal.COUNT_RANGE, field, 0, max, value));
            return fallback;
        }
        return value;
    }

    // ---------------------------------------------------------------- reading

    private static final String SELECT = """
            SELECT j.*, o.name AS organisation, a.username AS username FROM jobs j
            JOIN organisations o ON o.id = j.organisation_id JOIN accounts a ON a.id = j.account_id
            """;

    /** One job, if the caller may see it. */
    @Transactional(readOnly = true)
    public JobView get(Caller caller, long id) {
        return visible(caller, id).orElseThrow(() -> Problem.of(Problem.Kind.NOT_FOUND, JobRefusal.NOT_YOURS, id));
    }

    private Optional<JobView> visible(Caller caller, long id) {
        return jdbc.sql(SELECT + "WHERE j.id = ?").param(id).query(this::row).optional()
                .filter(j -> sees(caller, j)).map(j -> withPlacements(List.of(j)).get(0));
    }

    private static boolean sees(Caller caller, JobView j) {
        if (caller.isPlatformAdmin()) {
            return true;
        }
        if (!caller.organisation().equals(j.organisation())) {
            return false;
        }
        return caller.role() == Role.ORG_ADMIN || caller.username().equals(j.user());
    }

    /**
     * Jobs the caller may see, newest first. {@code user} narrows to one user (within what the caller
     * may see); {@code states} to some states; {@code limit}/{@code offset} page.
     */
    @Transactional(readOnly = true)
    public List<JobView> list(Caller caller, List<JobState> states, String user, String queue, int limit, long offset) {
        return list(caller, states, user, queue, null, limit, offset);
    }

    /**
     * As {@link #list(Caller, List, String, String, int, long)}, narrowed to jobs whose name contains
     * {@code nameContains} (case-insensitive; null or blank for any name).
     */
    @Transactional(readOnly = true)
    public List<JobView> list(Caller caller, List<JobState> states, String user, String queue, String nameContains,
            int limit, long offset) {
        StringBuilder where = new StringBuilder("WHERE TRUE ");
        List<Object> params = new ArrayList<>();
        if (!caller.isPlatformAdmin()) {
            where.append("AND j.organisation_id = ? ");
            params.add(caller.organisationId().value());
            if (caller.role() == Role.USER) {
                where.append("AND j.account_id = ? ");
                params.add(caller.accountId().value());
            }
        }
        if (user != null && !user.isBlank()) {
            // By account id, so that the (account_id, id DESC) index serves "my jobs" even for admins.
            where.append("AND j.account_id = (SELECT id FROM accounts WHERE username = ?) ");
            params.add(user.trim());
        }
        if (queue != null && !queue.isBlank()) {
            where.append("AND j.queue = ? ");
            params.add(queue.trim());
        }
        if (nameContains != null && !nameContains.isBlank()) {
            // strpos, not LIKE: the user's text is matched literally, '%' and '_' included.
            where.append("AND strpos(lower(j.name), lower(?)) > 0 ");
            params.add(nameContains.trim());
        }
        if (states != null && !states.isEmpty()) {
            where.append("AND j.state = ANY (?::text[]) ");
            params.add(states.stream().map(Enum::name).collect(java.util.stream.Collectors.joining(",", "{", "}")));
        }
        params.add(Math.max(1, Math.min(limit, 1000)));
        params.add(Math.max(0, offset));
        return withPlacements(jdbc.sql(SELECT + where + "ORDER BY j.id DESC LIMIT ? OFFSET ?").params(params)
                .query(this::row).list());
    }

    /**
     * The job as it was submitted, for submitting it again (the web form's "resubmit"): script or training
     * parameters, resources, queue, wall time, array and dependency. Same visibility as {@link #get}.
     */
    @Transactional(readOnly = true)
    public JobSubmission submission(Caller caller, long id) {
        JobView job = get(caller, id);
        // A task of an array comes back as its whole array, which the form says; the user may keep one index only.
        List<Integer> arrayIndices = job.arrayParent() == null ? null : jdbc.sql(
                "SELECT array_index FROM jobs WHERE array_parent = ? ORDER BY array_index").param(job.arrayParent())
                .query(Integer.class).list();
        return jdbc.sql("""
                SELECT script, training, env, min_gpu_memory_mb, cores_per_node, cores_per_gpu, mem_per_node_mb,
                  mem_per_gpu_mb, tasks_per_node, array_parent, array_max_running, dependency FROM jobs WHERE id = ?""")
                .param(id).query((rs, n) -> {
                    // getInt reads a NULL limit as 0, ArraySpec's "no limit".
                    String array = arrayIndices == null ? null
                            : new ArraySpec(arrayIndices, rs.getInt("array_max_running")).toString();
                    @SuppressWarnings("unchecked")
                    Map<String, Object> training = rs.getString("training") == null ? null
                            : new LinkedHashMap<>(json.readValue(rs.getString("training"), Map.class));
                    if (training != null) {
                        training.remove("argv"); // derived at submission, not a parameter
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, String> env = json.readValue(rs.getString("env"), Map.class);
                    Map<String, String> userEnv = new LinkedHashMap<>(env);
                    userEnv.remove("ENGINE_CACHE_DIR");
                    userEnv.remove("DJL_CACHE_DIR");
                    boolean isTraining = JobType.TRAINING.name().equals(job.type());
                    return new JobSubmission(job.name(), job.queue(), job.type().toLowerCase(Locale.ROOT),
                            rs.getString("script"), job.nodes(), job.gpusPerNode(), job.gpuFlavor(),
                            (Integer) rs.getObject("min_gpu_memory_mb"), isTraining ? null : job.tasksPerNode(),
                            rs.getInt("cores_per_gpu"), rs.getInt("cores_per_node"),
                            rs.getLong("mem_per_gpu_mb") > 0 ? rs.getLong("mem_per_gpu_mb") : null,
                            rs.getLong("mem_per_node_mb") > 0 ? rs.getLong("mem_per_node_mb") : null,
                            Walltime.format(Duration.ofSeconds(job.walltimeSeconds())), array,
                            rs.getString("dependency"), userEnv.isEmpty() ? null : userEnv, null, null, null, null, null,
                            training, isTraining && job.gpusPerNode() == 0 ? job.tasksPerNode() : null);
                }).single();
    }

    /** The job's state changes, oldest first. */
    @Transactional(readOnly = true)
    public List<Transition> timeline(Caller caller, long id) {
        get(caller, id);
        return jdbc.sql("SELECT at, from_state, to_state, detail, detail_phrase FROM job_transitions WHERE job_id = ? ORDER BY id")
                .param(id).query((rs, n) -> new Transition(rs.getTimestamp(1).toInstant(), rs.getString(2),
                        rs.getString(3), rs.getString(4), PhraseColumn.read(rs.getString(5), rs.getString(4))))
                .list();
    }

    /**
     * A piece of the job's stdout or stderr from {@code offset}, at most {@code max} bytes, for one rank
     * (0 by default) of the job's latest run. Works while the job runs and after.
     */
    @Transactional(readOnly = true)
    public LogPiece log(Caller caller, long id, String stream, long offset, int rank, int max) {
        JobView job = get(caller, id);
        String s = stream == null ? "stdout" : stream.trim().toLowerCase(Locale.ROOT);
        if (!s.equals("stdout") && !s.equals("stderr")) {
            throw Problem.invalid("stream", JobRefusal.STREAM_UNKNOWN, stream);
        }
        if (offset < 0) {
            throw Problem.invalid("offset", JobRefusal.OFFSET_NEGATIVE);
        }
        Optional<java.util.UUID> launch = jdbc.sql("SELECT id FROM launches WHERE job_id = ? AND run = ? AND rank = ?")
                .params(id, job.run(), rank).query(java.util.UUID.class).optional();
        boolean complete = JobState.valueOf(job.state()).terminal();
        if (launch.isEmpty()) {
            return new LogPiece(offset, offset, false, complete, "");
        }
        var streamRow = jdbc.sql("SELECT next_offset, truncated FROM log_streams WHERE launch_id = ? AND stream = ?")
                .params(launch.get(), s).query((rs, n) -> new long[] {rs.getLong(1), rs.getBoolean(2) ? 1 : 0})
                .optional().orElse(new long[] {0, 0});
        long end = Math.min(streamRow[0], offset + Math.max(1, Math.min(max, 1 << 20)));
        if (offset >= end) {
            return new LogPiece(offset, offset, streamRow[1] == 1, complete && offset >= streamRow[0], "");
        }
        // Chunks overlapping [offset, end): cut the first and the last to the window.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        jdbc.sql("""
                SELECT "offset", data FROM log_chunks WHERE launch_id = ? AND stream = ?
                  AND "offset" < ? AND "offset" + length(data) > ? ORDER BY "offset" """)
                .params(launch.get(), s, end, offset).query(rs -> {
                    long start = rs.getLong(1);
                    byte[] data = rs.getBytes(2);
                    int from = (int) Math.max(0, offset - start);
                    int to = (int) Math.min(data.length, end - start);
                    out.write(data, from, to - from);
                });
        byte[] bytes = out.toByteArray();
        // Do not split a UTF-8 character: stop before an incomplete trailing sequence.
        int usable = utf8Boundary(bytes);
        return new LogPiece(offset, offset + usable, streamRow[1] == 1, complete,
                new String(bytes, 0, usable, StandardCharsets.UTF_8));
    }

    static int utf8Boundary(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xff;
            if ((c & 0xC0) == 0x80) {
                continue; // continuation byte
            }
            int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return len > back ? n - back : n;
        }
        return n;
    }

    /** The metrics a training job reported, in order (empty for other jobs). */
    @Transactional(readOnly = true)
    public List<Map<String, Object>> metrics(Caller caller, long id) {
        JobView job = get(caller, id);
        return jdbc.sql("SELECT data FROM job_metrics WHERE job_id = ? ORDER BY id").param(job.id())
                .query((rs, n) -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = json.readValue(rs.getString(1), Map.class);
                    return m;
                }).list();
    }

    // ---------------------------------------------------------------- control

    /** Cancels a job: at once when it waits, through its agents (SIGTERM, grace, SIGKILL) when it runs. */
    @Transactional
    public JobView cancel(Caller caller, long id) {
        JobView job = get(caller, id);
        requireOwnerOrAdmin(caller, job, "cancel");
        control.cancel(id, Phrase.of(EndReason.CANCELLED_BY, caller.username()));
        events.publishEvent(new JobsChanged("cancelled"));
        return get(caller, id);
    }

    /** Holds a pending job: it stays queued but does not start until released. */
    @Transactional
    public JobView hold(Caller caller, long id) {
        JobView job = get(caller, id);
        requireOwnerOrAdmin(caller, job, "hold");
        if (!job.state().equals("PENDING") && !job.state().equals("HELD")) {
            throw Problem.of(Problem.Kind.CONFLICT, JobRefusal.HOLD_NOT_PENDING, id, job.state());
        }
        if (job.state().equals("PENDING")) {
            control.move(id, JobState.PENDING, JobState.HELD, Phrase.of(TimelineDetail.HELD_BY, caller.username()));
            jdbc.sql("UPDATE jobs SET held = TRUE WHERE id = ?").param(id).update();
        }
        return get(caller, id);
    }

    @Transactional
    public JobView release(Caller caller, long id) {
        JobView job = get(caller, id);
        requireOwnerOrAdmin(caller, job, "release");
        if (!job.state().equals("HELD")) {
            throw Problem.of(Problem.Kind.CONFLICT, JobRefusal.RELEASE_NOT_HELD, id, job.state());
        }
        control.move(id, JobState.HELD, JobState.PENDING, Phrase.of(TimelineDetail.RELEASED_BY, caller.username()));
        jdbc.sql("UPDATE jobs SET held = FALSE WHERE id = ?").param(id).update();
        events.publishEvent(new JobsChanged("released"));
        return get(caller, id);
    }

    /** Puts a running job back in the queue (it is stopped, then pending again), or a finished one to run again. */
    @Transactional
    public JobView requeue(Caller caller, long id) {
        JobView job = get(caller, id);
        requireOwnerOrAdmin(caller, job, "requeue");
        control.requeue(id, Phrase.of(TimelineDetail.REQUEUED_BY, caller.username()));
        events.publishEvent(new JobsChanged("requeued"));
        return get(caller, id);
    }

    private static void requireOwnerOrAdmin(Caller caller, JobView job, String action) {
        // get() already hid other organisations' jobs; within one, a user acts on its own jobs only.
        if (caller.role() == Role.USER && !caller.username().equals(job.user())) {
            throw Problem.of(Problem.Kind.FORBIDDEN, JobRefusal.NOT_OWNER, job.id(), action);
        }
    }

    /** The jobs with the processes of their current run, read in one query for the whole page. */
    private List<JobView> withPlacements(List<JobView> jobs) {
        if (jobs.isEmpty()) {
            return jobs;
        }
        String[] ids = jobs.stream().map(j -> Long.toString(j.id())).toArray(String[]::new);
        String[] runs = jobs.stream().map(j -> Integer.toString(j.run())).toArray(String[]::new);
        Map<Long, List<JobView.Placement>> byJob = new java.util.HashMap<>();
        jdbc.sql("""
                SELECT l.job_id, n.name, l.node_rank, l.rank, l.gpu_indices, l.cores, l.memory_mb, l.flavor, l.state,
                  l.exit_code, l.cpu_seconds, l.max_rss_mb
                FROM launches l JOIN nodes n ON n.id = l.node_id
                JOIN unnest(?::bigint[], ?::int[]) AS p(job_id, run) ON p.job_id = l.job_id AND p.run = l.run
                ORDER BY l.job_id, l.rank""")
                .params(ids, runs)
                .query(r -> {
                    byJob.computeIfAbsent(r.getLong(1), k -> new ArrayList<>()).add(new JobView.Placement(
                            r.getString(2), r.getInt(3), r.getInt(4), Arrays.asList((Integer[]) r.getArray(5).getArray()),
                            r.getInt(6), r.getLong(7), r.getString(8), r.getString(9), (Integer) r.getObject(10),
                            (Double) r.getObject(11), (Long) r.getObject(12)));
                });
        List<JobView> out = new ArrayList<>(jobs.size());
        for (JobView j : jobs) {
            List<JobView.Placement> p = byJob.getOrDefault(j.id(), List.of());
            out.add(new JobView(j.id(), j.name(), j.organisation(), j.user(), j.queue(), j.type(), j.state(), j.reason(),
                    j.reasonCode(), j.position(), j.estimatedStart(), j.priority(), j.submittedAt(), j.startedAt(),
                    j.endedAt(), j.exitCode(), j.endReason(), j.nodes(), j.gpusPerNode(), j.tasksPerNode(), j.gpuFlavor(),
                    j.walltimeSeconds(), j.arrayParent(), j.arrayIndex(), j.dependency(), j.held(), j.workdir(),
                    j.stdout(), j.stderr(), j.run(), p, j.training(), j.reasonPhrase(), j.endPhrase()));
        }
        return out;
    }

    private JobView row(ResultSet rs, int n) throws SQLException {
        long id = rs.getLong("id");
        int run = rs.getInt("run");
        List<JobView.Placement> placements = List.of(); // filled by withPlacements, one query for all rows
        String reasonCode = rs.getString("pending_reason");
        String detail = rs.getString("pending_detail");
        String state = rs.getString("state");
        String reason = null;
        Phrase reasonPhrase = null;
        if (reasonCode != null && (state.equals("PENDING") || state.equals("HELD"))) {
            reason = fr.catie.vaniila.scheduler.PendingReason.valueOf(reasonCode).sentence(detail == null ? "" : detail);
            reasonPhrase = PhraseColumn.read(rs.getString("pending_phrase"), detail);
        } else if (state.equals("HELD")) {
            reasonPhrase = Phrase.of(fr.catie.vaniila.scheduler.ReasonDetail.HELD_UNTIL_RELEASED);
            reason = fr.catie.vaniila.scheduler.PendingReason.HELD.sentence(reasonPhrase.english());
        }
        String endReason = rs.getString("end_reason");
        String training = rs.getString("training");
        @SuppressWarnings("unchecked")
        Map<String, Object> trainingMap = training == null ? null : json.readValue(training, Map.class);
        return new JobView(id, rs.getString("name"), rs.getString("organisation"), rs.getString("username"),
                rs.getString("queue"), rs.getString("type"), state, reason,
                state.equals("PENDING") || state.equals("HELD") ? (reasonCode == null && state.equals("HELD") ? "HELD" : reasonCode) : null,
                state.equals("PENDING") ? (Integer) rs.getObject("queue_position") : null,
                state.equals("PENDING") ? instant(rs.getTimestamp("estimated_start")) : null,
                (Long) rs.getObject("priority"), instant(rs.getTimestamp("submitted_at")),
                instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("ended_at")),
                (Integer) rs.getObject("exit_code"), endReason, rs.getInt("nodes"),
                rs.getInt("gpus_per_node"), rs.getInt("tasks_per_node"), rs.getString("gpu_flavor"),
                rs.getLong("walltime_s"), (Long) rs.getObject("array_parent"), (Integer) rs.getObject("array_index"),
                rs.getString("dependency"), rs.getBoolean("held"), rs.getString("workdir"), rs.getString("stdout_path"),
                rs.getString("stderr_path"), run, placements, trainingMap, reasonPhrase,
                PhraseColumn.read(rs.getString("end_phrase"), endReason));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
