package fr.catie.vaniila.ssh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import fr.catie.vaniila.jobs.JobSubmission;
import fr.catie.vaniila.platform.Problem;

/**
 * Translates an sbatch invocation (the script's {@code #SBATCH} directives, then the command-line
 * options, which win) into a {@link JobSubmission}. Pure logic; thread-safe.
 */
public final class Sbatch {

    /** The options sbatch knows, as {@code #SBATCH} directives and on the command line alike. */
    static final CommandLine.Spec SPEC = CommandLine.Spec.of("sbatch", "job-name|J:", "partition|p:", "nodes|N:",
            "ntasks|n:", "ntasks-per-node:", "gres:", "gpus|G:", "gpus-per-node:", "cpus-per-task|c:", "cpus-per-gpu:",
            "mem:", "mem-per-gpu:", "time|t:", "array|a:", "dependency|d:", "output|o:", "error|e:", "chdir|D:",
            "export:", "hold|H", "wrap:", "parsable", "requeue", "no-requeue", "constraint|C:", "help|h", "usage");

    private static final List<String> GPU_OPTIONS = List.of("gres", "gpus", "gpus-per-node");

    private static final Pattern GRES = Pattern.compile("gpu(?::([A-Za-z0-9._-]+))?(?::(\\d+))?");

    private Sbatch() {
    }

    /** What sbatch will submit, and how it answers. */
    public record Invocation(JobSubmission submission, boolean parsable) {
    }

