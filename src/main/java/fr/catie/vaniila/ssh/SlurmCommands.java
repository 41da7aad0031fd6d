package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import fr.catie.vaniila.accounting.Accounting;
import fr.catie.vaniila.files.Workspaces;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.jobs.JobEfficiency;
import fr.catie.vaniila.jobs.JobState;
import fr.catie.vaniila.jobs.JobView;
import fr.catie.vaniila.jobs.Jobs;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.queues.QueueSpec;
import fr.catie.vaniila.queues.Queues;
import fr.catie.vaniila.quotas.Quotas;
import org.springframework.stereotype.Component;

/**
 * The Slurm-compatible commands of the SSH side: sbatch, squeue, scancel, sinfo, sacct, scontrol,
 * sshare, seff and help. Each command is a thin adapter over the module APIs, called with the session's
 * caller, so that tenancy holds as on the web. Output and exit codes follow Slurm's, so that scripts
 * parsing {@code squeue -h -o %i} or {@code sbatch --parsable} keep working. Thread-safe: it keeps
 * no state between calls.
 */
@Component
public class SlurmCommands {

    /** Largest script sbatch reads from a file or standard input (the jobs module has its own, lower, limit). */
    static final int MAX_SCRIPT_READ = 4 << 20;

    static final String SQUEUE_DEFAULT = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R";
    static final String SQUEUE_START = "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %R";
    static final String SQUEUE_FIELDS = "iAajuTtPMlLDCRrNSVeQbY";

    private static final CommandLine.Spec SQUEUE = CommandLine.Spec.of("squeue", "me", "user|u:", "jobs|j:", "states|t:",
            "partition|p:", "start", "format|o:", "noheader|h", "name|n:", "all|a", "long|l", "help", "usage");
    private static final CommandLine.Spec SCANCEL = CommandLine.Spec.of("scancel", "user|u:", "state|t:", "name|n:",
            "partition|p:", "quiet|Q", "verbose|v", "help", "usage");
    private static final CommandLine.Spec SINFO = CommandLine.Spec.of("sinfo", "Node|N", "partition|p:", "noheader|h",
            "long|l", "summarize|s", "all|a", "help", "usage");
    private static final CommandLine.Spec SACCT = CommandLine.Spec.of("sacct", "jobs|j:", "state|s:", "starttime|S:",
            "endtime|E:", "user|u:", "format|o:", "noheader|n", "parsable|p", "parsable2|P", "allocations|X",
            "allusers|a", "brief|b", "help", "usage");
    private static final CommandLine.Spec SCONTROL = CommandLine.Spec.of("scontrol", "oneliner|o", "help", "usage");
    private static final CommandLine.Spec SEFF = CommandLine.Spec.of("seff", "help", "usage");
    private static final CommandLine.Spec SSHARE = CommandLine.Spec.of("sshare", "noheader|n", "parsable2|P", "help",
            "usage", "all|a", "long|l");

    private final Jobs jobs;
    private final Nodes nodes;
    private final Queues queues;
    private final Quotas quotas;
    private final Accounting accounting;
    private final Workspaces workspaces;
    private final Clock clock;

    public SlurmCommands(Jobs jobs, Nodes nodes, Queues queues, Quotas quotas, Accounting accounting,
            Workspaces workspaces, Clock clock) {
        this.jobs = jobs;
        this.nodes = nodes;
        this.queues = queues;
        this.quotas = quotas;
        this.accounting = accounting;
        this.workspaces = workspaces;
        this.clock = clock;
    }

    /** The names of the commands, for help and completion. */
    public static final List<String> NAMES = List.of("sbatch", "squeue", "scancel", "sinfo", "sacct", "scontrol", "sshare",
            "seff", "help");

    /**
     * Runs one command line.
     *
     * @param argv  the words, the command's name first
     * @param stdin the session's standard input when the command runs alone ({@code ssh host sbatch < job.sh}),
     *              null in the interactive shell
     * @return the exit code, Slurm's: 0 on success, 1 on an error
     */
    public int run(Caller caller, List<String> argv, InputStream stdin, PrintStream out, PrintStream err) {
        if (argv.isEmpty()) {
            return 0;
        }
        String name = argv.get(0);
        List<String> args = argv.subList(1, argv.size());
        try {
            return switch (name) {
                case "sbatch" -> sbatch(caller, args, stdin, out);
                case "squeue" -> squeue(caller, args, out);
                case "scancel" -> scancel(caller, args, err);
                case "sinfo" -> sinfo(caller, args, out);
                case "sacct" -> sacct(caller, args, out);
                case "scontrol" -> scontrol(caller, args, out, err);
                case "sshare" -> sshare(caller, args, out);
                case "seff" -> seff(caller, args, out);
                case "help" -> {
                    out.print(help());
                    yield 0;
                }
                case "srun", "salloc" -> {
                    // Reached only without a terminal channel to relay (the SSH session relays these itself).
                    err.println(name + ": error: " + name + " needs the session's terminal: run it as 'ssh -t HOST "
                            + name + " ...' or in the shell of 'ssh HOST'");
                    yield 1;
                }
                default -> {
                    err.println("vaniila: " + name + ": command not found. Type 'help' for the commands of this cluster.");
                    yield 127;
                }
            };
        } catch (CommandLine.UsageError e) {
            err.println(e.getMessage());
            return 1;
        } catch (Problem p) {
            err.println(name + ": error: " + p.getMessage());
            return 1;
        }
    }

    static String help() {
        return """
                Commands of this cluster (Slurm-compatible):
                  sbatch [options] script.sh   submit a batch script (#SBATCH directives read); --wrap="cmd"; --parsable
                  squeue [--me] [-u user] [-j ids] [-t states] [-p partition] [--start] [-o format] [-h]
                  scancel ids... | -u user | --state=PENDING | -n name
                  sinfo [-N] [-p partition]    partitions and nodes, with GPUs by flavor
                  sacct [-j ids] [-s states] [-S start] [--format=JobID,State,Elapsed,GPUHours,TotalCPU,MaxRSS]
                  scontrol show job|node|partition [name]
                  scontrol hold|release|requeue ids
                  sshare                       your organisation's quota, fair share and GPU-hours
                  seff jobid                   what a job used of its cores and memory
                  srun --pty [-p q] [--gres=gpu:1] [-c N] [--mem=8G] [-t 1:00:00] bash
                                               a shell on an allocated node (leaving it ends the job)
                  salloc [options]             the same, with salloc's messages
                  help                         this text
                Files: sftp and scp, rooted at your workspace.
                """;
    }

