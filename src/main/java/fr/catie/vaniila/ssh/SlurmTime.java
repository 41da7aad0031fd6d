package fr.catie.vaniila.ssh;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Durations and instants written the way Slurm's commands write them. Pure functions; thread-safe. */
final class SlurmTime {

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private SlurmTime() {
    }

    /** squeue's TIME and TIME_LIMIT: {@code M:SS}, {@code H:MM:SS}, {@code D-HH:MM:SS}. */
    static String squeue(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long days = s / 86_400;
        long h = s % 86_400 / 3600;
        long m = s % 3600 / 60;
        long sec = s % 60;
        if (days > 0) {
            return String.format("%d-%02d:%02d:%02d", days, h, m, sec);
        }
        if (h > 0) {
            return String.format("%d:%02d:%02d", h, m, sec);
        }
        return String.format("%d:%02d", m, sec);
    }

    /** sacct's Elapsed and Timelimit: {@code HH:MM:SS} or {@code D-HH:MM:SS}. */
    static String sacct(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long days = s / 86_400;
        String hms = String.format("%02d:%02d:%02d", s % 86_400 / 3600, s % 3600 / 60, s % 60);
        return days > 0 ? days + "-" + hms : hms;
    }

    /** Slurm's timestamps ({@code 2026-11-26T19:58:00}, UTC on this cluster), {@code N/A} or {@code Unknown} when absent. */
    static String instant(Instant i, String absent) {
        return i == null ? absent : ISO.format(LocalDateTime.ofInstant(i, ZoneOffset.UTC));
    }
}
