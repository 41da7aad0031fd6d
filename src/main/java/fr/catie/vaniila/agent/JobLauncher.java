package fr.catie.vaniila.agent;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts a launch's processes on this machine.
 *
 * <p>The agent starts a small wrapper ({@code vaniila-wrapper.sh} in the job directory) in a session of its own;
 * the wrapper starts the job in another new session ({@code setsid}), so that the job's process group is the
 * job's alone, writes the job's pid to {@code job.pid}, waits for it, kills what is left of its group and writes
 * its exit status to {@code exit_code} (atomically, by rename). The wrapper is not the agent's concern once
 * started: it outlives an agent killed with -9, and a restarted agent learns the exit status from the file.
 *
 * <p>When the agent runs as root, the wrapper and the job run as the user's account ({@code setpriv}), created if
 * missing; the job directory and the output files are the user's. With cgroups available, the wrapper enters
 * the launch's cgroup before anything else runs. Thread-safe.
 */
final class JobLauncher {

    private static final System.Logger LOG = System.getLogger(JobLauncher.class.getName());

    static final String WRAPPER = "vaniila-wrapper.sh";
    static final String EXIT_CODE = "exit_code";
    static final String JOB_PID = "job.pid";
    static final String METRICS = "metrics.jsonl";
    /**
     * The variable that marks every process of a launch, so that what escaped its process group (a background
     * server of an interactive shell, a daemon started with setsid) is found and ended with it.
     */
    static final String LAUNCH_MARK = "VANIILA_LAUNCH_ID";

    private static final String WRAPPER_TEXT = String.join("\n",
            "#!/bin/bash",
            "# Written by the Vaniila agent: runs the job in its own session and records its exit status, so that",
            "# an agent restarted meanwhile still learns how the job ended. Arguments: JOBDIR STDOUT STDERR COMMAND...",
            "jobdir=\"$1\"; out=\"$2\"; err=\"$3\"; shift 3",
            "setsid \"$@\" </dev/null >>\"$out\" 2>>\"$err\" &",
            "job=$!",
            "echo \"$job\" > \"$jobdir/job.pid.tmp\" && mv -f \"$jobdir/job.pid.tmp\" \"$jobdir/job.pid\"",
            "wait \"$job\"",
            "code=$?",
            "# What the job left behind in its group (a background child) ends with it.",
            "kill -KILL -- \"-$job\" 2>/dev/null",
            "echo \"$code\" > \"$jobdir/exit_code.tmp\" && mv -f \"$jobdir/exit_code.tmp\" \"$jobdir/exit_code\"",
            "");

    static final String RELAY = "vaniila-pty.py";

    /**
     * The wrapper of an interactive launch: the same, except that the job (the PTY relay) keeps the wrapper's
     * standard input and output, the agent's pipes to the terminal. The wrapper keeps its own copy of the output
     * open until it has written {@code exit_code}, so the end of the output tells the agent the status is there.
     */
    private static final String INTERACTIVE_WRAPPER_TEXT = WRAPPER_TEXT.replace(
            "setsid \"$@\" </dev/null >>\"$out\" 2>>\"$err\" &",
            "exec 3<&0 4>&1\nsetsid \"$@\" <&3 >&4 2>>\"$err\" 3<&- 4>&- &\nexec 3<&- 4>&-");

    /**
     * A started launch: the wrapper's pid and start instant, the job's process group, the cgroup if any, and for an
     * interactive launch the wrapper's process, whose standard input and output are the terminal's (null otherwise).
     */
    record Spawned(long wrapperPid, Instant wrapperStart, long jobPid, String cgroup, Process terminal) {
    }

    private final boolean asRoot;
    private final String agentUser;
    private final Optional<JobCgroups> cgroups;
    private final List<String> trainingCommand;
    private final Map<Integer, GpuDeviceNumbers.CharDevice> gpuDevices;
    private final UnixAccounts accounts = new UnixAccounts();

    /**
     * @param asRoot          whether the agent runs as root (then jobs run as their users)
     * @param cgroups         the cgroups to put launches in, if usable
     * @param trainingCommand the command that runs the jar's roles; a TRAINING launch appends its argv
     * @param gpuDevices      the device of each real GPU by index, which a launch may open only if it is given that
     *                        GPU; empty when the node's GPUs are virtual or cannot be confined
     */
    JobLauncher(boolean asRoot, Optional<JobCgroups> cgroups, List<String> trainingCommand,
            Map<Integer, GpuDeviceNumbers.CharDevice> gpuDevices) {
        this.asRoot = asRoot;
        this.agentUser = System.getProperty("user.name");
        this.cgroups = cgroups;
        this.trainingCommand = List.copyOf(trainingCommand);
        this.gpuDevices = Map.copyOf(gpuDevices);
    }

    /**
     * Whether launches are denied the device files of the GPUs that are not theirs: the agent gives the GPUs'
     * devices only where its cgroups can withhold them.
     */
    boolean confinesGpus() {
        return !gpuDevices.isEmpty();
    }

