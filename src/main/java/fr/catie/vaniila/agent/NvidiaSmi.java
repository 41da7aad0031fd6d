package fr.catie.vaniila.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * GPU discovery and utilisation sampling through {@code nvidia-smi --query-gpu=... --format=csv,noheader,nounits}.
 * The parser reads any field list, in the order the query names them, because nvidia-smi prints exactly those
 * columns. Thread-safe (each call runs its own process).
 */
public final class NvidiaSmi {

    /** The fields the agent queries, in this order. */
    public static final List<String> FIELDS = List.of("index", "uuid", "name", "memory.total", "utilization.gpu",
            "memory.used");

    private static final long TIMEOUT_SECONDS = 15;

    private final String executable;

    /** @param executable the nvidia-smi command (a path or a name looked up on PATH) */
    public NvidiaSmi(String executable) {
        this.executable = executable;
    }

    /**
     * One CSV row of nvidia-smi, by field name. Values are trimmed; nvidia-smi's {@code [N/A]} and
     * {@code [Not Supported]} read as absent.
     *
     * @param values field name to value, in query order
     */
    public record Row(Map<String, String> values) {

        /** The value of a field, or null when absent or not available on this GPU. */
        public String text(String field) {
            String v = values.get(field);
            return v == null || v.startsWith("[") || v.equals("N/A") ? null : v;
        }

        /** A numeric field, or {@code fallback} when absent. */
        public long number(String field, long fallback) {
            String v = text(field);
            if (v == null) {
                return fallback;
            }
            try {
                return Math.round(Double.parseDouble(v));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("nvidia-smi field " + field + " is not a number: '" + v + "'");
            }
        }
    }

    /**
     * Parses nvidia-smi CSV output ({@code --format=csv,noheader,nounits}).
     *
     * @param fields the fields of the query, in order
     * @param csv    the output, one line per GPU
     * @throws IllegalArgumentException when a line does not have one value per field
     */
    public static List<Row> parse(List<String> fields, String csv) {
        List<Row> rows = new ArrayList<>();
        for (String line : csv.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            // GPU names never contain a comma; nvidia-smi writes ", " between values.
            String[] cells = line.split(",", -1);
            if (cells.length != fields.size()) {
                throw new IllegalArgumentException("nvidia-smi line has " + cells.length + " values, expected "
                        + fields.size() + " (" + String.join(",", fields) + "): " + line);
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < cells.length; i++) {
                values.put(fields.get(i), cells[i].trim());
            }
            rows.add(new Row(values));
        }
        return rows;
    }

    /** The GPUs of parsed rows that carry at least index, uuid, name and memory.total. */
    public static List<GpuDevice> devices(List<Row> rows) {
        List<GpuDevice> gpus = new ArrayList<>();
        for (Row row : rows) {
            String name = row.text("name");
            long memory = row.number("memory.total", 0);
            gpus.add(new GpuDevice((int) row.number("index", gpus.size()), row.text("uuid"), name,
                    GpuFlavors.flavorOf(name, memory), memory, false));
        }
        return gpus;
    }

    /** The utilisation samples of parsed rows that carry index, utilization.gpu and memory.used. */
    public static List<GpuSample> samples(List<Row> rows) {
        List<GpuSample> samples = new ArrayList<>();
        for (Row row : rows) {
            samples.add(new GpuSample((int) row.number("index", samples.size()), (int) row.number("utilization.gpu", 0),
                    row.number("memory.used", 0)));
        }
        return samples;
    }

    /**
     * Runs the query on this machine.
     *
     * @return the rows; empty when nvidia-smi is not installed (a machine without NVIDIA GPUs)
     * @throws IOException when nvidia-smi is installed but fails (driver not loaded, GPU lost): the message says how
     */
    public List<Row> query() throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(executable, "--query-gpu=" + String.join(",", FIELDS),
                    "--format=csv,noheader,nounits").redirectErrorStream(true).start();
        } catch (IOException e) {
            return List.of();
        }
        try (InputStream in = p.getInputStream()) {
            byte[] out = in.readNBytes(1 << 20);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(executable + " did not answer within " + TIMEOUT_SECONDS + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(executable + " failed with exit code " + p.exitValue() + ": " + text.strip());
            }
            return parse(FIELDS, text);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + executable, e);
        }
    }
}
