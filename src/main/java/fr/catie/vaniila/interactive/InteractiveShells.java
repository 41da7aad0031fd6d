package fr.catie.vaniila.interactive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import fr.catie.vaniila.agent.TerminalFrames;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.jobs.JobState;
import fr.catie.vaniila.jobs.JobSubmission;
import fr.catie.vaniila.jobs.JobView;
import fr.catie.vaniila.jobs.Jobs;
import fr.catie.vaniila.platform.Problem;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The interactive allocations of this portal: each {@link #open} submits an interactive job and keeps its
 * terminal here until the job's node agent connects back ({@code /agent/v1/terminals/{launchId}}, see
 * {@link #attach}); from then on keystrokes and size changes go to the agent as {@link TerminalFrames} and the
 * PTY's output comes back to the {@link TerminalOutput}. Waiting is reported with Slurm's words; the end of the
 * shell, of the job (wall time, scancel) or of the terminal ends the other two.
 *
 * <p>Terminals live in this portal's memory: the agent must reach the portal instance the user is connected to
 * (with several portals, route {@code /agent/v1/terminals/} like the user's session, or run one). A portal restart
 * ends the terminals it held; their jobs end when their agents find no terminal waiting.
 *
 * <p>Thread-safe: each terminal's state is guarded by its own lock, which its output calls hold, so that output
 * arrives in order from one thread at a time.
 */
@Service
public class InteractiveShells implements InteractiveAllocations {

    private static final Logger log = LoggerFactory.getLogger(InteractiveShells.class);

    /** Keys typed before the shell runs are kept, up to this many bytes, and sent when it starts. */
    static final int MAX_TYPED_AHEAD = 64 * 1024;
    /** How long a started job may wait for its agent to open the terminal before it is given up. */
    static final long ATTACH_TIMEOUT_MS = 60_000;
    /** After a shell ended by a signal, how long to wait for the job's end to say why. */
    static final long SETTLE_WAIT_MS = 8_000;
    private static final byte CTRL_C = 3;
    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_./=:@+,-]+");
    private static final DateTimeFormatter SLURM_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private final Jobs jobs;
    private final Clock clock;
    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watcher;

    public InteractiveShells(Jobs jobs, Clock clock) {
        this.jobs = jobs;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.watcher = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "interactive-watch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The node agent's end of a relayed terminal, as the agent gateway holds it. Thread-safe. */
    public interface NodeSide {

        /** Sends frames ({@link TerminalFrames}) to the agent. */
        void send(byte[] frames);

        /** Closes the connection to the agent (which then hangs the terminal up). Idempotent. */
        void close(String why);
    }

    /** What the agent gateway hands to a terminal from its agent. Calls come from one thread at a time. */
    public interface Relay {

        /** Bytes the terminal showed. */
        void output(byte[] data);

        /** The terminal's command ended with this status (null when the agent could not learn it). */
        void exited(Integer exitCode);

        /** The agent's connection ended. Once, last. */
        void disconnected();
    }

    @Override
    public Terminal open(Caller caller, AllocationRequest request, TerminalSize size, TerminalOutput output) {
        String commandLine = commandLine(request.command());
        String name = request.jobName() != null && !request.jobName().isBlank() ? request.jobName().trim()
                : request.program().equals("srun") && !request.command().isEmpty()
                        ? request.command().get(0).replaceAll(".*/", "") : "interactive";
        JobSubmission submission = new JobSubmission(name, request.queue(), "interactive", commandLine, 1,
                request.gpus(), request.flavor(), null, 1, null, request.cores(),
                null, request.memoryMb() == null ? null : request.memoryMb().longValue(), request.walltime(), null, null,
                Map.of("TERM", "xterm-256color"), null, null, ".vaniila/interactive-%j.log", ".vaniila/interactive-%j.log",
                false, null, null);
        long id = jobs.submitInteractive(caller, submission).id();
        Session session = new Session(caller, id, request.program(), size == null ? TerminalSize.DEFAULT : size, output);
        sessions.put(id, session);
        log.info("Interactive job {} of {} waits for its allocation ({})", id, caller.username(), commandLine);
        synchronized (session) {
            if (session.program.equals("salloc")) {
                session.say("Pending job allocation " + id);
            }
        }
        session.watch = watcher.scheduleWithFixedDelay(session::check, 200, 300, TimeUnit.MILLISECONDS);
        return session;
    }

    /** Whether a terminal of this portal waits for the given job's agent. */
    public boolean waiting(long jobId) {
        Session s = sessions.get(jobId);
        return s != null && s.phase == Phase.WAITING;
    }

    /**
     * Connects the agent that runs the job's shell to the terminal waiting for it.
     *
     * @return the terminal's side, or empty when no terminal of this portal waits for this job (closed meanwhile,
     *         or opened on another portal): the gateway then closes the agent's connection
     */
    public Optional<Relay> attach(long jobId, UUID launchId, String node, NodeSide agent) {
        Session session = sessions.get(jobId);
        if (session == null) {
            return Optional.empty();
        }
        return session.attach(launchId, node, agent);
    }

    @PreDestroy
    void stop() {
        for (Session s : List.copyOf(sessions.values())) {
            synchronized (s) {
                s.finish(-1, "the portal stopped");
            }
        }
        watcher.shutdownNow();
    }

    /** The command line, words quoted as bash reads them back; the user's shell when none. */
    static String commandLine(List<String> command) {
        if (command.isEmpty()) {
            return "/bin/bash";
        }
        StringBuilder line = new StringBuilder();
        for (String word : command) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(PLAIN_WORD.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'");
        }
        return line.toString();
    }

    private enum Phase { WAITING, ATTACHED, ENDING, ENDED }

    /** One terminal. Its fields are guarded by its own monitor. */
    private final class Session implements Terminal {

        final Caller caller;
        final long jobId;
        final String program;
        final TerminalOutput output;
        TerminalSize size;
        volatile Phase phase = Phase.WAITING;
        final ByteArrayOutputStream typedAhead = new ByteArrayOutputStream();
        NodeSide agent;
        String node;
        String lastReason;
        boolean queuedSaid;
        Instant runningSince;
        Instant endingSince;
        Instant jobEndSeen;
        int quietRounds;
        Integer exitCode;
        ScheduledFuture<?> watch;

        Session(Caller caller, long jobId, String program, TerminalSize size, TerminalOutput output) {
            this.caller = caller;
            this.jobId = jobId;
            this.program = program;
            this.size = size;
            this.output = output;
        }

        @Override
        public synchronized void input(byte[] data) {
            switch (phase) {
                case WAITING -> {
                    for (byte b : data) {
                        if (b == CTRL_C) {
                            // As salloc: an interrupt while waiting gives the allocation up.
                            cancelJob("interrupted while waiting for its allocation");
                            say("Job allocation " + jobId + " has been revoked.");
                            finish(-1, "job " + jobId + " was given up while waiting for its allocation");
                            return;
                        }
                    }
                    int room = MAX_TYPED_AHEAD - typedAhead.size();
                    typedAhead.write(data, 0, Math.max(0, Math.min(room, data.length)));
                }
                case ATTACHED -> agent.send(TerminalFrames.input(data, 0, data.length));
                default -> {
                    // The shell has ended: keys typed now have nowhere to go.
                }
            }
        }

        @Override
        public synchronized void resize(TerminalSize newSize) {
            size = newSize;
            if (phase == Phase.ATTACHED) {
                agent.send(TerminalFrames.resize(newSize.columns(), newSize.rows()));
            }
        }

        @Override
        public synchronized void close() {
            if (phase == Phase.ENDED) {
                return;
            }
            if (agent != null) {
                agent.send(TerminalFrames.hangup());
                agent.close("the terminal was closed");
            }
            if (phase == Phase.WAITING || phase == Phase.ATTACHED) {
                cancelJob("its terminal was closed");
            }
            finish(-1, "the terminal was closed");
        }

        synchronized Optional<Relay> attach(UUID launchId, String nodeName, NodeSide side) {
            if (phase != Phase.WAITING) {
                return Optional.empty();
            }
            agent = side;
            node = nodeName;
            phase = Phase.ATTACHED;
            if (program.equals("salloc")) {
                say("Granted job allocation " + jobId);
                say("Nodes " + nodeName + " are ready for job");
            } else if (queuedSaid) {
                say("job " + jobId + " has been allocated resources");
            }
            side.send(TerminalFrames.resize(size.columns(), size.rows()));
            if (typedAhead.size() > 0) {
                byte[] keys = typedAhead.toByteArray();
                side.send(TerminalFrames.input(keys, 0, keys.length));
                typedAhead.reset();
            }
            log.info("Terminal of interactive job {} attached to launch {} on {}", jobId, launchId, nodeName);
            return Optional.of(new Relay() {
                @Override
                public void output(byte[] data) {
                    synchronized (Session.this) {
                        if (phase == Phase.ATTACHED || phase == Phase.ENDING) {
                            output.output(data);
                        }
                    }
                }

                @Override
                public void exited(Integer code) {
                    synchronized (Session.this) {
                        exitCode = code;
                    }
                }

                @Override
                public void disconnected() {
                    synchronized (Session.this) {
                        if (phase != Phase.ATTACHED) {
                            return;
                        }
                        phase = Phase.ENDING;
                        endingSince = clock.instant();
                        if (exitCode != null && exitCode < 128) {
                            // The shell exited by itself: the job ends with it, nothing more to explain.
                            relinquish();
                            finish(exitCode, null);
                        }
                    }
                }
            });
        }

        /** The watcher's round: reports waiting, notices a job that ended without its terminal. */
        void check() {
            if (phase == Phase.ENDED) {
                return;
            }
            // While the shell runs, its end comes through the agent's stream: the job is read only now and then.
            if (phase == Phase.ATTACHED && jobEndSeen == null && ++quietRounds % 7 != 0) {
                return;
            }
            JobView job;
            try {
                job = jobs.get(caller, jobId);
            } catch (RuntimeException e) {
                log.debug("interactive job {} not readable: {}", jobId, e.getMessage());
                return;
            }
            synchronized (this) {
                JobState state = JobState.valueOf(job.state());
                switch (phase) {
                    case WAITING -> waiting(job, state);
                    case ATTACHED -> {
                        if (state.terminal() && jobEndSeen == null) {
                            jobEndSeen = clock.instant();
                        } else if (state.terminal() && clock.instant().isAfter(jobEndSeen.plusSeconds(2))) {
                            // The agent's connection should have ended with the job: say why and stop waiting.
                            explainEnd(job, state);
                            agent.close("job " + jobId + " ended");
                            finish(exitCode == null ? -1 : exitCode, why(job, state));
                        }
                    }
                    case ENDING -> {
                        if (state.terminal() || clock.instant().isAfter(endingSince.plusMillis(SETTLE_WAIT_MS))) {
                            explainEnd(job, state);
                            relinquish();
                            finish(exitCode == null ? -1 : exitCode, why(job, state));
                        }
                    }
                    default -> {
                    }
                }
            }
        }

        private void waiting(JobView job, JobState state) {
            if (state == JobState.PENDING && job.reasonCode() != null) {
                if (!queuedSaid) {
                    say("job " + jobId + " queued and waiting for resources");
                    queuedSaid = true;
                }
                if (job.reason() != null && !job.reason().equals(lastReason)) {
                    lastReason = job.reason();
                    say("waiting: " + job.reason());
                }
            } else if (state == JobState.STARTING || state == JobState.RUNNING) {
                if (runningSince == null) {
                    runningSince = clock.instant();
                } else if (clock.instant().isAfter(runningSince.plusMillis(ATTACH_TIMEOUT_MS))) {
                    cancelJob("its node agent did not open the terminal");
                    error("the node's agent did not open the terminal of job " + jobId
                            + " within a minute; the job is cancelled, try again or ask an administrator");
                    finish(-1, "the node's agent did not open the terminal");
                }
            } else if (state.terminal()) {
                String why = job.endReason() == null ? state.name() : state.name() + ": " + job.endReason();
                error("Job allocation " + jobId + " has been revoked (" + why + ")");
                finish(-1, "job " + jobId + " ended before its shell started (" + why + ")");
            }
        }

        /** Slurm's line when a job is ended from outside: scancel, the wall time, a node failure. */
        private void explainEnd(JobView job, JobState state) {
            String at = LocalDateTime.ofInstant(clock.instant(), ZoneId.systemDefault()).format(SLURM_TIME);
            String on = node == null ? "" : " ON " + node;
            switch (state) {
                case CANCELLED -> error("*** JOB " + jobId + on + " CANCELLED AT " + at + " ***");
                case TIMEOUT -> error("*** JOB " + jobId + on + " CANCELLED AT " + at + " DUE TO TIME LIMIT ***");
                case NODE_FAIL -> error("*** JOB " + jobId + on + " CANCELLED AT " + at + " DUE TO NODE FAILURE ***");
                case PREEMPTED -> error("*** JOB " + jobId + on + " CANCELLED AT " + at + " DUE TO PREEMPTION ***");
                default -> {
                }
            }
        }

        private String why(JobView job, JobState state) {
            return switch (state) {
                case CANCELLED -> "job " + jobId + " was cancelled"
                        + (job.endReason() == null ? "" : " (" + job.endReason() + ")");
                case TIMEOUT -> "job " + jobId + " reached its wall time";
                case NODE_FAIL -> "the node of job " + jobId + " failed";
                case PREEMPTED -> "job " + jobId + " was preempted";
                default -> null;
            };
        }

        private void relinquish() {
            if (program.equals("salloc")) {
                say("Relinquishing job allocation " + jobId);
            }
        }

        private void cancelJob(String why) {
            try {
                jobs.cancel(caller, jobId);
            } catch (Problem p) {
                // Already ended: nothing to cancel.
                log.debug("interactive job {} not cancelled ({}): {}", jobId, why, p.getMessage());
            }
        }

        /** One line of the program's own, as Slurm prints it ("salloc: ..."), on a terminal in raw mode. */
        void say(String line) {
            output.output((program + ": " + line + "\r\n").getBytes(StandardCharsets.UTF_8));
        }

        private void error(String line) {
            say("error: " + line);
        }

        /** Ends the terminal: the output's last call. Callers hold the lock. */
        void finish(int code, String why) {
            if (phase == Phase.ENDED) {
                return;
            }
            phase = Phase.ENDED;
            sessions.remove(jobId, this);
            if (watch != null) {
                watch.cancel(false);
            }
            try {
                output.closed(code, why);
            } catch (RuntimeException e) {
                log.debug("terminal of job {} closed with an error: {}", jobId, e.getMessage());
            }
        }
    }
}
