package fr.catie.vaniila.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What /proc says about processes: liveness (a zombie counts as dead) and the resource use of process groups.
 * Linux only. Stateless, thread-safe.
 */
final class ProcessTable {

    /** Clock ticks per second of /proc/PID/stat times; 100 on every Linux the agent targets. */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final long PAGE_SIZE = 4096;

    /** CPU and memory of a process group at one instant. */
    record GroupUsage(double cpuSeconds, long rssMb) {
    }

    private ProcessTable() {
    }

    /**
     * Whether a process is alive and is the one that started at {@code startedAt} (so a reused pid is not
     * mistaken for it).
     *
     * @param startedAt when it started, or null not to check
     */
    static boolean alive(long pid, Instant startedAt) {
        if (pid <= 1) {
            return false;
        }
        Optional<String[]> stat = stat(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat.isEmpty() || stat.get()[0].equals("Z") || stat.get()[0].equals("X")) {
            return false;
        }
        if (startedAt == null) {
            return true;
        }
        Optional<Instant> start = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
        return start.map(s -> Duration.between(s, startedAt).abs().toMillis() < 3000).orElse(true);
    }

    /** When a process started, as the JVM computes it; empty when it is gone. */
    static Optional<Instant> startOf(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
    }

    /**
     * The use of the given process groups: CPU time of the living members and of the children they reaped, and
     * their resident memory.
     */
    static Map<Long, GroupUsage> usage(Set<Long> groups) {
        Map<Long, double[]> sums = new HashMap<>();
        if (groups.isEmpty()) {
            return Map.of();
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                Optional<String[]> stat = stat(proc.resolve("stat"));
                if (stat.isEmpty()) {
                    continue;
                }
                String[] f = stat.get();
                // f[0] is field 3 (state): field n of proc(5) is f[n - 3].
                long pgrp = Long.parseLong(f[5 - 3]);
                if (!groups.contains(pgrp)) {
                    continue;
                }
                double ticks = Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]) + Long.parseLong(f[16 - 3])
                        + Long.parseLong(f[17 - 3]);
                long rssPages = Long.parseLong(f[24 - 3]);
                double[] sum = sums.computeIfAbsent(pgrp, k -> new double[2]);
                sum[0] += ticks / TICKS_PER_SECOND;
                sum[1] += rssPages * PAGE_SIZE;
            }
        } catch (IOException e) {
            return Map.of();
        }
        Map<Long, GroupUsage> usage = new HashMap<>();
        sums.forEach((k, v) -> usage.put(k, new GroupUsage(v[0], (long) (v[1] / (1024 * 1024)))));
        return usage;
    }

    /**
     * The processes whose environment holds {@code variable=value} exactly, except this one. The environment is
     * the one a process was started with, inherited by everything it starts, whatever session or process group
     * that joins; processes the caller may not read are skipped.
     */
    static Set<Long> carrying(String variable, String value) {
        byte[] entry = (variable + "=" + value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Set<Long> pids = new java.util.HashSet<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid != self && holds(proc.resolve("environ"), entry)) {
                    pids.add(pid);
                }
            }
        } catch (IOException e) {
            return pids;
        }
        return pids;
    }

    /** Whether a NUL-separated environment file has the entry as one of its strings. */
    private static boolean holds(Path environ, byte[] entry) {
        byte[] env;
        try {
            env = Files.readAllBytes(environ);
        } catch (IOException | RuntimeException e) {
            return false;
        }
        int start = 0;
        for (int i = 0; i <= env.length; i++) {
            if (i == env.length || env[i] == 0) {
                if (i - start == entry.length && java.util.Arrays.equals(env, start, i, entry, 0, entry.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** The fields of a stat file after the command name (which may contain spaces and parentheses). */
    private static Optional<String[]> stat(Path file) {
        try {
            String text = Files.readString(file);
            int close = text.lastIndexOf(')');
            if (close < 0) {
                return Optional.empty();
            }
            return Optional.of(text.substring(close + 2).trim().split(" "));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
