package fr.catie.vaniila.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One launch as the portal sends it (see {@code docs/agent-protocol.md}, "The launch"): one rank of one job on
 * this node. Immutable once read; {@link #problems()} lists what is wrong with it before anything runs.
 *
 * @param launchId        the launch's identity
 * @param jobId           the job
 * @param jobName         the job's name, for messages
 * @param kind            what to run
 * @param user            the account to run as
 * @param workdir         the working directory, inside the workspace
 * @param jobDir          the job's directory (script, wrapper, exit code, metrics), inside the workspace
 * @param script          the batch script (BATCH); the command line run on the terminal by {@code bash -c}
 *                        (INTERACTIVE)
 * @param argv            the jar's arguments, role first (TRAINING)
 * @param stdout          the stdout file, inside the workspace
 * @param stderr          the stderr file, inside the workspace
 * @param cores           cores allocated (cgroup {@code cpu.max}); 0 for no limit
 * @param memoryMb        memory allocated, MiB (cgroup {@code memory.max}); 0 for no limit
 * @param gpuIndices      the allocated GPUs' indices on this node
 * @param walltimeSeconds wall time; 0 for none
 * @param graceSeconds    seconds between SIGTERM and SIGKILL
 * @param env             extra environment (torchrun variables, the user's own)
 */
public record LaunchSpec(LaunchId launchId, JobId jobId, String jobName, LaunchKind kind, UserAccount user,
        String workdir, String jobDir, String script, List<String> argv, String stdout, String stderr, int cores,
        long memoryMb, List<Integer> gpuIndices, long walltimeSeconds, int graceSeconds, Map<String, String> env) {

    /** Normalises absent lists and maps to empty ones. */
    public LaunchSpec {
        argv = argv == null ? List.of() : List.copyOf(argv);
        gpuIndices = gpuIndices == null ? List.of() : List.copyOf(gpuIndices);
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    /**
     * What is wrong with this launch, each item a sentence saying what to change; empty when it can run.
     *
     * @param inventory the node it is for, to check the GPU indices
     */
    public List<String> problems(Inventory inventory) {
        List<String> problems = new ArrayList<>();
        if (kind == null) {
            problems.add("kind is missing: BATCH, TRAINING or INTERACTIVE");
        } else if (kind == LaunchKind.INTERACTIVE && (script == null || script.isBlank())) {
            problems.add("an INTERACTIVE launch needs a script: the command line to run on the terminal");
        } else if (kind == LaunchKind.BATCH && (script == null || script.isEmpty())) {
            problems.add("a BATCH launch needs a script");
        } else if (kind == LaunchKind.TRAINING && argv.isEmpty()) {
            problems.add("a TRAINING launch needs argv (the train role and its options)");
        }
        if (user == null) {
            problems.add("user is missing");
            return problems;
        }
        if (user.name() == null || !user.name().matches("[a-z_][a-z0-9_-]{0,31}")) {
            problems.add("user name '" + user.name()
                    + "' is not a valid Unix login: lower-case letters, digits, '_' or '-', at most 32");
        }
        if (user.uid() == 0 || user.gid() == 0) {
            problems.add("user '" + user.name() + "' has uid " + user.uid() + " / gid " + user.gid()
                    + ": jobs never run as root; assign the user a uid and gid above 0");
        }
        if (user.uid() < 0 || user.gid() < 0) {
            problems.add("user '" + user.name() + "' has a negative uid or gid");
        }
        Path workspace = absolute("workspace", user.workspace(), problems);
        if (workspace != null && workspace.getNameCount() == 0) {
            problems.add("workspace '/' is not a user's workspace");
            workspace = null;
        }
        if (workspace != null) {
            inside("workdir", workdir, workspace, problems);
            inside("jobDir", jobDir, workspace, problems);
            inside("stdout", stdout, workspace, problems);
            inside("stderr", stderr, workspace, problems);
        }
        for (Integer index : gpuIndices) {
            if (index == null || inventory.gpus().stream().noneMatch(g -> g.index() == index)) {
                problems.add("GPU index " + index + " does not exist on node " + inventory.node() + " (it has "
                        + inventory.gpus().size() + " GPUs)");
            }
        }
        if (walltimeSeconds < 0 || graceSeconds < 0 || cores < 0 || memoryMb < 0) {
            problems.add("walltimeSeconds, graceSeconds, cores and memoryMb must not be negative");
        }
        for (String name : env.keySet()) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                problems.add("environment variable name '" + name + "' is not valid");
            }
        }
        return problems;
    }

    private static Path absolute(String what, String path, List<String> problems) {
        if (path == null || path.isBlank()) {
            problems.add(what + " is missing");
            return null;
        }
        Path p = Path.of(path);
        if (!p.isAbsolute()) {
            problems.add(what + " '" + path + "' must be an absolute path");
            return null;
        }
        return p.normalize();
    }

    private static void inside(String what, String path, Path workspace, List<String> problems) {
        Path p = absolute(what, path, problems);
        if (p != null && !p.startsWith(workspace)) {
            problems.add(what + " '" + path + "' is outside the user's workspace " + workspace);
        }
    }
}
