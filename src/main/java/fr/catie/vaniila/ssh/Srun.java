package fr.catie.vaniila.ssh;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import fr.catie.vaniila.interactive.AllocationRequest;
import fr.catie.vaniila.platform.Problem;

/**
 * The command lines of {@code srun --pty CMD} and {@code salloc [CMD]}, read into an {@link AllocationRequest}:
 * {@code -p}, {@code --gres=gpu[:type]:N}, {@code --gpus}, {@code -c}, {@code --mem}, {@code -t}, {@code -J}, as
 * sbatch reads them. Pure functions; thread-safe.
 */
final class Srun {

    static final CommandLine.Spec SRUN = CommandLine.Spec.of("srun", "pty", "partition|p:", "gres:", "gpus|G:",
            "gpus-per-node:", "cpus-per-task|c:", "mem:", "time|t:", "job-name|J:", "nodes|N:", "ntasks|n:",
            "quiet|Q", "verbose|v", "help", "usage");
    static final CommandLine.Spec SALLOC = CommandLine.Spec.of("salloc", "partition|p:", "gres:", "gpus|G:",
            "gpus-per-node:", "cpus-per-task|c:", "mem:", "time|t:", "job-name|J:", "nodes|N:", "ntasks|n:",
            "quiet|Q", "verbose|v", "help", "usage");

    private static final Pattern GRES = Pattern.compile("gpu(?::([A-Za-z0-9._-]+))?(?::(\\d+))?");

    private Srun() {
    }

    /** The help text of srun or salloc. */
    static String usage(String program) {
        return "Usage: " + (program.equals("srun") ? "srun --pty [OPTIONS...] COMMAND [ARGS...]"
                : "salloc [OPTIONS...] [COMMAND [ARGS...]]") + "\n"
                + "  -p, --partition=NAME     partition (queue)\n"
                + "      --gres=gpu[:TYPE]:N  GPUs on the node, e.g. --gres=gpu:v100-16g:1\n"
                + "  -G, --gpus=[TYPE:]N      the same\n"
                + "  -c, --cpus-per-task=N    CPU cores\n"
                + "      --mem=SIZE           memory, e.g. 8G\n"
                + "  -t, --time=TIME          wall time, e.g. 30, 01:00:00\n"
                + "  -J, --job-name=NAME      name shown in squeue\n"
                + "The shell runs on the allocated node with a terminal; leaving it ends the allocation.\n";
    }

    /**
     * Reads the command line (the words after the program's name).
     *
     * @throws CommandLine.UsageError for an unknown option or a missing command
     * @throws Problem                for an option's invalid value, with what to write instead
     */
    static AllocationRequest request(String program, List<String> args) {
        CommandLine.Parsed p = (program.equals("srun") ? SRUN : SALLOC).parse(args, true);
        List<String> command = p.positional();
        if (program.equals("srun") && command.isEmpty()) {
            throw new CommandLine.UsageError("srun: fatal: No command given to execute: write e.g. srun --pty bash");
        }
        String nodes = p.value("nodes");
        if (nodes != null && !nodes.strip().equals("1") && !nodes.strip().equals("1-1")) {
            throw Problem.invalid("nodes", "An interactive allocation is on one node: use --nodes=1 or leave it out"
                    + " (sbatch runs jobs over several nodes)");
        }
        String ntasks = p.value("ntasks");
        if (ntasks != null && !ntasks.strip().equals("1")) {
            throw Problem.invalid("ntasks", "An interactive allocation runs one task, its terminal: leave --ntasks out"
                    + " (sbatch runs several tasks)");
        }
        Integer gpus = null;
        String flavor = null;
        String gres = p.value("gres");
        if (gres != null && !gres.isBlank() && !gres.equalsIgnoreCase("none")) {
            Matcher m = GRES.matcher(gres.strip());
            if (!m.matches()) {
                throw Problem.invalid("gres", "Invalid --gres=" + gres + ": use gpu:N or gpu:TYPE:N, e.g. --gres=gpu:1");
            }
            if (m.group(2) == null && m.group(1) != null && m.group(1).matches("\\d+")) {
                gpus = Integer.parseInt(m.group(1));
            } else {
                flavor = m.group(1);
                gpus = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
            }
        }
        for (String option : List.of("gpus", "gpus-per-node")) {
            String g = p.value(option);
            if (g == null) {
                continue;
            }
            String[] parts = g.strip().split(":");
            try {
                gpus = Integer.parseInt(parts[parts.length - 1]);
            } catch (NumberFormatException e) {
                throw Problem.invalid(option, "Invalid --" + option + "=" + g + ": use N or TYPE:N, e.g. --" + option + "=1");
            }
            if (parts.length == 2) {
                flavor = parts[0];
            } else if (parts.length > 2) {
                throw Problem.invalid(option, "Invalid --" + option + "=" + g + ": use N or TYPE:N, e.g. --" + option + "=1");
            }
        }
        Integer cores = null;
        String c = p.value("cpus-per-task");
        if (c != null) {
            try {
                cores = Integer.parseInt(c.strip());
            } catch (NumberFormatException e) {
                throw Problem.invalid("cpus-per-task", "Invalid --cpus-per-task=" + c + ": give a whole number");
            }
        }
        Long mem = Sbatch.memory(p.value("mem") == null ? Map.of() : Map.of("mem", p.value("mem")), "mem");
        if (mem != null && mem > Integer.MAX_VALUE) {
            throw Problem.invalid("mem", "--mem=" + p.value("mem") + " is more memory than any node has");
        }
        return new AllocationRequest(p.value("job-name"), p.value("partition"), gpus, flavor, cores,
                mem == null ? null : mem.intValue(), p.value("time"), command, program);
    }
}
