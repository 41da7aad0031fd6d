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
                throw invalid(JobRefusal.DEPENDENCY_KIND, text, parts[0]);
            }
            if (parts.length < 2) {
                throw invalid(JobRefusal.DEPENDENCY_NO_JOB, text, clause);
            }
            for (int i = 1; i < parts.length; i++) {
                if (!parts[i].matches("\\d{1,18}")) {
                    throw invalid(JobRefusal.DEPENDENCY_BAD_ID, text, parts[i]);
                }
                out.add(new Dependency(kind, Long.parseLong(parts[i])));
            }
        }
        return out;
    }

    private static Problem invalid(JobRefusal why, Object... args) {
        return Problem.invalid("dependency", why, args);
    }
}
