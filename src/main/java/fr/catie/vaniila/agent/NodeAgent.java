package fr.catie.vaniila.agent;

import fr.catie.vaniila.agent.AgentMessages.LaunchUsage;
import fr.catie.vaniila.agent.AgentMessages.LogAck;
import fr.catie.vaniila.agent.AgentMessages.RegisterAnswer;
import fr.catie.vaniila.agent.AgentMessages.Registration;
import fr.catie.vaniila.agent.AgentMessages.RunningLaunch;
import fr.catie.vaniila.agent.AgentMessages.SyncAnswer;
import fr.catie.vaniila.agent.AgentMessages.SyncRequest;
import fr.catie.vaniila.agent.TrackedLaunch.Phase;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One node's agent: registers the node with the portal, executes its commands, watches the launched jobs and
 * reports on them. Three threads: the sync loop (long polls the portal, executes commands), the monitor (exits,
 * wall time, stops, metrics) and the log shipper (uploads output in chunks of at most 1 MiB read from the files,
 * so that a job's log never sits in memory).
 *
 * <p>Guarantees, kept across a kill -9 of the agent or a restart of the portal: a launch id runs at most once;
 * every event reaches the portal at least once, in {@code seq} order, until acknowledged; a running job keeps
 * running while the agent is down and is adopted by the next agent started on the same state directory, which
 * reports its exit status (written by the job's wrapper) and enforces its wall time.
 *
 * <p>Thread-safe: all state is guarded by one lock; the portal is called outside it.
 */
public final class NodeAgent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodeAgent.class.getName());

    /** The largest log chunk uploaded at once. */
    public static final int MAX_CHUNK = 1 << 20;

    private static final int MAX_EVENTS_PER_SYNC = 1000;
    private static final int MAX_QUEUED_EVENTS = 10_000;
    private static final int MAX_EXECUTED = 10_000;
    private static final int MAX_FINISHED = 2_000;
    private static final int MAX_METRICS_LINE = 64 * 1024;
    private static final int CHUNKS_PER_PASS = 8;

    private final AgentConfig config;
    private final Inventory inventory;
    private final PortalLink link;
    private final StateStore store;
    private final JobLauncher launcher;
    private final Optional<JobCgroups> cgroups;
    private final NvidiaSmi nvidiaSmi;
    private final TorchrunEnv torchrun = new TorchrunEnv();
    private final boolean asRoot;
    private final Clock clock = Clock.systemUTC();

    private final Object lock = new Object();
    private final Map<LaunchId, TrackedLaunch> launches = new LinkedHashMap<>();
    private final LinkedHashSet<CommandId> executed = new LinkedHashSet<>();
    private final ArrayDeque<AgentEvent> queue = new ArrayDeque<>();
    private final LinkedHashMap<LaunchId, AgentEvent> finished = new LinkedHashMap<>();
    private long nextSeq;
    private boolean dirty;
    private boolean saveErrorShown;

    private final byte[] chunk = new byte[MAX_CHUNK];
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile boolean registered;
    private volatile boolean gpuErrorShown;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<LaunchId, TerminalRelay> terminals = new java.util.concurrent.ConcurrentHashMap<>();

    private NodeAgent(AgentConfig config, PortalLink link, StateStore store) {
        this.config = config;
        this.inventory = config.inventory();
        this.link = link;
        this.store = store;
        this.asRoot = JobLauncher.runningAsRoot();
        JobCgroups.Detection detection = config.cgroupRoot() == null ? null : JobCgroups.detect(config.cgroupRoot());
        this.cgroups = detection == null ? Optional.empty() : detection.usable();
        if (detection != null && cgroups.isEmpty()) {
            log(Level.INFO, "jobs run without cgroup memory and CPU limits: " + detection.unavailableBecause());
        }
        cgroups.ifPresent(c -> log(Level.INFO, "jobs run in cgroups, with their memory and CPU limits: " + c));
        if (!asRoot) {
            log(Level.INFO, "the agent is not root: jobs run as its own user '" + System.getProperty("user.name")
                    + "' (a development setup; run the agent as root for jobs to run as their users)");
        }
        this.launcher = new JobLauncher(asRoot, cgroups, config.trainingCommand(), gpuDevices());
        this.nvidiaSmi = new NvidiaSmi(config.nvidiaSmi());
    }

    /** How jobs are held to their memory and cores here, for the portal's administrators. */
    private String jobLimits() {
        return cgroups.map(c -> c instanceof CgroupV2 ? Registration.LIMITS_CGROUP_V2 : Registration.LIMITS_CGROUP_V1)
                .orElse(Registration.LIMITS_NONE);
    }

    /** How jobs are held to their GPUs here; null on a node without real GPUs. */
    private String gpuIsolation() {
        return !inventory.hasRealGpus() ? null
                : launcher.confinesGpus() ? Registration.GPUS_DEVICE_CGROUP : Registration.GPUS_VISIBLE_DEVICES;
    }

    /**
     * The device of each real GPU, which launches not given it may not open; empty, with one log line saying why,
     * when the GPUs cannot be withheld so (CUDA_VISIBLE_DEVICES alone then steers each job to its own).
     */
    private Map<Integer, GpuDeviceNumbers.CharDevice> gpuDevices() {
        if (!inventory.hasRealGpus()) {
            return Map.of();
        }
        String why;
        if (cgroups.isEmpty()) {
            why = "jobs run without cgroups";
        } else if (!cgroups.get().confinesDevices()) {
            why = cgroups.get() + " has no devices controller the agent can use (cgroup v2 needs an eBPF program,"
                    + " which the agent does not load)";
        } else {
            try {
                Optional<Map<Integer, GpuDeviceNumbers.CharDevice>> devices = GpuDeviceNumbers.devicesByIndex(
                        inventory.gpus(), GpuDeviceNumbers.minorsByUuid(config.nvidiaDriverDir()));
                if (devices.isPresent()) {
                    log(Level.INFO, "each job may open only its own GPUs' device files: " + devices.get().entrySet()
                            .stream().map(e -> "GPU " + e.getKey() + " is /dev/nvidia" + e.getValue().minor())
                            .collect(Collectors.joining(", ")));
                    return devices.get();
                }
                why = config.nvidiaDriverDir() + " does not give the device minor of every GPU nvidia-smi lists";
            } catch (IOException e) {
                why = config.nvidiaDriverDir() + " could not be read (" + e + ")";
            }
        }
        log(Level.WARNING, "jobs can open every GPU's device file of this node, only CUDA_VISIBLE_DEVICES steers"
                + " each to its own: " + why);
        return Map.of();
    }

    /**
     * Starts an agent: loads (and locks) its state directory, adopts the launches a previous agent left running,
     * and starts talking to the portal.
     *
     * @throws IOException when the state directory cannot be used (another agent holds it, it belongs to another
     *                     node, it is unreadable); the message says what to change
     */
    public static NodeAgent start(AgentConfig config, PortalLink link) throws IOException {
        StateStore store = StateStore.open(config.stateDir());
        NodeAgent agent;
        try {
            agent = new NodeAgent(config, link, store);
            agent.load();
            agent.removeLeftoverCgroups();
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        agent.startThread("sync", agent::syncLoop);
        agent.startThread("monitor", agent::monitorLoop);
        agent.startThread("logs", agent::logLoop);
        return agent;
    }

    /** The node this agent is. */
    public Inventory inventory() {
        return inventory;
    }

    /** Whether the agent has registered with the portal since it last lost contact. */
    public boolean registered() {
        return registered;
    }

    /** The launches whose processes run now. */
    public List<LaunchId> runningLaunches() {
        synchronized (lock) {
            return launches.values().stream().filter(t -> t.phase == Phase.RUNNING).map(TrackedLaunch::launchId)
                    .toList();
        }
    }

    /**
     * Completes when the agent has stopped: normally after {@link #stop()}, exceptionally with
     * {@link PortalRefusedException} when the portal refused its token.
     */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    /**
     * Stops the agent and saves its state. Jobs keep running: the next agent on this state directory adopts them.
     * Idempotent.
     */
    public void stop() {
        shutdown(null);
    }

    @Override
    public void close() {
        stop();
    }

    // ---------------------------------------------------------------- life cycle

    /** How old an empty cgroup of no tracked launch must be for the agent to remove it at start. */
    static final Duration LEFTOVER_CGROUP_AGE = Duration.ofMinutes(1);

    /**
     * Removes the empty cgroups launches left behind when no agent saw them end (an agent that died for good, a
     * lost state directory): the launches adopted above keep theirs.
     */
    private void removeLeftoverCgroups() {
        if (cgroups.isEmpty()) {
            return;
        }
        Set<String> keep = new HashSet<>();
        synchronized (lock) {
            launches.keySet().forEach(id -> keep.add(id.value()));
        }
        Set<String> removed = cgroups.get().removeLeftovers(keep, LEFTOVER_CGROUP_AGE);
        if (!removed.isEmpty()) {
            log(Level.INFO, "removed the empty cgroups of " + removed.size() + " launch(es) that ended unseen by"
                    + " their agent: " + removed.stream().limit(10).collect(Collectors.joining(", "))
                    + (removed.size() > 10 ? ", ..." : ""));
        }
    }

    private void load() throws IOException {
        StateStore.State state = store.load(inventory.node());
        Instant now = clock.instant();
        synchronized (lock) {
            nextSeq = state.nextSeq();
            state.launches().forEach(t -> launches.put(t.launchId(), t));
            executed.addAll(state.executed());
            queue.addAll(state.queue());
            state.finished().forEach(e -> finished.put(e.launchId(), e));
            for (TrackedLaunch t : new ArrayList<>(launches.values())) {
                if (t.phase == Phase.SPAWNING) {
                    recoverSpawning(t, now);
                }
            }
            int adopted = (int) launches.values().stream().filter(t -> t.phase == Phase.RUNNING).count();
            if (adopted > 0 || !queue.isEmpty()) {
                log(Level.INFO, "adopted " + adopted + " running launch(es) and " + queue.size()
                        + " unacknowledged event(s) from " + config.stateDir());
            }
            dirty = true;
            saveIfDirty();
        }
    }

    /**
     * A launch the previous agent was starting when it stopped: the wrapper writes the job's pid within
     * milliseconds of its start, so no pid file (and no exit code) means nothing ran, and it is safe to say so.
     */
    private void recoverSpawning(TrackedLaunch t, Instant now) {
        Path dir = Path.of(t.spec.jobDir());
        Optional<Long> jobPid = JobLauncher.readLong(dir.resolve(JobLauncher.JOB_PID));
        boolean exited = Files.exists(dir.resolve(JobLauncher.EXIT_CODE));
        if (jobPid.isPresent() || exited) {
            t.jobPid = jobPid.orElse(0L);
            t.jobStart = ProcessTable.startOf(t.jobPid).orElse(null);
            t.startedAt = now;
            t.phase = Phase.RUNNING;
            emit(seq -> new AgentEvent.Started(seq, t.launchId(), t.spec.jobId(), now, t.jobPid));
        } else {
            launches.remove(t.launchId());
            AgentEvent failed = emit(seq -> new AgentEvent.LaunchFailed(seq, t.launchId(), t.spec.jobId(), now,
                    "the node agent stopped while starting this launch; nothing ran, the job can be started again"));
            remember(failed);
        }
    }

    private void startThread(String name, Runnable body) {
        Thread thread = new Thread(body, "vaniila-agent-" + inventory.node() + "-" + name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void shutdown(Throwable failure) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        running = false;
        // A terminal lives on the agent's pipes: it cannot outlive the agent, unlike a batch job.
        terminals.values().forEach(TerminalRelay::stop);
        terminals.clear();
        for (Thread thread : threads) {
            if (thread != Thread.currentThread()) {
                thread.interrupt();
            }
        }
        for (Thread thread : threads) {
            if (thread != Thread.currentThread()) {
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        synchronized (lock) {
            dirty = true;
            saveIfDirty();
        }
        try {
            store.close();
        } catch (IOException e) {
            log(Level.WARNING, "could not release the state directory lock: " + e);
        }
        if (failure == null) {
            stopped.complete(null);
        } else {
            stopped.completeExceptionally(failure);
        }
    }

    // ---------------------------------------------------------------- sync loop

    private void syncLoop() {
        long backoffMs = 500;
        boolean outage = false;
        while (running) {
            try {
                if (!registered) {
                    register();
                }
                List<LaunchId> finals = new ArrayList<>();
                SyncRequest request = syncRequest(finals);
                SyncAnswer answer = link.sync(request, pollWait());
                acknowledge(answer.ackSeq());
                finalUsageSent(finals);
                for (Command command : answer.commands()) {
                    if (!running) {
                        break;
                    }
                    execute(command);
                }
                if (outage) {
                    log(Level.INFO, "the portal answers again");
                    outage = false;
                }
                backoffMs = 500;
            } catch (PortalRefusedException e) {
                log(Level.ERROR, e.getMessage());
                new Thread(() -> shutdown(e), "vaniila-agent-" + inventory.node() + "-shutdown").start();
                return;
            } catch (NodeUnknownException e) {
                log(Level.INFO, e.getMessage() + "; registering again");
                registered = false;
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
                registered = false;
                if (!outage) {
                    log(Level.WARNING, "the portal cannot be reached (" + e.getMessage()
                            + "); jobs keep running, retrying");
                    outage = true;
                }
                if (!sleep(backoffMs)) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }

    private void register() throws IOException {
        List<RunningLaunch> runningNow;
        synchronized (lock) {
            runningNow = launches.values().stream().filter(t -> t.phase == Phase.RUNNING)
                    .map(t -> new RunningLaunch(t.launchId(), t.spec.jobId(), t.jobPid, t.startedAt)).toList();
        }
        RegisterAnswer answer = link.register(new Registration(inventory.node(), inventory.hostname(),
                inventory.address(), config.agentVersion(), inventory.cores(), inventory.memoryMb(), inventory.gpus(),
                runningNow, jobLimits(), gpuIsolation()));
        acknowledge(answer.ackSeq());
        registered = true;
        log(Level.INFO, "registered with the portal: " + inventory.cores() + " cores, " + inventory.memoryMb()
                + " MiB, " + inventory.gpus().size() + " GPU(s), " + runningNow.size() + " running launch(es)");
    }

    /** @param finals filled with the launches whose final usage the request carries */
    private SyncRequest syncRequest(List<LaunchId> finals) {
        List<AgentEvent> events;
        Map<LaunchId, TrackedLaunch> watched = new LinkedHashMap<>();
        Set<Long> groups = new HashSet<>();
        synchronized (lock) {
            events = queue.stream().limit(MAX_EVENTS_PER_SYNC).toList();
            for (TrackedLaunch t : launches.values()) {
                if (t.phase == Phase.RUNNING && t.jobPid > 1) {
                    watched.put(t.launchId(), t);
                    groups.add(t.jobPid);
                }
            }
        }
        Map<Long, ProcessTable.GroupUsage> usage = ProcessTable.usage(groups);
        List<GpuSample> gpus = sampleGpus();
        List<LaunchUsage> usages = new ArrayList<>();
        synchronized (lock) {
            for (TrackedLaunch t : watched.values()) {
                ProcessTable.GroupUsage u = usage.get(t.jobPid);
                if (u == null || t.phase != Phase.RUNNING) {
                    continue; // gone, or ended meanwhile: its final usage follows
                }
                t.maxRssMb = Math.max(t.maxRssMb, u.rssMb());
                List<GpuSample> own = gpus.stream().filter(g -> t.spec.gpuIndices().contains(g.index())).toList();
                // The cgroup counts every process the launch ran, those outside its group and those gone.
                double cpu = t.cgroup != null && cgroups.isPresent()
                        ? cgroups.get().cpuSeconds(t.cgroup).orElse(u.cpuSeconds()) : u.cpuSeconds();
                usages.add(new LaunchUsage(t.launchId(), t.spec.jobId(), cpu, t.maxRssMb, own));
            }
            for (TrackedLaunch t : launches.values()) {
                if (t.phase == Phase.DRAINING && t.finalCpuSeconds != null && !t.finalUsageSent) {
                    usages.add(new LaunchUsage(t.launchId(), t.spec.jobId(), t.finalCpuSeconds, t.maxRssMb,
                            List.of()));
                    finals.add(t.launchId());
                }
            }
        }
        return new SyncRequest(inventory.node(), events, usages, gpus);
    }

    /**
     * The final usages the portal took: not sent again. Only those the request carried: a launch that ended while
     * an earlier sample of it was on its way has its final usage still to send.
     */
    private void finalUsageSent(List<LaunchId> finals) {
        synchronized (lock) {
            for (LaunchId id : finals) {
                TrackedLaunch t = launches.get(id);
                if (t != null) {
                    t.finalUsageSent = true;
                    dirty = true;
                }
            }
        }
    }

    private int pollWait() {
        synchronized (lock) {
            if (queue.size() > MAX_EVENTS_PER_SYNC) {
                return 0;
            }
            boolean busy = launches.values().stream().anyMatch(t -> t.phase != Phase.DRAINING);
            return busy ? config.busyWaitSeconds() : config.idleWaitSeconds();
        }
    }

    private List<GpuSample> sampleGpus() {
        if (!inventory.hasRealGpus()) {
            // Virtual GPUs do no work that could be measured: they report idle rather than a made-up figure.
            return inventory.gpus().stream().map(g -> new GpuSample(g.index(), 0, 0)).toList();
        }
        try {
            List<GpuSample> samples = NvidiaSmi.samples(nvidiaSmi.query());
            gpuErrorShown = false;
            return samples;
        } catch (IOException | IllegalArgumentException e) {
            if (!gpuErrorShown) {
                log(Level.WARNING, "GPU utilisation not sampled: " + e.getMessage());
                gpuErrorShown = true;
            }
            return List.of();
        }
    }

    /** Drops the events the portal has applied. */
    private void acknowledge(long ackSeq) {
        synchronized (lock) {
            if (ackSeq >= nextSeq) {
                // The portal has applied seqs this agent never issued: its state file was lost or replaced. Number
                // the queued events after the portal's, or the portal would ignore them as already applied.
                log(Level.WARNING, "the portal acknowledges event " + ackSeq + " but this agent's next is " + nextSeq
                        + " (state file lost?): renumbering " + queue.size() + " queued event(s)");
                List<AgentEvent> pending = new ArrayList<>(queue);
                queue.clear();
                nextSeq = ackSeq + 1;
                for (AgentEvent e : pending) {
                    queue.add(withSeq(e, nextSeq++));
                }
                dirty = true;
            }
            while (!queue.isEmpty() && queue.peekFirst().seq() <= ackSeq) {
                queue.removeFirst();
                dirty = true;
            }
            saveIfDirty();
        }
    }

    // ---------------------------------------------------------------- commands

    private void execute(Command command) {
        if (command instanceof Command.Launch) {
            launch((Command.Launch) command);
        } else if (command instanceof Command.Stop) {
            stopLaunch((Command.Stop) command);
        } else if (command instanceof Command.Unreadable) {
            Command.Unreadable u = (Command.Unreadable) command;
            synchronized (lock) {
                if (!executed.add(u.commandId())) {
                    return;
                }
                trimExecuted();
                log(Level.WARNING, "command " + u.commandId() + " not executed: " + u.problem());
                if (u.launchId() != null && u.jobId() != null && !launches.containsKey(u.launchId())
                        && !finished.containsKey(u.launchId())) {
                    Instant now = clock.instant();
                    remember(emit(seq -> new AgentEvent.LaunchFailed(seq, u.launchId(), u.jobId(), now,
                            u.problem())));
                }
                saveIfDirty();
            }
        }
    }

    private void launch(Command.Launch command) {
        LaunchSpec sent = command.launch();
        LaunchId id = sent.launchId();
        LaunchSpec spec;
        try {
            spec = sent.problems(inventory).isEmpty() ? torchrun.complete(sent, inventory) : sent;
        } catch (LaunchException e) {
            synchronized (lock) {
                if (executed.add(command.commandId()) && !launches.containsKey(id) && !finished.containsKey(id)) {
                    Instant now = clock.instant();
                    remember(emit(seq -> new AgentEvent.LaunchFailed(seq, id, sent.jobId(), now, e.getMessage())));
                }
                trimExecuted();
                dirty = true;
                saveIfDirty();
            }
            return;
        }
        TrackedLaunch tracked;
        synchronized (lock) {
            if (!executed.add(command.commandId())) {
                return;
            }
            trimExecuted();
            dirty = true;
            if (launches.containsKey(id) || finished.containsKey(id)) {
                saveIfDirty();
                return;
            }
            List<String> problems = spec.problems(inventory);
            if (!problems.isEmpty()) {
                Instant now = clock.instant();
                remember(emit(seq -> new AgentEvent.LaunchFailed(seq, id, spec.jobId(), now,
                        "launch refused: " + String.join("; ", problems))));
                saveIfDirty();
                return;
            }
            tracked = new TrackedLaunch(command.commandId(), spec);
            launches.put(id, tracked);
            // Persist the intent before starting anything: a restarted agent must know this launch was attempted.
            if (!saveIfDirty()) {
                launches.remove(id);
                Instant now = clock.instant();
                remember(emit(seq -> new AgentEvent.LaunchFailed(seq, id, spec.jobId(), now,
                        "the node agent cannot write its state file in " + config.stateDir()
                                + "; fix the node's disk, then the job can be started again")));
                return;
            }
        }
        try {
            JobLauncher.Spawned spawned = launcher.start(spec);
            synchronized (lock) {
                Instant now = clock.instant();
                tracked.wrapperPid = spawned.wrapperPid();
                tracked.wrapperStart = spawned.wrapperStart();
                tracked.jobPid = spawned.jobPid();
                tracked.jobStart = spawned.jobPid() > 0 ? ProcessTable.startOf(spawned.jobPid()).orElse(null) : null;
                tracked.cgroup = spawned.cgroup();
                tracked.startedAt = now;
                tracked.phase = Phase.RUNNING;
                long pid = spawned.jobPid() > 0 ? spawned.jobPid() : spawned.wrapperPid();
                emit(seq -> new AgentEvent.Started(seq, id, spec.jobId(), now, pid));
                saveIfDirty();
            }
            log(Level.INFO, "launch " + id + " of job " + spec.jobId() + " started, process group "
                    + spawned.jobPid() + (asRoot ? " as " + spec.user().name() : ""));
            if (spawned.terminal() != null) {
                TerminalRelay relay = new TerminalRelay(id, Path.of(spec.jobDir()), spawned.terminal(), link);
                terminals.put(id, relay);
                relay.start(inventory.node());
            }
        } catch (LaunchException e) {
            synchronized (lock) {
                launches.remove(id);
                Instant now = clock.instant();
                remember(emit(seq -> new AgentEvent.LaunchFailed(seq, id, spec.jobId(), now, e.getMessage())));
                saveIfDirty();
            }
            log(Level.WARNING, "launch " + id + " of job " + spec.jobId() + " failed: " + e.getMessage());
        }
    }

    private void stopLaunch(Command.Stop command) {
        synchronized (lock) {
            if (!executed.add(command.commandId())) {
                return;
            }
            trimExecuted();
            dirty = true;
            Instant now = clock.instant();
            TrackedLaunch t = launches.get(command.launchId());
            if (t == null) {
                AgentEvent last = finished.get(command.launchId());
                if (last != null) {
                    // Already ended: say so again, the portal ignores what it already knows.
                    emit(seq -> withSeq(last, seq));
                } else {
                    emit(seq -> new AgentEvent.Exited(seq, command.launchId(), command.jobId(), now, null, null,
                            command.reason()));
                }
            } else if (t.phase == Phase.RUNNING && t.killReason == null) {
                t.killReason = command.reason();
                t.killAt = now.plusSeconds(Math.max(0, command.graceSeconds()));
                if (t.jobPid > 1) {
                    signalJob(t, "TERM");
                    t.termSent = true;
                }
                log(Level.INFO, "stopping launch " + t.launchId() + " (" + command.reason() + "), grace "
                        + command.graceSeconds() + " s");
            }
            saveIfDirty();
        }
    }

    // ---------------------------------------------------------------- monitor

    private void monitorLoop() {
        while (running) {
            try {
                monitorOnce();
            } catch (RuntimeException e) {
                log(Level.ERROR, "monitor: " + e);
            }
            if (!sleep(config.monitorInterval().toMillis())) {
                return;
            }
        }
    }

    private void monitorOnce() {
        Instant now = clock.instant();
        synchronized (lock) {
            for (TrackedLaunch t : new ArrayList<>(launches.values())) {
                if (t.phase == Phase.RUNNING) {
                    watch(t, now);
                }
                if (t.phase != Phase.SPAWNING) {
                    tailMetrics(t, now);
                }
                if (t.phase == Phase.DRAINING && t.stdoutDone && (t.stderrDone || t.sameStdoutAndStderr())
                        && (t.finalCpuSeconds == null || t.finalUsageSent)) {
                    launches.remove(t.launchId());
                    if (t.cgroup != null && cgroups.isPresent()) {
                        cgroups.get().remove(t.cgroup);
                    }
                    dirty = true;
                }
            }
            saveIfDirty();
        }
    }

    /** Checks a running launch: has it ended, is its wall time over, is a stop's grace over. */
    private void watch(TrackedLaunch t, Instant now) {
        Path dir = Path.of(t.spec.jobDir());
        if (t.jobPid == 0) {
            JobLauncher.readLong(dir.resolve(JobLauncher.JOB_PID)).ifPresent(pid -> {
                t.jobPid = pid;
                t.jobStart = ProcessTable.startOf(pid).orElse(null);
                dirty = true;
            });
        }
        Optional<Long> code = JobLauncher.readLong(dir.resolve(JobLauncher.EXIT_CODE));
        if (code.isPresent()) {
            finish(t, code.get().intValue(), now);
            return;
        }
        boolean alive = t.wrapperPid > 0 ? ProcessTable.alive(t.wrapperPid, t.wrapperStart)
                : ProcessTable.alive(t.jobPid, null);
        if (!alive) {
            // The wrapper is gone: it wrote the exit code just before, or was killed and nobody will.
            Optional<Long> late = JobLauncher.readLong(dir.resolve(JobLauncher.EXIT_CODE));
            if (late.isEmpty()) {
                signalJob(t, "KILL");
            }
            finish(t, late.map(Long::intValue).orElse(null), now);
            return;
        }
        long walltime = t.spec.walltimeSeconds();
        if (t.killReason == null && walltime > 0 && t.startedAt != null
                && !now.isBefore(t.startedAt.plusSeconds(walltime))) {
            t.killReason = ExitReason.TIMEOUT;
            t.killAt = now.plusSeconds(t.spec.graceSeconds());
            dirty = true;
            log(Level.INFO, "launch " + t.launchId() + " reached its wall time of " + walltime + " s");
        }
        if (t.killReason != null && t.jobPid > 1) {
            if (!t.termSent) {
                signalJob(t, "TERM");
                t.termSent = true;
                dirty = true;
            }
            if (!t.killSent && !now.isBefore(t.killAt)) {
                signalJob(t, "KILL");
                t.killSent = true;
                dirty = true;
            }
        }
    }

    /**
     * Signals a job's process group, but only while its leader is the very process the job started as: after a
     * reboot or a long outage the group id may belong to someone else, and the agent runs as root.
     */
    private static void signalJob(TrackedLaunch t, String signal) {
        if (t.jobPid > 1 && ProcessTable.alive(t.jobPid, t.jobStart)) {
            JobLauncher.signalGroup(t.jobPid, signal);
        }
    }

    private void finish(TrackedLaunch t, Integer exitCode, Instant now) {
        ExitReason reason = t.killReason != null ? t.killReason
                : t.cgroup != null && cgroups.isPresent() && cgroups.get().oomKills(t.cgroup) > 0
                        ? ExitReason.OUT_OF_MEMORY : ExitReason.EXITED;
        String signal = exitCode != null && exitCode > 128 && exitCode < 128 + 65 ? signalName(exitCode - 128)
                : exitCode == null && t.killSent ? "SIGKILL" : null;
        t.exitCode = exitCode;
        t.signal = signal;
        t.phase = Phase.DRAINING;
        if (t.cgroup != null && cgroups.isPresent()) {
            // Read before the cgroup goes: the CPU time of all it ran, sent as its last usage.
            cgroups.get().cpuSeconds(t.cgroup).ifPresent(cpu -> t.finalCpuSeconds = cpu);
        }
        endLeftovers(t);
        terminals.remove(t.launchId());
        remember(emit(seq -> new AgentEvent.Exited(seq, t.launchId(), t.spec.jobId(), now, exitCode, signal,
                reason)));
        log(Level.INFO, "launch " + t.launchId() + " of job " + t.spec.jobId() + " ended: " + reason + ", exit code "
                + exitCode + (signal != null ? " (" + signal + ")" : ""));
    }

    /**
     * Kills what the launch left running outside its process group: a job ends with all of its processes, as
     * Slurm's cgroup does, so none keeps a GPU, a port or CPU time after the allocation is given to someone else.
     */
    private void endLeftovers(TrackedLaunch t) {
        Set<Long> left = new java.util.HashSet<>();
        if (t.cgroup != null && cgroups.isPresent()) {
            // Every process of the launch, whatever session or environment it gave itself.
            left.addAll(cgroups.get().killAll(t.launchId(), t.cgroup));
            // Empty now, so removed now rather than once the logs are shipped, which an agent stopped meanwhile
            // would never see; still busy, it is removed then.
            if (cgroups.get().remove(t.cgroup)) {
                t.cgroup = null;
            }
        }
        // Without cgroups, the mark in the environment (a process that clears its environment escapes it).
        for (long pid : ProcessTable.carrying(JobLauncher.LAUNCH_MARK, t.launchId().toString())) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            left.add(pid);
        }
        // The wrapper, which wrote the exit code, may not have exited yet: it is not left over.
        left.remove(t.wrapperPid);
        if (!left.isEmpty()) {
            log(Level.INFO, "launch " + t.launchId() + " left " + left.size() + " process(es) running: killed");
        }
    }

    static String signalName(int number) {
        switch (number) {
            case 1: return "SIGHUP";
            case 2: return "SIGINT";
            case 3: return "SIGQUIT";
            case 4: return "SIGILL";
            case 6: return "SIGABRT";
            case 7: return "SIGBUS";
            case 8: return "SIGFPE";
            case 9: return "SIGKILL";
            case 11: return "SIGSEGV";
            case 13: return "SIGPIPE";
            case 14: return "SIGALRM";
            case 15: return "SIGTERM";
            case 24: return "SIGXCPU";
            case 25: return "SIGXFSZ";
            default: return "SIG" + number;
        }
    }

    /** Sends each new complete line of the job's {@code metrics.jsonl} as a METRICS event. */
    private void tailMetrics(TrackedLaunch t, Instant now) {
        Path file = Path.of(t.spec.jobDir()).resolve(JobLauncher.METRICS);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || !trustworthy(t, file)) {
            return;
        }
        try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            if (size <= t.metricsOffset) {
                return;
            }
            int n = (int) Math.min(size - t.metricsOffset, MAX_CHUNK);
            ByteBuffer buffer = ByteBuffer.allocate(n);
            channel.position(t.metricsOffset);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // read the bounded window
            }
            byte[] bytes = buffer.array();
            int lineStart = 0;
            for (int i = 0; i < buffer.position(); i++) {
                if (bytes[i] == '\n') {
                    metricsLine(t, new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8), now);
                    lineStart = i + 1;
                }
            }
            if (lineStart == 0 && n == MAX_CHUNK) {
                // A "line" longer than the window is not a metrics record: skip it rather than stall on it.
                lineStart = n;
                log(Level.WARNING, "launch " + t.launchId() + ": skipped a metrics.jsonl line over 1 MiB");
            }
            if (lineStart > 0) {
                t.metricsOffset += lineStart;
                dirty = true;
            }
        } catch (IOException e) {
            // The job may be rewriting the file; the next pass reads it again.
        }
    }

    private void metricsLine(TrackedLaunch t, String line, Instant now) {
        if (line.isBlank() || line.length() > MAX_METRICS_LINE) {
            return;
        }
        try {
            JsonNode node = AgentJson.MAPPER.readTree(line);
            if (node.isObject()) {
                emit(seq -> new AgentEvent.Metrics(seq, t.launchId(), t.spec.jobId(), now, node));
            }
        } catch (JacksonException e) {
            // Not JSON: a partial or foreign line; metrics.jsonl holds one JSON object per line, others are skipped.
        }
    }

    // ---------------------------------------------------------------- logs

    private String lastUploadError;

    private void logLoop() {
        while (running) {
            boolean shipped;
            try {
                shipped = shipLogsOnce();
            } catch (PortalRefusedException e) {
                shipped = false;
            } catch (IOException e) {
                shipped = false;
                // The sync loop reports outages; uploads resume from the acknowledged offset. Anything else
                // (an answer this agent cannot read) is said once, or logs would silently stop.
                String message = String.valueOf(e.getMessage());
                if (!message.equals(lastUploadError)) {
                    lastUploadError = message;
                    log(Level.WARNING, "log upload failed, retrying: " + message);
                }
                if (!sleep(2_000)) {
                    return;
                }
            } catch (RuntimeException e) {
                log(Level.ERROR, "log shipping: " + e);
                shipped = false;
            }
            if (!shipped && !sleep(config.monitorInterval().toMillis())) {
                return;
            }
        }
    }

    /**
     * One pass over the launches' output files: uploads what the portal has not acknowledged, a bounded number of
     * 1 MiB chunks per stream, read into one reused buffer.
     *
     * @return whether anything was uploaded (then another pass follows at once)
     */
    private boolean shipLogsOnce() throws IOException {
        List<TrackedLaunch> current;
        synchronized (lock) {
            current = launches.values().stream().filter(t -> t.phase != Phase.SPAWNING).toList();
        }
        boolean shipped = false;
        for (TrackedLaunch t : current) {
            for (LogStream stream : LogStream.values()) {
                for (int i = 0; i < CHUNKS_PER_PASS && running; i++) {
                    if (!shipChunk(t, stream)) {
                        break;
                    }
                    shipped = true;
                }
            }
        }
        return shipped;
    }

    private boolean shipChunk(TrackedLaunch t, LogStream stream) throws IOException {
        long offset;
        boolean draining;
        Path file;
        synchronized (lock) {
            if (stream == LogStream.STDERR && t.sameStdoutAndStderr()) {
                t.stderrDone = true;
            }
            boolean done = stream == LogStream.STDOUT ? t.stdoutDone : t.stderrDone;
            if (done || !launches.containsKey(t.launchId())) {
                return false;
            }
            offset = stream == LogStream.STDOUT ? t.stdoutOffset : t.stderrOffset;
            draining = t.phase == Phase.DRAINING;
            file = Path.of(stream == LogStream.STDOUT ? t.spec.stdout() : t.spec.stderr());
        }
        int length;
        try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            if (!trustworthy(t, file)) {
                markDone(t, stream, "it is not the user's own file");
                return false;
            }
            long size = channel.size();
            if (offset >= size) {
                if (draining) {
                    markDone(t, stream, null);
                }
                return false;
            }
            length = (int) Math.min(MAX_CHUNK, size - offset);
            ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, length);
            channel.position(offset);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // fill the chunk
            }
            length = buffer.position();
        } catch (NoSuchFileException e) {
            if (draining) {
                markDone(t, stream, null);
            }
            return false;
        } catch (IOException e) {
            if (draining) {
                markDone(t, stream, "it cannot be read: " + e);
            }
            return false;
        }
        if (length == 0) {
            return false;
        }
        LogAck ack = link.uploadLog(t.launchId(), stream, offset, chunk, length);
        synchronized (lock) {
            long next = Math.max(0, ack.next());
            if (stream == LogStream.STDOUT) {
                t.stdoutOffset = next;
                t.stdoutDone = ack.truncated();
            } else {
                t.stderrOffset = next;
                t.stderrDone = ack.truncated();
            }
            dirty = true;
        }
        return !ack.truncated();
    }

    private void markDone(TrackedLaunch t, LogStream stream, String why) {
        synchronized (lock) {
            if (stream == LogStream.STDOUT) {
                t.stdoutDone = true;
            } else {
                t.stderrDone = true;
            }
            dirty = true;
        }
        if (why != null) {
            log(Level.WARNING, "launch " + t.launchId() + ": " + stream.wireName() + " not shipped, " + why);
        }
    }

    /**
     * Whether a file of a job may be read by this agent on the user's behalf. As root, the agent could read any
     * file of the machine: a user who replaces its output with a link to, say, /etc/shadow must get nothing. The
     * file must be the user's own and lie in a directory reached without symbolic links.
     */
    private boolean trustworthy(TrackedLaunch t, Path file) {
        if (!asRoot) {
            return true;
        }
        try {
            Path parent = file.getParent();
            Object owner = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return parent.toRealPath().equals(parent.normalize()) && owner instanceof Integer
                    && (Integer) owner == t.spec.user().uid();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- state helpers (callers hold the lock)

    private AgentEvent emit(LongFunction<AgentEvent> event) {
        AgentEvent e = event.apply(nextSeq++);
        queue.addLast(e);
        if (queue.size() > MAX_QUEUED_EVENTS) {
            // The portal has been away long: shed the oldest metrics, never a start or an exit.
            Iterator<AgentEvent> it = queue.iterator();
            while (it.hasNext() && queue.size() > MAX_QUEUED_EVENTS) {
                if (it.next() instanceof AgentEvent.Metrics) {
                    it.remove();
                }
            }
        }
        dirty = true;
        return e;
    }

    private void remember(AgentEvent outcome) {
        finished.remove(outcome.launchId());
        finished.put(outcome.launchId(), outcome);
        while (finished.size() > MAX_FINISHED) {
            finished.remove(finished.keySet().iterator().next());
        }
        dirty = true;
    }

    private void trimExecuted() {
        while (executed.size() > MAX_EXECUTED) {
            executed.remove(executed.iterator().next());
        }
    }

    private static AgentEvent withSeq(AgentEvent e, long seq) {
        if (e instanceof AgentEvent.Started) {
            AgentEvent.Started s = (AgentEvent.Started) e;
            return new AgentEvent.Started(seq, s.launchId(), s.jobId(), s.at(), s.pid());
        }
        if (e instanceof AgentEvent.Exited) {
            AgentEvent.Exited x = (AgentEvent.Exited) e;
            return new AgentEvent.Exited(seq, x.launchId(), x.jobId(), x.at(), x.exitCode(), x.signal(), x.reason());
        }
        if (e instanceof AgentEvent.LaunchFailed) {
            AgentEvent.LaunchFailed f = (AgentEvent.LaunchFailed) e;
            return new AgentEvent.LaunchFailed(seq, f.launchId(), f.jobId(), f.at(), f.message());
        }
        AgentEvent.Metrics m = (AgentEvent.Metrics) e;
        return new AgentEvent.Metrics(seq, m.launchId(), m.jobId(), m.at(), m.metrics());
    }

    /** Saves the state if it changed; false when it could not be written. */
    private boolean saveIfDirty() {
        if (!dirty) {
            return true;
        }
        try {
            store.save(new StateStore.State(1, inventory.node(), nextSeq, new ArrayList<>(launches.values()),
                    new ArrayList<>(executed), new ArrayList<>(queue), new ArrayList<>(finished.values())));
            dirty = false;
            saveErrorShown = false;
            return true;
        } catch (IOException | RuntimeException e) {
            if (!saveErrorShown) {
                log(Level.ERROR, "cannot write the state file in " + config.stateDir() + ": " + e);
                saveErrorShown = true;
            }
            return false;
        }
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return running;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private void log(Level level, String message) {
        LOG.log(level, "[" + inventory.node() + "] " + message);
    }
}
