package fr.catie.vaniila.jobs;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import fr.catie.vaniila.platform.Problem;

/**
 * Wall times as users write them: Slurm's forms ({@code minutes}, {@code MM:SS}, {@code HH:MM:SS},
 * {@code D-HH}, {@code D-HH:MM}, {@code D-HH:MM:SS}) and short ones ({@code 90s}, {@code 30m},
 * {@code 2h}, {@code 1d}). A bare number is minutes, as in Slurm.
 */
public final class Walltime {

    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*([smhd])");
    private static final Pattern SLURM = Pattern.compile("(?:(\\d+)-)?(\\d+)(?::(\\d+))?(?::(\\d+))?");

    private Walltime() {
    }

    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return positive(text, switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        m = SLURM.matcher(t);
        if (m.matches()) {
            String days = m.group(1), a = m.group(2), b = m.group(3), c = m.group(4);
            Duration d;
            if (days != null) {
                // D-HH, D-HH:MM, D-HH:MM:SS
                d = Duration.ofDays(Long.parseLong(days)).plusHours(Long.parseLong(a));
                if (b != null) {
                    d = d.plusMinutes(Long.parseLong(b));
                }
                if (c != null) {
                    d = d.plusSeconds(Long.parseLong(c));
                }
            } else if (b == null) {
                d = Duration.ofMinutes(Long.parseLong(a));
            } else if (c == null) {
                d = Duration.ofMinutes(Long.parseLong(a)).plusSeconds(Long.parseLong(b));
            } else {
                d = Duration.ofHours(Long.parseLong(a)).plusMinutes(Long.parseLong(b)).plusSeconds(Long.parseLong(c));
            }
            return positive(text, d);
        }
        throw Problem.invalid("walltime", JobRefusal.WALLTIME_INVALID, text);
    }

    private static Duration positive(String text, Duration d) {
        if (d.isZero()) {
            throw Problem.invalid("walltime", JobRefusal.WALLTIME_ZERO, text);
        }
        return d;
    }

    /** Slurm's display form: {@code D-HH:MM:SS} or {@code HH:MM:SS}. */
    public static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long days = s / 86400;
        String hms = String.format("%02d:%02d:%02d", (s % 86400) / 3600, (s % 3600) / 60, s % 60);
        return days > 0 ? days + "-" + hms : hms;
    }
}