    // ---------------------------------------------------------------- sbatch

    private int sbatch(Caller caller, List<String> args, InputStream stdin, PrintStream out) {
        CommandLine.Parsed parsed = Sbatch.SPEC.parse(args, true);
        if (parsed.has("help") || parsed.has("usage")) {
            out.print("Usage: sbatch [OPTIONS...] script.sh\n" + help());
            return 0;
        }
        String script = null;
        String scriptName = "sbatch";
        if (!parsed.positional().isEmpty()) {
            if (parsed.positional().size() > 1) {
                throw Problem.invalid("script", "arguments after the script (" + String.join(" ",
                        parsed.positional().subList(1, parsed.positional().size()))
                        + ") cannot be passed to it on this cluster: set them with --export=ALL,NAME=value instead");
            }
            String file = parsed.positional().get(0);
            script = readScript(caller, file);
            scriptName = Path.of(file).getFileName().toString();
        } else if (!parsed.has("wrap") && stdin != null) {
            script = readStdin(stdin);
        }
        Sbatch.Invocation inv = Sbatch.invocation(script, scriptName, parsed);
        Jobs.Submitted submitted = jobs.submit(caller, inv.submission());
        out.println(inv.parsable() ? Long.toString(submitted.id()) : "Submitted batch job " + submitted.id());
        return 0;
    }

