package fr.catie.vaniila.simulator;

import fr.catie.vaniila.scheduler.ClusterFile;
import fr.catie.vaniila.scheduler.Node;
import fr.catie.vaniila.scheduler.Policy;
import fr.catie.vaniila.scheduler.Queue;
import fr.catie.vaniila.scheduler.SchedulerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code simulate} role: parses the command line, reads the trace and the cluster, runs a {@link Simulation}
 * and prints the summary (and writes the JSON). Exit codes: 0 done, 2 bad input (the message says what to change),
 * 1 the output could not be written. Stateless.
 */
public final class SimulateCommand {

    static final String USAGE = "usage: java -jar vaniila.jar simulate --trace FILE --format philly|tiresias|csv\n"
            + "         (--nodes COUNTxGPUS:flavor[,COUNTxGPUS:flavor...] | --cluster catie|FILE.yml)\n"
            + "         [--policy fifo|fifo-backfill|fairshare-backfill|las] [--from T] [--to T]\n"
            + "         [--reservations N] [--grace SECONDS] [--starvation-age SECONDS]\n"
            + "         [--json OUT] [--jobs OUT.csv]\n"
            + "  T is seconds after the trace's first submit, or a date-time such as 2017-10-09T07:00:00.\n"
            + "  Native csv header: submit_s,duration_s,nodes,gpus_per_node,org,queue,walltime_s";

    private SimulateCommand() {
    }

    /**
     * @param args the arguments after the role
     * @param out  where the summary goes
     * @param err  where errors go
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("simulate: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        SimulationResult result;
        String jobsCsv = null;
        try {
            List<TraceJob> jobs = slice(TraceReader.read(o.trace, o.format), o.from, o.to);
            List<Node> nodes;
            List<Queue> queues = List.of();
            if (o.cluster != null) {
                ClusterFile file = o.cluster.endsWith(".yml") || o.cluster.endsWith(".yaml")
                        ? ClusterFile.load(Path.of(o.cluster)) : ClusterFile.load(o.cluster);
                nodes = file.nodes();
                queues = file.queues();
            } else {
                nodes = ClusterSpec.parse(o.nodes);
            }
            SchedulerConfig config = SchedulerConfig.defaults(o.policy).withPreemptionGrace(Duration.ofSeconds(o.graceS));
            if (o.reservations >= 0) {
                config = config.withReservationDepth(o.reservations);
            }
            if (o.starvationS > 0) {
                config = config.withStarvationAge(Duration.ofSeconds(o.starvationS));
            }
            Simulation simulation = new Simulation(nodes, queues, config, jobs);
            result = simulation.run();
            if (o.jobs != null) {
                jobsCsv = simulation.jobsCsv();
            }
        } catch (IOException e) {
            err.println("simulate: cannot read " + o.trace + ": " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("simulate: " + e.getMessage());
            return 2;
        }
        out.println(result.summary());
        if (o.jobs != null) {
            try {
                Files.writeString(o.jobs, jobsCsv, StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("simulate: cannot write " + o.jobs + ": " + e.getMessage());
                return 1;
            }
        }
        if (o.json != null) {
            try {
                Files.writeString(o.json, result.toJson(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("simulate: cannot write " + o.json + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    /** Keeps jobs submitted in [from, to), times relative to the first submit of the whole trace. */
    static List<TraceJob> slice(List<TraceJob> jobs, String from, String to) {
        if (from == null && to == null) {
            return jobs;
        }
        long first = Long.MAX_VALUE;
        for (TraceJob j : jobs) {
            first = Math.min(first, j.submitS());
        }
        long lo = from == null ? Long.MIN_VALUE : time(from, first, "--from");
        long hi = to == null ? Long.MAX_VALUE : time(to, first, "--to");
        if (hi <= lo) {
            throw new IllegalArgumentException("--to (" + to + ") must be after --from (" + from + ")");
        }
        List<TraceJob> out = new ArrayList<>();
        for (TraceJob j : jobs) {
            if (j.submitS() >= lo && j.submitS() < hi) {
                out.add(j);
            }
        }
        return out;
    }

    private static long time(String text, long first, String option) {
        try {
            return first + Long.parseLong(text);
        } catch (NumberFormatException notSeconds) {
            try {
                return LocalDateTime.parse(text.replace(' ', 'T')).toEpochSecond(ZoneOffset.UTC);
            } catch (DateTimeParseException notDateTime) {
                try {
                    return LocalDate.parse(text).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
                } catch (DateTimeParseException notDate) {
                    throw new IllegalArgumentException(option + " '" + text + "' is neither seconds after the first "
                            + "submit nor a date-time such as 2017-10-09T07:00:00");
                }
            }
        }
    }

    /** The parsed command line. */
    private static final class Options {
        Path trace;
        TraceFormat format;
        String nodes;
        String cluster;
        Policy policy = Policy.FAIRSHARE_BACKFILL;
        String from;
        String to;
        Path json;
        Path jobs;
        /** Negative: the policy's default depth. */
        int reservations = -1;
        long graceS = SchedulerConfig.defaults(Policy.FIFO).preemptionGrace().getSeconds();
        long starvationS;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + a + "'");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--trace" -> o.trace = Path.of(v);
                    case "--format" -> o.format = TraceFormat.parse(v);
                    case "--nodes" -> o.nodes = v;
                    case "--cluster" -> o.cluster = v;
                    case "--policy" -> o.policy = Policy.parse(v);
                    case "--from" -> o.from = v;
                    case "--to" -> o.to = v;
                    case "--json" -> o.json = Path.of(v);
                    case "--jobs" -> o.jobs = Path.of(v);
                    case "--reservations" -> o.reservations = number(a, v);
                    case "--grace" -> o.graceS = number(a, v);
                    case "--starvation-age" -> o.starvationS = number(a, v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (o.trace == null) {
                throw new IllegalArgumentException("--trace FILE is required");
            }
            if (o.format == null) {
                throw new IllegalArgumentException("--format is required (philly, tiresias or csv)");
            }
            if ((o.nodes == null) == (o.cluster == null)) {
                throw new IllegalArgumentException("give exactly one of --nodes and --cluster");
            }
            return o;
        }

        private static int number(String option, String v) {
            try {
                int n = Integer.parseInt(v);
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
            throw new IllegalArgumentException(option + " '" + v + "' must be a whole number >= 0");
        }
    }
}