    /** Whether the agent process runs as root, read from /proc/self/status. */
    static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).trim().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /**
     * Starts a launch. Returns once the job's process runs (its pid written by the wrapper) or has already ended.
     *
     * @throws LaunchException when it cannot start; nothing of it runs then
     */
    Spawned start(LaunchSpec spec) throws LaunchException {
        UserAccount user = spec.user();
        if (asRoot) {
            accounts.ensure(user);
        }
        Path workspace = Path.of(user.workspace()).normalize();
        Path jobDir = Path.of(spec.jobDir()).normalize();
        Path workdir = Path.of(spec.workdir()).normalize();
        Path stdout = Path.of(spec.stdout()).normalize();
        Path stderr = Path.of(spec.stderr()).normalize();
        try {
            ownedDirectory(workspace, workspace, user);
            ownedDirectory(workspace, jobDir, user);
            ownedDirectory(workspace, workdir, user);
            ownedDirectory(workspace, stdout.getParent(), user);
            ownedDirectory(workspace, stderr.getParent(), user);
            for (String stale : List.of(EXIT_CODE, JOB_PID, "exit_code.tmp", "job.pid.tmp", WRAPPER, "job.sh")) {
                Files.deleteIfExists(jobDir.resolve(stale));
            }
            ownedFile(stdout, new byte[0], "rw-------", user);
            if (!stderr.equals(stdout)) {
                ownedFile(stderr, new byte[0], "rw-------", user);
            }
            boolean interactive = spec.kind() == LaunchKind.INTERACTIVE;
            ownedFile(jobDir.resolve(WRAPPER), (interactive ? INTERACTIVE_WRAPPER_TEXT : WRAPPER_TEXT)
                    .getBytes(StandardCharsets.UTF_8), "r-x------", user);
            if (interactive) {
                ownedFile(jobDir.resolve(RELAY), relayText(), "r-x------", user);
            }
        } catch (IOException e) {
            throw new LaunchException("the job's files could not be prepared in " + workspace + ": " + e.getMessage(),
                    e);
        }

        List<String> job = new ArrayList<>();
        if (spec.kind() == LaunchKind.BATCH) {
            try {
                ownedFile(jobDir.resolve("job.sh"), spec.script().getBytes(StandardCharsets.UTF_8), "rwx------", user);
            } catch (IOException e) {
                throw new LaunchException("the job script could not be written to " + jobDir + ": " + e.getMessage(),
                        e);
            }
            job.add("/bin/bash");
            job.add(jobDir.resolve("job.sh").toString());
        } else if (spec.kind() == LaunchKind.INTERACTIVE) {
            String path = environment(spec, user.name()).get("PATH");
            boolean python = java.util.Arrays.stream(path.split(":"))
                    .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "python3")));
            if (!python) {
                throw new LaunchException("python3 is not installed on this node (looked in " + path + "): interactive"
                        + " jobs need it for their terminal; install it (apt-get install python3) or use another node");
            }
            // The portal sends the window's size as the first frame; 80x24 until then.
            job.addAll(List.of("python3", jobDir.resolve(RELAY).toString(), "80", "24", "/bin/bash", "-c",
                    spec.script()));
        } else {
            job.addAll(trainingCommand);
            job.addAll(spec.argv());
        }

        String cgroup = null;
        List<String> command = new ArrayList<>();
        if (cgroups.isPresent()) {
            List<GpuDeviceNumbers.CharDevice> otherGpus = gpuDevices.entrySet().stream()
                    .filter(e -> !spec.gpuIndices().contains(e.getKey())).map(Map.Entry::getValue).toList();
            try {
                JobCgroups.Placement placement = cgroups.get().create(spec.launchId(), spec.cores(),
                        spec.memoryMb(), otherGpus);
                cgroup = placement.saved();
                // The first process joins the cgroup (each hierarchy of it, in v1) before exec'ing the wrapper, so
                // every job process is in it. Arguments: how many cgroup.procs files, the files, the command.
                command.addAll(List.of("/bin/sh", "-c", "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || "
                        + "exit 125; shift; n=$((n - 1)); done; exec \"$@\"", "sh",
                        Integer.toString(placement.procs().size())));
                placement.procs().forEach(procs -> command.add(procs.toString()));
            } catch (IOException e) {
                // Without its cgroup the job could take the node's memory, or open GPUs given to other jobs.
                throw new LaunchException("the job's cgroup could not be created (" + e.getMessage()
                        + "): the node's administrator should look at the agent's log", e);
            }
        }
        command.add("setsid");
        if (asRoot) {
            command.addAll(List.of("setpriv", "--reuid=" + user.uid(), "--regid=" + user.gid(), "--init-groups",
                    "--"));
        }
        command.addAll(List.of("/bin/bash", jobDir.resolve(WRAPPER).toString(), jobDir.toString(), stdout.toString(),
                stderr.toString()));
        command.addAll(job);

        boolean interactive = spec.kind() == LaunchKind.INTERACTIVE;
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workdir.toFile())
                .redirectInput(interactive ? ProcessBuilder.Redirect.PIPE
                        : ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(interactive ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(environment(spec, asRoot ? user.name() : agentUser));
        if (spec.kind() == LaunchKind.TRAINING) {
            // The node's build of the training engine (the CUDA libtorch that deployment installs) is
            // configured in the agent's own environment; training ranks need it, nothing else of it.
            System.getenv().forEach((k, v) -> {
                if ((k.startsWith("PYTORCH_") || k.startsWith("DJL_") || k.equals("ENGINE_CACHE_DIR"))
                        && !spec.env().containsKey(k)) {
                    env.put(k, v);
                }
            });
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            if (cgroup != null) {
                cgroups.get().remove(cgroup);
            }
            throw new LaunchException("the job's process could not be started: " + e.getMessage(), e);
        }
        long wrapperPid = process.pid();
        Instant wrapperStart = process.info().startInstant().orElse(Instant.now());
        long jobPid = awaitJobPid(jobDir, process);
        return new Spawned(wrapperPid, wrapperStart, jobPid, cgroup, interactive ? process : null);
    }

    /**
     * The job's environment: the launch's own variables, then those the agent guarantees (they win, so that a
     * job cannot be told it owns GPUs it was not allocated, nor run under another identity).
     */
    static Map<String, String> environment(LaunchSpec spec, String userName) {
        Map<String, String> env = new java.util.TreeMap<>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("SHELL", "/bin/bash");
        env.putAll(spec.env());
        env.put("HOME", spec.user().workspace());
        env.put("USER", userName);
        env.put("LOGNAME", userName);
        env.put("VANIILA_JOB_ID", spec.jobId().toString());
        env.put("VANIILA_JOB_NAME", spec.jobName() == null ? "" : spec.jobName());
        env.put("VANIILA_JOB_DIR", spec.jobDir());
        env.put(LAUNCH_MARK, spec.launchId().toString());
        env.put("CUDA_VISIBLE_DEVICES", spec.gpuIndices().stream().map(String::valueOf)
                .collect(Collectors.joining(",")));
        return env;
    }

    /** The PTY relay program, shipped in the jar beside this class. */
    private static byte[] relayText() throws IOException {
        try (java.io.InputStream in = JobLauncher.class.getResourceAsStream(RELAY)) {
            if (in == null) {
                throw new IOException(RELAY + " is missing from the agent's jar");
            }
            return in.readAllBytes();
        }
    }

    /** Reads {@code job.pid}, waiting for the wrapper to write it (milliseconds, at most 10 s). */
    private static long awaitJobPid(Path jobDir, Process wrapper) throws LaunchException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<Long> pid = readLong(jobDir.resolve(JOB_PID));
            if (pid.isPresent()) {
                return pid.get();
            }
            if (!wrapper.isAlive() && readLong(jobDir.resolve(JOB_PID)).isEmpty()) {
                throw new LaunchException("the job's wrapper ended at once with exit code " + wrapper.exitValue()
                        + " (is /bin/bash, setsid and setpriv installed, and the job directory writable by the user?)");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // The wrapper runs but has not said the job's pid: the monitor reads it later.
        return 0;
    }

    /** The number in a small file written atomically, if it is there. */
    static Optional<Long> readLong(Path file) {
        try {
            String text = Files.readString(file).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Sends a signal to a process group. Refuses groups 0 and 1 and the agent's own, which a corrupt pid file could
     * otherwise designate.
     *
     * @param signal {@code TERM} or {@code KILL}
     */
    static void signalGroup(long pgid, String signal) {
        if (pgid <= 1 || pgid == ProcessHandle.current().pid()) {
            return;
        }
        try {
            Process p = new ProcessBuilder("/bin/bash", "-c", "kill -s \"$0\" -- \"-$1\" 2>/dev/null", signal,
                    Long.toString(pgid)).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not send SIG" + signal + " to process group " + pgid + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Creates {@code dir} and its missing parents below {@code workspace}, owned by the user; refuses a path
     * through a symbolic link, which a user could plant to make the agent (root) write elsewhere.
     */
    private void ownedDirectory(Path workspace, Path dir, UserAccount user) throws IOException {
        if (!dir.startsWith(workspace)) {
            throw new IOException(dir + " is outside the workspace " + workspace);
        }
        if (!Files.exists(workspace, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(workspace);
            privateTo(workspace, user);
        }
        Path current = workspace;
        for (Path part : workspace.relativize(dir)) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw new IOException(current + " is a symbolic link; remove it");
            }
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
                privateTo(current, user);
            } else if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(current + " exists and is not a directory");
            }
        }
    }

    /** Replaces a file (never following a link) with the given content, owned by the user. */
    private void ownedFile(Path file, byte[] content, String mode, UserAccount user) throws IOException {
        if (Files.isSymbolicLink(file)) {
            Files.delete(file);
        }
        Files.write(file, content, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        chown(file, user);
    }

    /** A directory the agent creates is the user's alone: other users, of other companies too, see nothing. */
    private void privateTo(Path dir, UserAccount user) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        chown(dir, user);
    }

    private void chown(Path path, UserAccount user) throws IOException {
        if (asRoot) {
            Files.setAttribute(path, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
        }
    }
}
