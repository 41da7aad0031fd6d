package fr.catie.vaniila.simulator;

import fr.catie.vaniila.scheduler.JobShape;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads traces. A line that cannot be read (wrong number of fields, a number that is not one, a negative
 * duration, an unknown or missing column) stops the read with a {@link TraceException} naming the line: a
 * simulation on silently skipped jobs would report wrong numbers. Jobs that are well formed but cannot run on
 * the simulated cluster are not the reader's business: the simulation rejects them and counts them. Stateless.
 */
public final class TraceReader {

    private static final DateTimeFormatter PHILLY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private TraceReader() {
    }

    /**
     * @param file   the trace
     * @param format its format
     * @return its jobs in file order
     * @throws TraceException on a malformed line
     * @throws IOException    when the file cannot be read
     */
    public static List<TraceJob> read(Path file, TraceFormat format) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, format, file.toString());
        }
    }

    /**
     * @param reader the trace text
     * @param format its format
     * @param source its name, for messages
     * @return its jobs in file order
     * @throws TraceException on a malformed line
     * @throws IOException    when the text cannot be read
     */
    public static List<TraceJob> read(Reader reader, TraceFormat format, String source) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        String header = in.readLine();
        if (header == null || header.isBlank()) {
            throw new TraceException(source, 1, "empty file; a " + format.name().toLowerCase() + " trace starts with "
                    + "the header " + String.join(",", format.columns()));
        }
        String[] names = header.replace("\uFEFF", "").trim().split(",", -1);
        Map<String, Integer> column = new HashMap<>();
        Set<String> expected = new HashSet<>(format.columns());
        for (int i = 0; i < names.length; i++) {
            String n = names[i].trim();
            if (!expected.contains(n)) {
                throw new TraceException(source, 1, "unknown column '" + n + "'; a " + format.name().toLowerCase()
                        + " trace has the columns " + String.join(",", format.columns()));
            }
            if (column.put(n, i) != null) {
                throw new TraceException(source, 1, "column '" + n + "' appears twice");
            }
        }
        for (String n : format.columns()) {
            if (!column.containsKey(n)) {
                throw new TraceException(source, 1, "missing column '" + n + "'; a " + format.name().toLowerCase()
                        + " trace has the columns " + String.join(",", format.columns()));
            }
        }
        List<TraceJob> jobs = new ArrayList<>();
        int lineNo = 1;
        for (String line; (line = in.readLine()) != null;) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != names.length) {
                throw new TraceException(source, lineNo, "has " + f.length + " fields but the header has "
                        + names.length + " (" + String.join(",", names) + ")");
            }
            Fields fields = new Fields(f, column, source, lineNo);
            jobs.add(switch (format) {
                case PHILLY -> philly(fields, lineNo);
                case TIRESIAS -> tiresias(fields, lineNo);
                case CSV -> nativeCsv(fields, lineNo);
            });
        }
        return jobs;
    }

    private static TraceJob philly(Fields f, int line) {
        long submit;
        String ts = f.text("timestamp");
        try {
            submit = LocalDateTime.parse(ts, PHILLY_TIME).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw f.error("timestamp '" + ts + "' is not of the form 2017-10-09 07:01:55");
        }
        long duration = f.seconds("duration");
        int gpus = f.count("num_gpus", 1);
        f.seconds("gpu_time");
        String org = f.text("cluster");
        if (org.isBlank()) {
            throw f.error("cluster is empty; it names the job's organisation");
        }
        return new TraceJob(line, submit, duration, new JobShape.Gpus(gpus), org, "", Math.max(1, duration));
    }

    private static TraceJob tiresias(Fields f, int line) {
        f.count("job_id", 0);
        int gpus = f.count("num_gpu", 1);
        long submit = f.seconds("submit_time");
        f.count("iterations", 0);
        f.seconds("interval");
        long duration = f.seconds("duration");
        return new TraceJob(line, submit, duration, new JobShape.Gpus(gpus), "tiresias", "", Math.max(1, duration));
    }

    private static TraceJob nativeCsv(Fields f, int line) {
        long submit = f.seconds("submit_s");
        long duration = f.seconds("duration_s");
        int nodes = f.count("nodes", 1);
        int gpusPerNode = f.count("gpus_per_node", 0);
        String org = f.text("org");
        if (org.isBlank()) {
            throw f.error("org is empty; every job belongs to an organisation");
        }
        String queue = f.text("queue");
        long wall = f.seconds("walltime_s");
        if (wall < duration || wall == 0) {
            throw f.error("walltime_s " + wall + " is below duration_s " + duration
                    + " (or zero); the wall-time limit is at least the run time");
        }
        return new TraceJob(line, submit, duration, new JobShape.Nodes(nodes, gpusPerNode), org, queue, wall);
    }

    /** The fields of one line, by column name. */
    private static final class Fields {
        private final String[] values;
        private final Map<String, Integer> column;
        private final String source;
        private final int line;

        Fields(String[] values, Map<String, Integer> column, String source, int line) {
            this.values = values;
            this.column = column;
            this.source = source;
            this.line = line;
        }

        String text(String name) {
            return values[column.get(name)].trim();
        }

        TraceException error(String message) {
            return new TraceException(source, line, message);
        }

        /** Seconds: a non-negative number, possibly with a fraction (rounded up to whole seconds). */
        long seconds(String name) {
            String v = text(name);
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw error(name + " '" + v + "' is not a number of seconds");
            }
            if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                throw error(name + " is " + v + "; it must be a number of seconds >= 0");
            }
            return (long) Math.ceil(d);
        }

        int count(String name, int min) {
            String v = text(name);
            int n;
            try {
                n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw error(name + " '" + v + "' is not a whole number");
            }
            if (n < min) {
                throw error(name + " is " + n + "; it must be at least " + min);
            }
            return n;
        }
    }
}
