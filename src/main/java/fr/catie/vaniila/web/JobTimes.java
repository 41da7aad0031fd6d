package fr.catie.vaniila.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import org.springframework.stereotype.Component;

/**
 * Times and durations as the jobs pages print them, called from the templates as {@code @jobTimes}.
 * Times are in the portal's zone (the cluster's), which the pages name once. Thread-safe.
 */
@Component("jobTimes")
public class JobTimes {

    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Clock clock;
    private final ZoneId zone = ZoneId.systemDefault();

    public JobTimes(Clock clock) {
        this.clock = clock;
    }

    /** {@code 2026-11-26 21:40:05}, or an empty string for no time. */
    public String at(Instant instant) {
        return shown(instant);
    }

    /** An instant as the pages show times, in the portal's zone: {@code 2026-11-26 21:40:05}; empty for none. */
    static String shown(Instant instant) {
        return instant == null ? "" : AT.format(instant.atZone(ZoneId.systemDefault()));
    }

    /** The machine-readable form for {@code <time datetime>}. */
    public String iso(Instant instant) {
        return instant == null ? "" : instant.toString();
    }

    /** The portal's zone as people name it in their language, e.g. {@code UTC} or {@code CET}, shown beside the times. */
    public String zone() {
        return java.util.TimeZone.getTimeZone(zone).getDisplayName(false, java.util.TimeZone.SHORT,
                org.springframework.context.i18n.LocaleContextHolder.getLocale());
    }

    /** A duration as {@code 1d 02:03:04} or {@code 02:03:04}. */
    public String duration(long seconds) {
        long s = Math.max(0, seconds);
        long days = s / 86400;
        String hms = String.format("%02d:%02d:%02d", (s % 86400) / 3600, (s % 3600) / 60, s % 60);
        return days > 0 ? days + "d " + hms : hms;
    }

    /** How long a job ran (or has been running): from its start to its end, or to now. */
    public String elapsed(Instant start, Instant end) {
        if (start == null) {
            return "";
        }
        return duration(Duration.between(start, end == null ? clock.instant() : end).toSeconds());
    }

    /** The portal's now, as the pages count elapsed times. */
    public Instant now() {
        return clock.instant();
    }

    /** CPU time: under a minute in seconds with a decimal ({@code 0.3 s}, {@code 0,3 s} in French), else as a duration. */
    public String cpuTime(double seconds) {
        return seconds < 60 ? String.format(org.springframework.context.i18n.LocaleContextHolder.getLocale(), "%.1f s",
                seconds) : duration(Math.round(seconds));
    }

    /** Minutes from now until the instant (negative when past), for "starts in about N min". */
    public long minutesUntil(Instant instant) {
        return instant == null ? 0 : Math.max(0, Duration.between(clock.instant(), instant).toMinutes());
    }
}