    private String readScript(Caller caller, String file) {
        Path path = workspaces.inside(caller, file, "script");
        try {
            Path workspace = workspaces.of(caller).toRealPath();
            Path real = path.toRealPath();
            if (!real.startsWith(workspace)) {
                throw Problem.invalid("script", "Unable to open file " + file + ": it leads outside your workspace");
            }
            if (!Files.isRegularFile(real)) {
                throw Problem.invalid("script", "Unable to open file " + file + ": it is not a regular file");
            }
            if (Files.size(real) > MAX_SCRIPT_READ) {
                throw Problem.invalid("script", "The file " + file + " is over " + MAX_SCRIPT_READ
                        + " bytes: a batch script should be small");
            }
            return Files.readString(real, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw Problem.invalid("script", "Unable to open file " + file + ": no such file in your workspace");
        } catch (IOException e) {
            throw Problem.invalid("script", "Unable to open file " + file + ": " + e.getMessage());
        }
    }

    private static String readStdin(InputStream stdin) {
        try {
            byte[] bytes = stdin.readNBytes(MAX_SCRIPT_READ + 1);
            if (bytes.length > MAX_SCRIPT_READ) {
                throw Problem.invalid("script", "The script on standard input is over " + MAX_SCRIPT_READ + " bytes");
            }
            return bytes.length == 0 ? null : new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw Problem.invalid("script", "Could not read the script from standard input: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- squeue

    private int squeue(Caller caller, List<String> args, PrintStream out) {
        CommandLine.Parsed p = SQUEUE.parse(args, false);
        if (p.has("help") || p.has("usage")) {
            out.println("Usage: squeue [--me] [-u user] [-j ids] [-t states] [-p partition] [--start] [-o format] [-h]");
            return 0;
        }
        if (!p.positional().isEmpty()) {
            throw new CommandLine.UsageError("squeue: error: unexpected argument " + p.positional().get(0)
                    + ": give job ids with -j");
        }
        String format = p.value("format") != null ? p.value("format") : p.has("start") ? SQUEUE_START : SQUEUE_DEFAULT;
        SqueueFormat fmt = SqueueFormat.parse(format, SQUEUE_FIELDS, "squeue");
        List<JobState> states = states(p.value("states"), "squeue",
                List.of(JobState.PENDING, JobState.HELD, JobState.STARTING, JobState.RUNNING));
        String user = p.has("me") ? caller.username() : p.value("user");
        List<JobView> found = select(caller, p.values("jobs"), states, user, p.value("partition"), p.value("name"));
        if (p.has("start")) {
            found = found.stream().filter(j -> j.state().equals("PENDING") || j.state().equals("HELD")).toList();
        }
        Instant now = clock.instant();
        if (!p.has("noheader")) {
            out.println(fmt.render(SlurmCommands::squeueHeader));
        }
        // Oldest first, as Slurm lists them.
        List<JobView> ordered = new ArrayList<>(found);
        ordered.sort(java.util.Comparator.comparingLong(JobView::id));
        for (JobView j : ordered) {
            out.println(fmt.render(c -> squeueField(j, c, now)));
        }
        return 0;
    }

    private List<JobView> select(Caller caller, List<String> idLists, List<JobState> states, String user, String queue,
            String name) {
        List<JobView> found = new ArrayList<>();
        if (!idLists.isEmpty()) {
            for (long id : ids(idLists, "squeue")) {
                try {
                    found.add(jobs.get(caller, id));
                } catch (Problem e) {
                    if (e.kind() != Problem.Kind.NOT_FOUND) {
                        throw e;
                    }
                }
            }
            found.removeIf(j -> (!states.isEmpty() && !states.contains(JobState.valueOf(j.state())))
                    || (user != null && !user.equals(j.user())) || (queue != null && !queue.equals(j.queue())));
        } else {
            found.addAll(jobs.list(caller, states, user, queue, 1000, 0));
        }
        if (name != null) {
            Set<String> names = Set.of(name.split(","));
            found.removeIf(j -> !names.contains(j.name()));
        }
        return found;
    }

    static List<Long> ids(List<String> lists, String command) {
        List<Long> ids = new ArrayList<>();
        for (String list : lists) {
            for (String item : list.split("[,\\s]+")) {
                if (item.isEmpty()) {
                    continue;
                }
                try {
                    ids.add(Long.parseLong(item.strip()));
                } catch (NumberFormatException e) {
                    throw new CommandLine.UsageError(command + ": error: Invalid job id " + item
                            + ": give numeric job ids, e.g. 123,124");
                }
            }
        }
        return ids;
    }

    private static List<JobState> states(String text, String command, List<JobState> fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        if (text.equalsIgnoreCase("all")) {
            return List.of();
        }
        List<JobState> states = new ArrayList<>();
        for (String s : text.split(",")) {
            JobState state = JobState.parse(s);
            states.add(state);
            if (state == JobState.PENDING) {
                states.add(JobState.HELD); // Slurm shows held jobs as pending
            }
        }
        return states;
    }

    private static String squeueHeader(char c) {
        return switch (c) {
            case 'i' -> "JOBID";
            case 'A' -> "ARRAY_JOB_ID";
            case 'a' -> "ACCOUNT";
            case 'j' -> "NAME";
            case 'u' -> "USER";
            case 'T' -> "STATE";
            case 't' -> "ST";
            case 'P' -> "PARTITION";
            case 'M' -> "TIME";
            case 'l' -> "TIME_LIMIT";
            case 'L' -> "TIME_LEFT";
            case 'D' -> "NODES";
            case 'C' -> "CPUS";
            case 'R' -> "NODELIST(REASON)";
            case 'r' -> "REASON";
            case 'N' -> "NODELIST";
            case 'S' -> "START_TIME";
            case 'V' -> "SUBMIT_TIME";
            case 'e' -> "END_TIME";
            case 'Q' -> "PRIORITY";
            case 'b' -> "TRES_PER_NODE";
            case 'Y' -> "SCHEDNODES";
            default -> String.valueOf(c);
        };
    }

    static String squeueField(JobView j, char c, Instant now) {
        JobState state = JobState.valueOf(j.state());
        return switch (c) {
            case 'i' -> Long.toString(j.id());
            case 'A' -> Long.toString(j.arrayParent() == null ? j.id() : j.arrayParent());
            case 'a' -> j.organisation();
            case 'j' -> j.name();
            case 'u' -> j.user();
            case 'T' -> state == JobState.HELD ? "PENDING" : state == JobState.STARTING ? "CONFIGURING" : state.name();
            case 't' -> state.code();
            case 'P' -> j.queue();
            case 'M' -> SlurmTime.squeue(used(j, now));
            case 'l' -> SlurmTime.squeue(Duration.ofSeconds(j.walltimeSeconds()));
            case 'L' -> SlurmTime.squeue(Duration.ofSeconds(j.walltimeSeconds()).minus(used(j, now)));
            case 'D' -> Integer.toString(j.nodes());
            case 'C' -> Integer.toString(Math.max(1, j.allocation().stream().mapToInt(JobView.Placement::cores).sum()));
            case 'R' -> state.onNodes() ? nodeList(j) : "(" + slurmReason(j) + ")";
            case 'r' -> slurmReason(j);
            case 'N' -> nodeList(j);
            case 'S' -> SlurmTime.instant(j.startedAt() != null ? j.startedAt() : j.estimatedStart(), "N/A");
            case 'V' -> SlurmTime.instant(j.submittedAt(), "N/A");
            case 'e' -> SlurmTime.instant(j.endedAt(), "N/A");
            case 'Q' -> j.priority() == null ? "0" : Long.toString(j.priority());
            case 'b' -> j.gpusPerNode() == 0 ? "N/A"
                    : "gres/gpu" + (j.gpuFlavor() == null ? "" : ":" + j.gpuFlavor()) + ":" + j.gpusPerNode();
            case 'Y' -> "(null)";
            default -> "";
        };
    }

    private static Duration used(JobView j, Instant now) {
        if (j.startedAt() == null) {
            return Duration.ZERO;
        }
        return Duration.between(j.startedAt(), j.endedAt() != null ? j.endedAt() : now);
    }

    private static String nodeList(JobView j) {
        String list = j.allocation().stream().map(JobView.Placement::node).distinct().collect(Collectors.joining(","));
        return list.isEmpty() ? "" : list;
    }

    /** The pending reason under Slurm's names, so that users and their scripts recognise them. */
    static String slurmReason(JobView j) {
        if (j.state().equals("HELD")) {
            return "JobHeldUser";
        }
        if (j.reasonCode() == null) {
            return "None";
        }
        return switch (j.reasonCode()) {
            case "PRIORITY" -> "Priority";
            case "RESOURCES" -> "Resources";
            case "QUOTA" -> "AssocGrpGRES";
            case "BUDGET" -> "AssocGrpBillingMinutes";
            case "DEPENDENCY" -> j.reason() != null && j.reason().contains("never") ? "DependencyNeverSatisfied" : "Dependency";
            case "HELD" -> "JobHeldUser";
            case "QUEUE_LIMIT" -> "PartitionConfig";
            case "NEVER_SATISFIABLE" -> "BadConstraints";
            default -> j.reasonCode();
        };
    }

    // ---------------------------------------------------------------- scancel

    private int scancel(Caller caller, List<String> args, PrintStream err) {
        CommandLine.Parsed p = SCANCEL.parse(args, false);
        if (p.has("help") || p.has("usage")) {
            err.println("Usage: scancel [-u user] [--state=state] [-n name] [-p partition] [job_id...]");
            return 0;
        }
        boolean filters = p.has("user") || p.has("state") || p.has("name") || p.has("partition");
        if (p.positional().isEmpty() && !filters) {
            throw new CommandLine.UsageError("scancel: error: No job identification provided: give job ids, or -u, "
                    + "--state, -n or -p to choose jobs");
        }
        int code = 0;
        if (!p.positional().isEmpty()) {
            List<JobState> states = states(p.value("state"), "scancel", List.of());
            for (long id : ids(p.positional(), "scancel")) {
                try {
                    JobView j = jobs.get(caller, id);
                    if ((p.has("user") && !p.value("user").equals(j.user()))
                            || (!states.isEmpty() && !states.contains(JobState.valueOf(j.state())))
                            || (p.has("name") && !p.value("name").equals(j.name()))
                            || (p.has("partition") && !p.value("partition").equals(j.queue()))) {
                        continue;
                    }
                    if (JobState.valueOf(j.state()).terminal()) {
                        err.println("scancel: error: Kill job error on job id " + id + ": Job/step already completing or "
                                + "completed");
                        code = 1;
                        continue;
                    }
                    jobs.cancel(caller, id);
                } catch (Problem e) {
                    err.println("scancel: error: Kill job error on job id " + id + ": " + switch (e.kind()) {
                        case NOT_FOUND -> "Invalid job id specified";
                        case FORBIDDEN -> "Access/permission denied";
                        default -> e.getMessage();
                    });
                    code = 1;
                }
            }
            return code;
        }
        List<JobState> active = List.of(JobState.PENDING, JobState.HELD, JobState.STARTING, JobState.RUNNING);
        List<JobState> states = states(p.value("state"), "scancel", active);
        for (JobView j : jobs.list(caller, states.isEmpty() ? active : states, p.value("user"), p.value("partition"),
                1000, 0)) {
            if (p.has("name") && !p.value("name").equals(j.name())) {
                continue;
            }
            if (caller.role() == fr.catie.vaniila.identity.Role.USER && !caller.username().equals(j.user())) {
                continue;
            }
            try {
                jobs.cancel(caller, j.id());
            } catch (Problem e) {
                err.println("scancel: error: Kill job error on job id " + j.id() + ": " + e.getMessage());
                code = 1;
            }
        }
        return code;
    }

    // ---------------------------------------------------------------- sinfo

    private int sinfo(Caller caller, List<String> args, PrintStream out) {
        CommandLine.Parsed p = SINFO.parse(args, false);
        if (p.has("help") || p.has("usage")) {
            out.println("Usage: sinfo [-N] [-p partition] [-h]");
            return 0;
        }
        List<Nodes.NodeStatus> status = nodes.status(caller);
        List<QueueSpec> parts = queues.list().stream()
                .filter(q -> p.value("partition") == null || q.name().equals(p.value("partition"))).toList();
        if (p.value("partition") != null && parts.isEmpty()) {
            throw Problem.notFound("invalid partition specified: " + p.value("partition") + " (partitions: "
                    + queues.list().stream().map(QueueSpec::name).collect(Collectors.joining(",")) + ")");
        }
        boolean header = !p.has("noheader");
        if (p.has("Node")) {
            if (header) {
                out.println(String.format("%-12s %5s %-10s %6s %5s %10s %-24s %s", "NODELIST", "NODES", "PARTITION",
                        "STATE", "CPUS", "MEMORY", "GRES", "GRES_USED"));
            }
            for (Nodes.NodeStatus n : status) {
                for (QueueSpec q : parts) {
                    if (!inQueue(n, q)) {
                        continue;
                    }
                    out.println(String.format("%-12s %5d %-10s %6s %5d %10d %-24s %s", n.name(), 1,
                            q.name() + (q.isDefault() ? "*" : ""), nodeState(n), n.cores(), n.memoryMb(),
                            gres(List.of(n), false), gres(List.of(n), true)));
                }
            }
            return 0;
        }
        if (header) {
            out.println(String.format("%-10s %5s %10s %6s %6s %-28s %s", "PARTITION", "AVAIL", "TIMELIMIT", "NODES",
                    "STATE", "GRES(FREE/TOTAL)", "NODELIST"));
        }
        for (QueueSpec q : parts) {
            Map<String, List<Nodes.NodeStatus>> byState = new TreeMap<>();
            for (Nodes.NodeStatus n : status) {
                if (inQueue(n, q)) {
                    byState.computeIfAbsent(nodeState(n), k -> new ArrayList<>()).add(n);
                }
            }
            String limit = q.maxWalltime() == null ? "infinite" : SlurmTime.sacct(q.maxWalltime());
            if (byState.isEmpty()) {
                out.println(String.format("%-10s %5s %10s %6d %6s %-28s %s", q.name() + (q.isDefault() ? "*" : ""), "up",
                        limit, 0, "n/a", "", ""));
            }
            for (Map.Entry<String, List<Nodes.NodeStatus>> e : byState.entrySet()) {
                out.println(String.format("%-10s %5s %10s %6d %6s %-28s %s", q.name() + (q.isDefault() ? "*" : ""), "up",
                        limit, e.getValue().size(), e.getKey(), gresFreeTotal(e.getValue()),
                        e.getValue().stream().map(Nodes.NodeStatus::name).collect(Collectors.joining(","))));
            }
        }
        return 0;
    }

    private static boolean inQueue(Nodes.NodeStatus n, QueueSpec q) {
        if (!q.nodes().isEmpty() && !q.nodes().contains(n.name())) {
            return false;
        }
        if (q.maxGpusPerJob() == 0 || q.flavors().isEmpty()) {
            return true;
        }
        return n.gpus().stream().anyMatch(g -> q.flavors().contains(g.flavor()));
    }

    /** Slurm's short node states: idle, mix, alloc, drng, drain, down. */
    static String nodeState(Nodes.NodeStatus n) {
        return switch (n.state()) {
            case "DOWN" -> "down";
            case "DRAINED" -> "drain";
            case "DRAINING" -> "drng";
            default -> {
                long busy = n.gpus().stream().filter(Nodes.GpuUse::busy).count();
                boolean allGpus = !n.gpus().isEmpty() && busy == n.gpus().size();
                if (n.coresAllocated() == 0 && busy == 0) {
                    yield "idle";
                }
                yield allGpus || n.coresAllocated() >= n.cores() ? "alloc" : "mix";
            }
        };
    }

    private static String gres(List<Nodes.NodeStatus> list, boolean used) {
        Map<String, Integer> count = new TreeMap<>();
        for (Nodes.NodeStatus n : list) {
            for (Nodes.GpuUse g : n.gpus()) {
                count.merge(g.flavor(), used && !g.busy() ? 0 : 1, Integer::sum);
            }
        }
        if (count.isEmpty()) {
            return "(null)";
        }
        return count.entrySet().stream().map(e -> "gpu:" + e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    private static String gresFreeTotal(List<Nodes.NodeStatus> list) {
        Map<String, int[]> count = new TreeMap<>();
        for (Nodes.NodeStatus n : list) {
            for (Nodes.GpuUse g : n.gpus()) {
                int[] c = count.computeIfAbsent(g.flavor(), k -> new int[2]);
                c[0] += g.busy() || !n.state().equals("UP") ? 0 : 1;
                c[1]++;
            }
        }
        if (count.isEmpty()) {
            return "(null)";
        }
        return count.entrySet().stream().map(e -> "gpu:" + e.getKey() + ":" + e.getValue()[0] + "/" + e.getValue()[1])
                .collect(Collectors.joining(","));
    }

    // ---------------------------------------------------------------- sacct

    /** sacct's fields: name, default width, whether left-justified. */
    private record SacctField(String name, int width, boolean left) {
    }

    static final Map<String, SacctField> SACCT_FIELDS = new LinkedHashMap<>();

    static {
        for (SacctField f : List.of(new SacctField("JobID", 12, true), new SacctField("JobName", 10, false),
                new SacctField("Partition", 10, false), new SacctField("Account", 10, false),
                new SacctField("User", 9, false), new SacctField("AllocCPUS", 10, false),
                new SacctField("AllocGPUs", 9, false), new SacctField("State", 10, false),
                new SacctField("ExitCode", 8, false), new SacctField("Elapsed", 10, false),
                new SacctField("GPUHours", 9, false), new SacctField("Timelimit", 10, false),
                new SacctField("Submit", 19, false), new SacctField("Start", 19, false),
                new SacctField("End", 19, false), new SacctField("NodeList", 15, false),
                new SacctField("NNodes", 8, false), new SacctField("Reason", 20, false),
                new SacctField("TotalCPU", 10, false), new SacctField("MaxRSS", 10, false),
                new SacctField("ReqMem", 10, false))) {
            SACCT_FIELDS.put(f.name().toLowerCase(Locale.ROOT), f);
        }
    }

    static final String SACCT_DEFAULT = "JobID,JobName,Partition,Account,AllocGPUs,State,ExitCode,Elapsed,GPUHours";

    private int sacct(Caller caller, List<String> args, PrintStream out) {
        CommandLine.Parsed p = SACCT.parse(args, false);
        if (p.has("help") || p.has("usage")) {
            out.println("Usage: sacct [-j ids] [-s states] [-S start] [-E end] [-u user] [--format=fields] [-n] [-P]\n"
                    + "Fields: " + SACCT_FIELDS.values().stream().map(SacctField::name).collect(Collectors.joining(",")));
            return 0;
        }
        List<SacctField> fields = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        String format = p.has("brief") ? "JobID,State,ExitCode" : p.value("format") == null ? SACCT_DEFAULT : p.value("format");
        for (String f : format.split(",")) {
            String name = f.strip();
            int width = -1;
            int pct = name.indexOf('%');
            if (pct >= 0) {
                try {
                    width = Integer.parseInt(name.substring(pct + 1));
                } catch (NumberFormatException e) {
                    throw new CommandLine.UsageError("sacct: error: Invalid field width in '" + f + "': write Name%20");
                }
                name = name.substring(0, pct);
            }
            SacctField field = SACCT_FIELDS.get(name.toLowerCase(Locale.ROOT));
            if (field == null) {
                throw new CommandLine.UsageError("sacct: error: Invalid field requested: \"" + name + "\" (fields: "
                        + SACCT_FIELDS.values().stream().map(SacctField::name).collect(Collectors.joining(",")) + ")");
            }
            fields.add(field);
            widths.add(width >= 0 ? width : field.width());
        }
        Instant start = p.value("starttime") == null ? (p.has("jobs") ? null
                : LocalDate.now(clock.withZone(ZoneOffset.UTC)).atStartOfDay(ZoneOffset.UTC).toInstant())
                : time(p.value("starttime"), "starttime");
        Instant end = p.value("endtime") == null ? null : time(p.value("endtime"), "endtime");
        List<JobState> states = states(p.value("state"), "sacct", List.of());
        String user = p.value("user");
        List<JobView> found = select(caller, p.values("jobs"), states, user, null, null);
        found.removeIf(j -> (start != null && (j.endedAt() != null ? j.endedAt() : clock.instant()).isBefore(start))
                || (end != null && j.submittedAt().isAfter(end)));
        List<JobView> ordered = new ArrayList<>(found);
        ordered.sort(java.util.Comparator.comparingLong(JobView::id));
        boolean parsable = p.has("parsable") || p.has("parsable2");
        String trailer = p.has("parsable") ? "|" : "";
        Instant now = clock.instant();
        if (!p.has("noheader")) {
            out.println(row(fields.stream().map(SacctField::name).toList(), fields, widths, parsable, trailer));
            if (!parsable) {
                out.println(widths.stream().map(w -> "-".repeat(w)).collect(Collectors.joining(" ")) + " ");
            }
        }
        for (JobView j : ordered) {
            out.println(row(fields.stream().map(f -> sacctField(j, f.name(), now)).toList(), fields, widths, parsable,
                    trailer));
        }
        return 0;
    }

    private static String row(List<String> values, List<SacctField> fields, List<Integer> widths, boolean parsable,
            String trailer) {
        if (parsable) {
            return String.join("|", values) + trailer;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            int w = widths.get(i);
            if (v.length() > w) {
                v = v.substring(0, Math.max(0, w - 1)) + "+";
            }
            sb.append(SqueueFormat.fit(v, w, !fields.get(i).left())).append(' ');
        }
        return sb.toString();
    }

    static String sacctField(JobView j, String field, Instant now) {
        JobState state = JobState.valueOf(j.state());
        Duration elapsed = used(j, now);
        int gpus = j.allocation().stream().mapToInt(a -> a.gpus().size()).sum();
        if (gpus == 0 && j.startedAt() == null) {
            gpus = j.gpusPerNode() * j.nodes();
        }
        return switch (field) {
            case "JobID" -> Long.toString(j.id());
            case "JobName" -> j.name();
            case "Partition" -> j.queue();
            case "Account" -> j.organisation();
            case "User" -> j.user();
            case "AllocCPUS" -> Integer.toString(j.allocation().stream().mapToInt(JobView.Placement::cores).sum());
            case "AllocGPUs" -> Integer.toString(gpus);
            case "State" -> state == JobState.HELD ? "PENDING" : state == JobState.STARTING ? "RUNNING"
                    : state == JobState.CANCELLED && j.endReason() != null && j.endReason().startsWith("cancelled by ")
                            ? "CANCELLED by " + j.endReason().substring("cancelled by ".length()) : state.name();
            case "ExitCode" -> exitCode(j);
            case "Elapsed" -> SlurmTime.sacct(elapsed);
            case "GPUHours" -> String.format(Locale.ROOT, "%.3f", gpus * elapsed.getSeconds() / 3600.0);
            case "Timelimit" -> SlurmTime.sacct(Duration.ofSeconds(j.walltimeSeconds()));
            case "Submit" -> SlurmTime.instant(j.submittedAt(), "Unknown");
            case "Start" -> SlurmTime.instant(j.startedAt(), "Unknown");
            case "End" -> SlurmTime.instant(j.endedAt(), "Unknown");
            case "NodeList" -> j.allocation().isEmpty() ? "None assigned" : nodeList(j);
            case "NNodes" -> Integer.toString(j.nodes());
            case "Reason" -> state == JobState.PENDING || state == JobState.HELD ? slurmReason(j) : "None";
            // What the agents measured: empty until they did, as Slurm leaves a job's usage empty until a step's.
            case "TotalCPU" -> JobEfficiency.of(j, now).map(e -> SlurmTime.sacct(Duration.ofSeconds(
                    Math.round(e.cpuSeconds())))).orElse("");
            case "MaxRSS" -> JobEfficiency.of(j, now).filter(JobEfficiency::memoryMeasured)
                    .map(e -> e.peakMemoryMb() * 1024 + "K").orElse("");
            case "ReqMem" -> j.allocation().isEmpty() ? ""
                    : j.allocation().stream().mapToLong(JobView.Placement::memoryMb).sum() + "M";
            default -> "";
        };
    }

    /** Slurm's {@code code:signal}: a process killed by a signal exits with 128 + the signal. */
    static String exitCode(JobView j) {
        Integer code = j.exitCode();
        if (code == null) {
            return "0:0";
        }
        if (code > 128 && code < 160) {
            return "0:" + (code - 128);
        }
        return code + ":0";
    }

    static Instant time(String text, String option) {
        String t = text.strip();
        try {
            if (t.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (t.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?")) {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            }
            if (t.matches("now-\\d+(days|hours|minutes)")) {
                long n = Long.parseLong(t.replaceAll("\\D", ""));
                Duration d = t.endsWith("days") ? Duration.ofDays(n) : t.endsWith("hours") ? Duration.ofHours(n)
                        : Duration.ofMinutes(n);
                return Instant.now().minus(d);
            }
        } catch (DateTimeParseException e) {
            // falls through to the message
        }
        throw new CommandLine.UsageError("sacct: error: Invalid time specification --" + option + "=" + text
                + ": use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or now-Ndays");
    }

    // ---------------------------------------------------------------- scontrol

    private int scontrol(Caller caller, List<String> args, PrintStream out, PrintStream err) {
        CommandLine.Parsed p = SCONTROL.parse(args, false);
        List<String> words = p.positional();
        if (p.has("help") || p.has("usage") || words.isEmpty()) {
            out.println("Usage: scontrol show job|node|partition [name]\n       scontrol hold|release|requeue job_id...");
            return words.isEmpty() && !p.has("help") && !p.has("usage") ? 1 : 0;
        }
        String sep = p.has("oneliner") ? " " : "\n   ";
        switch (words.get(0)) {
            case "show" -> {
                if (words.size() < 2) {
                    throw new CommandLine.UsageError("scontrol: error: show what? Use scontrol show job|node|partition [name]");
                }
                String what = words.get(1).toLowerCase(Locale.ROOT);
                String name = words.size() > 2 ? words.get(2) : null;
                switch (what) {
                    case "job", "jobs" -> {
                        List<JobView> list = name == null ? jobs.list(caller, List.of(JobState.PENDING, JobState.HELD,
                                JobState.STARTING, JobState.RUNNING), null, null, 1000, 0)
                                : List.of(getJob(caller, name));
                        if (list.isEmpty()) {
                            out.println("No jobs in the system");
                        }
                        for (JobView j : list) {
                            out.println(showJob(j, sep, clock.instant()));
                            out.println();
                        }
                    }
                    case "node", "nodes" -> {
                        List<Nodes.NodeStatus> list = nodes.status(caller).stream()
                                .filter(n -> name == null || n.name().equals(name)).toList();
                        if (list.isEmpty()) {
                            err.println("Node " + name + " not found");
                            return 1;
                        }
                        for (Nodes.NodeStatus n : list) {
                            out.println("NodeName=" + n.name() + " State=" + nodeState(n).toUpperCase(Locale.ROOT) + sep
                                    + "CPUTot=" + n.cores() + " CPUAlloc=" + n.coresAllocated() + sep
                                    + "RealMemory=" + n.memoryMb() + " AllocMem=" + n.memoryAllocatedMb() + sep
                                    + "Gres=" + gres(List.of(n), false) + " GresUsed=" + gres(List.of(n), true) + sep
                                    + "LastBusyTime=" + SlurmTime.instant(n.lastSeenAt(), "None") + " Version="
                                    + n.agentVersion() + sep
                                    // How the agent holds jobs: Slurm shows its TaskPlugin in scontrol show config.
                                    + "JobLimits=" + (n.jobLimits() == null ? "unknown" : n.jobLimits())
                                    + (n.gpuIsolation() == null ? "" : " GpuIsolation=" + n.gpuIsolation())
                                    + (n.stateReason() == null ? "" : sep + "Reason=" + n.stateReason()));
                            out.println();
                        }
                    }
                    case "partition", "partitions" -> {
                        List<QueueSpec> list = queues.list().stream().filter(q -> name == null || q.name().equals(name))
                                .toList();
                        if (list.isEmpty()) {
                            err.println("Partition " + name + " not found");
                            return 1;
                        }
                        for (QueueSpec q : list) {
                            out.println("PartitionName=" + q.name() + sep + "Default=" + (q.isDefault() ? "YES" : "NO")
                                    + " PreemptMode=" + (q.preemptible() ? "REQUEUE" : "OFF") + " PriorityTier="
                                    + q.priorityTier() + sep + "DefaultTime=" + SlurmTime.sacct(q.defaultWalltime())
                                    + " MaxTime=" + SlurmTime.sacct(q.maxWalltime()) + sep + "MaxGPUsPerJob="
                                    + q.maxGpusPerJob() + " Flavors=" + (q.flavors().isEmpty() ? "ALL"
                                            : String.join(",", q.flavors()))
                                    + sep + "Nodes=" + (q.nodes().isEmpty() ? "ALL" : String.join(",", q.nodes()))
                                    + " AllowAccounts=" + (q.organisations().isEmpty() ? "ALL"
                                            : String.join(",", q.organisations())));
                            out.println();
                        }
                    }
                    default -> throw new CommandLine.UsageError("scontrol: error: invalid entity: " + words.get(1)
                            + " for keyword: show (use job, node or partition)");
                }
                return 0;
            }
            case "hold", "release", "requeue", "uhold" -> {
                if (words.size() < 2) {
                    throw new CommandLine.UsageError("scontrol: error: " + words.get(0) + " needs job ids");
                }
                int code = 0;
                for (long id : ids(words.subList(1, words.size()), "scontrol")) {
                    try {
                        switch (words.get(0)) {
                            case "hold", "uhold" -> jobs.hold(caller, id);
                            case "release" -> jobs.release(caller, id);
                            default -> jobs.requeue(caller, id);
                        }
                    } catch (Problem e) {
                        err.println(e.kind() == Problem.Kind.NOT_FOUND ? "Invalid job id specified for job " + id
                                : "scontrol: error: " + e.getMessage());
                        code = 1;
                    }
                }
                return code;
            }
            default -> throw new CommandLine.UsageError("scontrol: error: invalid keyword: " + words.get(0)
                    + " (use show, hold, release or requeue)");
        }
    }

    // ------------------------------------------------------------------ seff

    /** Slurm's {@code seff}: what a job used of the cores and memory it was given, in seff's words. */
    private int seff(Caller caller, List<String> args, PrintStream out) {
        CommandLine.Parsed p = SEFF.parse(args, false);
        if (p.has("help") || p.has("usage") || p.positional().size() != 1) {
            out.println("Usage: seff [Options] <Jobid>\n       Options:\n       -h    Help menu");
            return p.positional().size() == 1 || p.has("help") || p.has("usage") ? 0 : 1;
        }
        JobView j = getJob(caller, p.positional().get(0), "seff");
        out.print(seffReport(j, clock.instant()));
        return 0;
    }

    static String seffReport(JobView j, Instant now) {
        JobState state = JobState.valueOf(j.state());
        StringBuilder sb = new StringBuilder();
        sb.append("Job ID: ").append(j.id()).append('\n');
        if (j.arrayParent() != null) {
            sb.append("Array Job ID: ").append(j.arrayParent()).append('_').append(j.arrayIndex()).append('\n');
        }
        sb.append("Cluster: vaniila\n");
        sb.append("User/Group: ").append(j.user()).append('/').append(j.organisation()).append('\n');
        sb.append("State: ").append(state.name());
        if (j.exitCode() != null) {
            sb.append(" (exit code ").append(j.exitCode()).append(')');
        }
        sb.append('\n');
        Optional<JobEfficiency> measured = JobEfficiency.of(j, now);
        if (j.startedAt() == null) {
            return sb.append("Efficiency not available for jobs in the ").append(state.name()).append(" state.\n")
                    .toString();
        }
        int nodes = (int) j.allocation().stream().map(JobView.Placement::node).distinct().count();
        int cores = j.allocation().stream().mapToInt(JobView.Placement::cores).sum();
        sb.append("Nodes: ").append(nodes).append('\n');
        sb.append(nodes > 1 ? "Cores per node: " + (cores / Math.max(1, nodes)) : "Cores per node: " + cores)
                .append('\n');
        if (measured.isEmpty()) {
            return sb.append("Efficiency not measured: the node measures a job every few seconds, and this one ")
                    .append(state.onNodes() ? "has not been measured yet" : "ended before its first measure")
                    .append(".\n").toString();
        }
        JobEfficiency e = measured.get();
        sb.append("CPU Utilized: ").append(SlurmTime.sacct(Duration.ofSeconds(Math.round(e.cpuSeconds()))))
                .append('\n');
        sb.append(String.format(Locale.ROOT, "CPU Efficiency: %.2f%% of %s core-walltime%n", e.cpuShare() * 100,
                SlurmTime.sacct(Duration.ofSeconds(Math.round(e.coreSeconds())))));
        sb.append("Job Wall-clock time: ").append(SlurmTime.sacct(e.elapsed())).append('\n');
        if (e.memoryMeasured()) {
            sb.append("Memory Utilized: ").append(seffMemory(e.peakMemoryMb()))
                    .append(e.processes() > 1 ? " (estimated maximum)" : "").append('\n');
            sb.append(String.format(Locale.ROOT, "Memory Efficiency: %.2f%% of %s%n", e.memoryShare() * 100,
                    seffMemory(e.memoryMb())));
        } else {
            sb.append("Memory Utilized: not measured (the node samples memory every few seconds; this job ")
                    .append(state.onNodes() ? "has not been sampled yet" : "ended before its first sample")
                    .append(")\n");
        }
        if (state.onNodes()) {
            sb.append("WARNING: Efficiency statistics may be misleading for RUNNING jobs.\n");
        }
        return sb.toString();
    }

    /** Memory as seff writes it: {@code 195.00 MB}, {@code 4.00 GB}. */
    static String seffMemory(long mb) {
        return mb >= 1024 ? String.format(Locale.ROOT, "%.2f GB", mb / 1024.0)
                : String.format(Locale.ROOT, "%.2f MB", (double) mb);
    }

    private JobView getJob(Caller caller, String text) {
        return getJob(caller, text, "scontrol");
    }

    private JobView getJob(Caller caller, String text, String command) {
        long id;
        try {
            id = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.UsageError(command + ": error: Invalid job id " + text + ": give a numeric job id");
        }
        try {
            return jobs.get(caller, id);
        } catch (Problem e) {
            throw e.kind() == Problem.Kind.NOT_FOUND ? new CommandLine.UsageError("slurm_load_jobs error: Invalid job id "
                    + "specified") : e;
        }
    }

    static String showJob(JobView j, String sep, Instant now) {
        JobState state = JobState.valueOf(j.state());
        return "JobId=" + j.id() + " JobName=" + j.name() + sep
                + "UserId=" + j.user() + " Account=" + j.organisation() + sep
                + "Priority=" + (j.priority() == null ? 0 : j.priority()) + " JobState="
                + (state == JobState.HELD ? "PENDING" : state.name()) + " Reason="
                + (state.onNodes() || state.terminal() ? "None" : slurmReason(j))
                + " Dependency=" + (j.dependency() == null ? "(null)" : j.dependency()) + sep
                + "Requeue=1 Restarts=" + Math.max(0, j.run() - 1) + " ExitCode=" + exitCode(j) + sep
                + "RunTime=" + SlurmTime.sacct(used(j, now)) + " TimeLimit="
                + SlurmTime.sacct(Duration.ofSeconds(j.walltimeSeconds())) + sep
                + "SubmitTime=" + SlurmTime.instant(j.submittedAt(), "Unknown") + " StartTime="
                + SlurmTime.instant(j.startedAt() != null ? j.startedAt() : j.estimatedStart(), "Unknown") + " EndTime="
                + SlurmTime.instant(j.endedAt(), "Unknown") + sep
                + "Partition=" + j.queue() + " NodeList=" + (j.allocation().isEmpty() ? "(null)" : nodeList(j)) + sep
                + "NumNodes=" + j.nodes() + " NumTasks=" + j.nodes() * j.tasksPerNode() + " TRES=gres/gpu="
                + j.gpusPerNode() * j.nodes() + (j.gpuFlavor() == null ? "" : " Gres=gpu:" + j.gpuFlavor()) + sep
                + "WorkDir=" + j.workdir() + sep + "StdOut=" + j.stdout() + sep + "StdErr=" + j.stderr()
                + (j.reason() == null ? "" : sep + "Comment=" + j.reason());
    }

    // ---------------------------------------------------------------- sshare

    private int sshare(Caller caller, List<String> args, PrintStream out) {
        CommandLine.Parsed p = SSHARE.parse(args, false);
        if (p.has("help") || p.has("usage")) {
            out.println("Usage: sshare [-n] [-P]: your organisation's GPU quota per flavor, use this month and fair share");
            return 0;
        }
        Quotas.Quota quota = quotas.get(caller, caller.organisation());
        Instant monthStart = LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        Map<String, Double> hours = new TreeMap<>();
        for (Accounting.UsageRow r : accounting.usage(caller, caller.organisation(), monthStart, null)) {
            hours.merge(r.flavor(), r.gpuHours(), Double::sum);
        }
        Map<String, Integer> inUse = new TreeMap<>();
        Map<String, Integer> total = new TreeMap<>();
        for (Nodes.NodeStatus n : nodes.status(caller)) {
            for (Nodes.GpuUse g : n.gpus()) {
                total.merge(g.flavor(), 1, Integer::sum);
                inUse.merge(g.flavor(), g.busy() && caller.organisation().equals(g.organisation()) ? 1 : 0, Integer::sum);
            }
        }
        Set<String> flavors = new LinkedHashSet<>(total.keySet());
        boolean parsable = p.has("parsable2");
        String fmt = parsable ? "%s|%s|%s|%s|%s|%s|%s|%s" : "%-12s %-16s %10s %11s %6s %7s %15s %9s";
        if (!p.has("noheader")) {
            out.println(String.format(fmt, "Account", "GPUFlavor", "Guaranteed", "BorrowLimit", "InUse", "Cluster",
                    "GPUHours(month)", "FairShare"));
        }
        double totalHours = 0;
        for (String f : flavors) {
            Quotas.FlavorLimit l = quota.limit(f, quotas.platformDefault());
            double h = hours.getOrDefault(f, 0.0);
            totalHours += h;
            out.println(String.format(Locale.ROOT, fmt, caller.organisation(), f, l.guaranteedGpus(), l.borrowLimit(),
                    inUse.getOrDefault(f, 0), total.get(f), String.format(Locale.ROOT, "%.2f", h),
                    String.format(Locale.ROOT, "%.2f", quota.fairShareWeight())));
        }
        if (!parsable) {
            out.println();
            out.println("GPU-hours this month: " + String.format(Locale.ROOT, "%.2f", totalHours)
                    + (quota.gpuHoursPerMonth() == null ? " (no monthly budget)"
                            : " of a budget of " + String.format(Locale.ROOT, "%.0f", quota.gpuHoursPerMonth()))
                    + (quota.cpuCores() == null ? "" : "; CPU quota " + quota.cpuCores() + " cores"));
        }
        return 0;
    }
}
