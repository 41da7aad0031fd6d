package fr.catie.vaniila.jobs;

import java.util.ArrayList;
import java.util.List;

import fr.catie.vaniila.platform.Problem;

/**
 * One dependency of a job, as Slurm writes them: {@code afterok:12:13,afterany:14}. All of them
 * must hold.
 *
 * @param kind  {@code afterok} (the other job completed), {@code afterany} (it ended), or
 *              {@code afternotok} (it ended without completing)
 * @param jobId the other job
 */
public record Dependency(String kind, long jobId) {

    public static List<Dependency> parse(String text) {
        List<Dependency> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String clause : text.trim().split(",")) {
            String[] parts = clause.trim().split(":");
            String kind = parts[0].toLowerCase(java.util.Locale.ROOT);
            if (!kind.equals("afterok") && !kind.equals("afterany") && !kind.equals("afternotok")) {
                throw invalid(text, "'" + parts[0] + "' is not a supported kind (afterok, afterany, afternotok)");
            }
            if (parts.length < 2) {
                throw invalid(text, "'" + clause + "' names no job");
            }
            for (int i = 1; i < parts.length; i++) {
                if (!parts[i].matches("\\d{1,18}")) {
                    throw invalid(text, "'" + parts[i] + "' is not a job id");
                }
                out.add(new Dependency(kind, Long.parseLong(parts[i])));
            }
        }
        return out;
    }

    private static Problem invalid(String text, String why) {
        return Problem.invalid("dependency", "Invalid dependency '" + text + "': " + why
                + ". Write e.g. afterok:12 or afterok:12:13,afterany:14.");
    }
}