    /** The {@code #SBATCH} directives of a script: those before its first command, as Slurm reads them. */
    static List<String> directives(String script) {
        List<String> words = new ArrayList<>();
        for (String line : script.split("\n", -1)) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            if (l.startsWith("#SBATCH")) {
                String rest = l.substring("#SBATCH".length());
                // A comment after the options ends them, as in Slurm.
                int hash = rest.indexOf(" #");
                words.addAll(CommandLine.split(hash < 0 ? rest : rest.substring(0, hash)));
            } else if (!l.startsWith("#")) {
                break;
            }
        }
        return words;
    }

    /**
     * Parses the options of a script's directives and of the command line.
     *
     * @param script   the script's text (null with {@code --wrap})
     * @param scriptName the script's file name, the job's default name
     * @param options  the command line's options (already parsed)
     */
    public static Invocation invocation(String script, String scriptName, CommandLine.Parsed options) {
        Map<String, String> merged = new LinkedHashMap<>();
        boolean hold = false;
        Boolean requeue = null;
        String text = script;
        if (options.has("wrap")) {
            if (script != null) {
                throw new CommandLine.UsageError("sbatch: error: --wrap and a script file are mutually exclusive: give one");
            }
            text = "#!/bin/sh\n# This script was created by sbatch --wrap.\n\n" + options.value("wrap") + "\n";
            scriptName = "wrap";
        }
        if (text == null) {
            throw new CommandLine.UsageError("sbatch: error: no script given: name a script file of your workspace, "
                    + "pipe one on standard input, or use --wrap=\"command\"");
        }
        if (!text.startsWith("#!")) {
            throw Problem.invalid("script", "This does not look like a batch script (first line must start with \"#!\"): "
                    + "start it with #!/bin/bash");
        }
        List<CommandLine.Parsed> layers = List.of(SPEC.parse(directives(text), false), options);
        for (CommandLine.Parsed layer : layers) {
            // --gres, --gpus and --gpus-per-node say the same thing three ways: a later layer giving any of
            // them replaces what an earlier one gave.
            if (GPU_OPTIONS.stream().anyMatch(layer::has)) {
                GPU_OPTIONS.forEach(merged::remove);
            }
            for (Map.Entry<String, List<String>> e : layer.options().entrySet()) {
                switch (e.getKey()) {
                    case "hold" -> hold = true;
                    case "requeue" -> requeue = true;
                    case "no-requeue" -> requeue = false;
                    default -> merged.put(e.getKey(), e.getValue().get(e.getValue().size() - 1));
                }
            }
        }
        Integer nodes = merged.containsKey("nodes") ? nodeCount(merged.get("nodes")) : null;
        Integer tasksPerNode = integer(merged, "ntasks-per-node");
        Integer ntasks = integer(merged, "ntasks");
        if (ntasks != null && tasksPerNode == null) {
            int n = nodes == null ? 1 : nodes;
            if (ntasks % n != 0) {
                throw Problem.invalid("ntasks", "--ntasks=" + ntasks + " does not spread evenly over " + n
                        + " nodes: give --ntasks-per-node instead");
            }
            tasksPerNode = ntasks / n;
        }
        Integer gpusPerNode = integer(merged, "gpus-per-node");
        String flavor = null;
        String gres = merged.get("gres");
        if (gres != null && !gres.isBlank() && !gres.equalsIgnoreCase("none")) {
            Matcher m = GRES.matcher(gres.strip());
            if (!m.matches()) {
                throw Problem.invalid("gres", "Invalid --gres=" + gres + ": use gpu:N or gpu:TYPE:N, e.g. --gres=gpu:v100-16g:2");
            }
            if (m.group(2) == null && m.group(1) != null && m.group(1).matches("\\d+")) {
                gpusPerNode = Integer.parseInt(m.group(1));
            } else {
                flavor = m.group(1);
                gpusPerNode = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
            }
        }
        String gpus = merged.get("gpus");
        if (gpus != null) {
            String[] parts = gpus.strip().split(":");
            int total;
            try {
                total = Integer.parseInt(parts[parts.length - 1]);
            } catch (NumberFormatException e) {
                throw Problem.invalid("gpus", "Invalid --gpus=" + gpus + ": use N or TYPE:N, e.g. --gpus=2");
            }
            if (parts.length == 2) {
                flavor = parts[0];
            } else if (parts.length > 2) {
                throw Problem.invalid("gpus", "Invalid --gpus=" + gpus + ": use N or TYPE:N, e.g. --gpus=2");
            }
            int n = nodes == null ? 1 : nodes;
            if (total % n != 0) {
                throw Problem.invalid("gpus", "--gpus=" + total + " does not spread evenly over " + n
                        + " nodes: give --gpus-per-node instead");
            }
            gpusPerNode = total / n;
        }
        Integer cpusPerTask = integer(merged, "cpus-per-task");
        Integer coresPerNode = null;
        if (cpusPerTask != null) {
            coresPerNode = cpusPerTask * (tasksPerNode == null ? 1 : tasksPerNode);
        }
        Map<String, String> env = exports(merged.get("export"));
        String name = merged.getOrDefault("job-name", scriptName);
        JobSubmission s = new JobSubmission(name, merged.get("partition"), "batch", text, nodes, gpusPerNode, flavor,
                null, tasksPerNode, integer(merged, "cpus-per-gpu"), coresPerNode, memory(merged, "mem-per-gpu"),
                memory(merged, "mem"), merged.get("time"), merged.get("array"), merged.get("dependency"), env,
                hold ? Boolean.TRUE : null, merged.get("chdir"), merged.get("output"), merged.get("error"), requeue,
                null, null);
        return new Invocation(s, options.has("parsable"));
    }

    private static Integer nodeCount(String text) {
        String t = text.strip();
        // Slurm accepts a range MIN-MAX; a gang of a fixed size is all this cluster places.
        Matcher m = Pattern.compile("(\\d+)(?:-(\\d+))?").matcher(t);
        if (!m.matches() || (m.group(2) != null && !m.group(1).equals(m.group(2)))) {
            throw Problem.invalid("nodes", "Invalid --nodes=" + text + ": give one number of nodes, e.g. --nodes=2");
        }
        return Integer.parseInt(m.group(1));
    }

    private static Integer integer(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw Problem.invalid(name, "Invalid --" + name + "=" + v + ": give a whole number");
        }
    }

    /** Slurm's memory sizes: a number in MiB, or with a K, M, G or T suffix. */
    static Long memory(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null) {
            return null;
        }
        Matcher m = Pattern.compile("(\\d+)([KMGTkmgt]?)[Bb]?").matcher(v.strip());
        if (!m.matches()) {
            throw Problem.invalid(name, "Invalid --" + name + "=" + v + ": give a size such as 4096, 500M or 16G");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> Math.max(1, n / 1024);
            case "G" -> n * 1024;
            case "T" -> n * 1024 * 1024;
            default -> n;
        };
    }

    /**
     * {@code --export}: {@code ALL} and {@code NONE} (the session's own environment is not the job's on this
     * cluster: a job gets the cluster's variables) plus {@code NAME=value} pairs passed to the job.
     */
    static Map<String, String> exports(String text) {
        Map<String, String> env = new LinkedHashMap<>();
        if (text == null) {
            return env;
        }
        for (String item : text.split(",")) {
            String i = item.strip();
            if (i.isEmpty() || i.equals("ALL") || i.equals("NONE") || i.equals("NIL")) {
                continue;
            }
            int eq = i.indexOf('=');
            if (eq <= 0) {
                throw Problem.invalid("export", "--export=" + text + ": give NAME=value pairs (after ALL or NONE), e.g. "
                        + "--export=ALL,EPOCHS=10; a bare name '" + i + "' has no value on the cluster");
            }
            env.put(i.substring(0, eq), i.substring(eq + 1));
        }
        return env;
    }
}
