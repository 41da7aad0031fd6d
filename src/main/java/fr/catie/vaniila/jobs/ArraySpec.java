package fr.catie.vaniila.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import fr.catie.vaniila.platform.Problem;

/**
 * A job array as Slurm writes it: {@code 0-9}, {@code 1,3,5}, {@code 1-9:2}, {@code 0-99%10} (at
 * most 10 tasks at once). Indices are kept sorted and unique.
 *
 * @param indices    the task indices
 * @param maxRunning most tasks running at once; 0 for no limit
 */
public record ArraySpec(List<Integer> indices, int maxRunning) {

    public static ArraySpec parse(String text, int maxTasks) {
        String t = text == null ? "" : text.replace(" ", "");
        if (t.isEmpty()) {
            throw invalid(JobRefusal.ARRAY_EMPTY, text);
        }
        int maxRunning = 0;
        int pct = t.indexOf('%');
        if (pct >= 0) {
            String limit = t.substring(pct + 1);
            if (!limit.matches("\\d{1,6}") || Integer.parseInt(limit) == 0) {
                throw invalid(JobRefusal.ARRAY_BAD_LIMIT, text);
            }
            maxRunning = Integer.parseInt(limit);
            t = t.substring(0, pct);
        }
        TreeSet<Integer> indices = new TreeSet<>();
        for (String part : t.split(",", -1)) {
            if (part.matches("\\d{1,7}")) {
                indices.add(Integer.parseInt(part));
            } else if (part.matches("\\d{1,7}-\\d{1,7}(:\\d{1,7})?")) {
                String[] range = part.split("[-:]");
                int from = Integer.parseInt(range[0]);
                int to = Integer.parseInt(range[1]);
                int step = range.length > 2 ? Integer.parseInt(range[2]) : 1;
                if (to < from) {
                    throw invalid(JobRefusal.ARRAY_BACKWARDS, text, part);
                }
                if (step == 0) {
                    throw invalid(JobRefusal.ARRAY_ZERO_STEP, text, part);
                }
                for (long i = from; i <= to; i += step) {
                    indices.add((int) i);
                    if (indices.size() > maxTasks) {
                        throw invalid(JobRefusal.ARRAY_TOO_MANY, text, maxTasks);
                    }
                }
            } else {
                throw invalid(JobRefusal.ARRAY_BAD_PART, text, part);
            }
        }
        if (indices.size() > maxTasks) {
            throw invalid(JobRefusal.ARRAY_TOO_MANY, text, maxTasks);
        }
        return new ArraySpec(new ArrayList<>(indices), maxRunning);
    }

    /**
     * The array as {@link #parse} reads it back: runs of consecutive indices as ranges, the others listed, the limit
     * after '%' ({@code 0-9%2}, {@code 1,3,5-7}). Steps are not rebuilt: {@code 1-9:2} reads {@code 1,3,5,7,9}.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < indices.size(); i++) {
            int from = indices.get(i);
            int to = from;
            while (i + 1 < indices.size() && indices.get(i + 1) == to + 1) {
                to = indices.get(++i);
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(from);
            if (to > from) {
                sb.append(to == from + 1 ? "," : "-").append(to);
            }
        }
        return maxRunning > 0 ? sb + "%" + maxRunning : sb.toString();
    }

    private static Problem invalid(JobRefusal why, Object... args) {
        return Problem.invalid("array", why, args);
    }
}
