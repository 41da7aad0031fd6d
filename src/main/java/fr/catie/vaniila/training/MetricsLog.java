package fr.catie.vaniila.training;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;

/**
 * Appends one JSON object per line to the metrics file and flushes each line, so that an agent
 * tailing the file never reads half a record. The format is documented in the package
 * documentation. Appending (not truncating) keeps the series of a run that resumed.
 *
 * <p>Not thread-safe: rank 0's training thread is the only writer.
 */
final class MetricsLog implements AutoCloseable {

    private final BufferedWriter out;

    MetricsLog(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Writes one record; values may be numbers, strings or booleans (NaN and infinities are written as null). */
    void write(Map<String, ?> record) throws IOException {
        out.write(toJson(record));
        out.newLine();
        out.flush();
    }

    static String toJson(Map<String, ?> record) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, ?> e : record.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(quote(e.getKey())).append(':');
            Object v = e.getValue();
            if (v instanceof Double d && (d.isNaN() || d.isInfinite()) || v instanceof Float f && (f.isNaN() || f.isInfinite())) {
                b.append("null");
            } else if (v instanceof Double || v instanceof Float) {
                b.append(String.format(Locale.ROOT, "%.6g", ((Number) v).doubleValue()));
            } else if (v instanceof Number || v instanceof Boolean) {
                b.append(v);
            } else if (v == null) {
                b.append("null");
            } else {
                b.append(quote(v.toString()));
            }
        }
        return b.append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
