package fr.catie.vaniila.agent;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The cgroups launches run in: one per launch, {@code vaniila/<launchId>}, holding its memory and CPU limits and
 * every process it started, whatever session or environment they gave themselves. That is how the end of a launch
 * reaches all of its processes, and how the agent learns that the kernel killed one of them at the memory limit.
 * cgroup v2 where the node has it (what deployment sets up); cgroup v1 otherwise (older nodes, containers, this
 * project's build machine); neither, and launches run without limits (one log line says so). Implementations are
 * thread-safe: each launch has its own directories.
 */
sealed interface JobCgroups permits CgroupV2, CgroupV1 {

    /** How long {@link #killAll} keeps killing what a fork may have added meanwhile. */
    long KILL_PATIENCE_MILLIS = 3000;

    /**
     * Whether the agent can put launches in cgroups here.
     *
     * @param cgroups            the hierarchy, or null when it cannot be used
     * @param unavailableBecause why it cannot be used, for the one log line; null when it can
     */
    record Detection(JobCgroups cgroups, String unavailableBecause) {

        Optional<JobCgroups> usable() {
            return Optional.ofNullable(cgroups);
        }
    }

    /**
     * A launch's cgroup, created with its limits.
     *
     * @param saved the form the state file keeps, which the other methods take (an agent restarted later uses it)
     * @param procs the {@code cgroup.procs} files the launch's first process writes its pid to, before anything else
     */
    record Placement(String saved, List<Path> procs) {
    }

    /**
     * The hierarchy at {@code root} ({@code /sys/fs/cgroup} by default): v2 when it has {@code cgroup.controllers},
     * else v1 when it holds a {@code memory} and a {@code cpu} hierarchy.
     */
    static Detection detect(Path root) {
        if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
            return CgroupV2.detect(root);
        }
        if (Files.isDirectory(root.resolve("memory")) && Files.isDirectory(root.resolve("cpu"))) {
            try {
                return CgroupV1.detect(root, Files.readString(Path.of("/proc/self/cgroup")));
            } catch (IOException e) {
                return new Detection(null, "/proc/self/cgroup could not be read (" + e + ")");
            }
        }
        return new Detection(null, root + " is neither a cgroup v2 hierarchy (no cgroup.controllers) nor a cgroup v1"
                + " one (no memory and cpu hierarchies)");
    }

    /**
     * Creates a launch's cgroup with its limits.
     *
     * @param cores    cores; 0 for no CPU limit
     * @param memoryMb MiB; 0 for no memory limit
     * @param denied   devices the launch may not open (the node's GPUs that are not its own); honoured only where
     *                 {@link #confinesDevices()}
     */
    Placement create(LaunchId launchId, int cores, long memoryMb, List<GpuDeviceNumbers.CharDevice> denied)
            throws IOException;

    /**
     * Whether {@link #create} withholds devices: cgroup v1's devices controller. cgroup v2 filters devices only
     * through an eBPF program attached to the cgroup, which the agent does not load.
     */
    boolean confinesDevices();

    /** SIGKILLs every process in the launch's cgroup; returns their pids. */
    Set<Long> killAll(LaunchId launchId, String saved);

    /** How many processes of the launch the kernel killed for going over its memory limit. */
    long oomKills(String saved);

    /**
     * The CPU time of every process the launch ever ran, those that exited included, as the kernel counts it; empty
     * where the hierarchy does not count it (a v1 host without cpuacct).
     */
    OptionalDouble cpuSeconds(String saved);

    /** Removes a launch's cgroup once its processes are gone; false while it is still busy. */
    boolean remove(String saved);

    /** The directories holding the launches' cgroups, {@code vaniila}: one, or one per v1 hierarchy. */
    List<Path> parents();

    /**
     * Removes the cgroups that launches left behind when their agent did not see them end (an agent killed for
     * good, or a state directory lost): those below {@link #parents()} that hold no process, are older than
     * {@code minAge} (a launch's own cgroup is empty only for the moment before its first process joins it), and
     * belong to no launch in {@code keep}. Other agents of the machine share the parents, hence the age.
     *
     * @param keep   the launch ids whose cgroups stay (the agent's tracked launches)
     * @param minAge how old an empty cgroup must be to go
     * @return the launch ids (directory names) of the cgroups removed, once each
     */
    default Set<String> removeLeftovers(Set<String> keep, Duration minAge) {
        Set<String> removed = new TreeSet<>();
        Instant before = Instant.now().minus(minAge);
        for (Path parent : parents()) {
            try (Stream<Path> children = Files.list(parent)) {
                for (Path dir : children.filter(Files::isDirectory).toList()) {
                    String name = dir.getFileName().toString();
                    if (keep.contains(name) || !pids(dir.resolve("cgroup.procs")).isEmpty()
                            || Files.getLastModifiedTime(dir).toInstant().isAfter(before)) {
                        continue;
                    }
                    try {
                        Files.delete(dir);
                        removed.add(name);
                    } catch (IOException e) {
                        // a process joined it meanwhile, or it is not a cgroup: it stays
                    }
                }
            } catch (IOException e) {
                // the parent is gone or unreadable: nothing to remove there
            }
        }
        return removed;
    }

    /** The directories of a saved form (several for v1, one per hierarchy). */
    static List<Path> dirs(String saved) {
        return Arrays.stream(saved.split(File.pathSeparator)).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    /** The saved form of directories. */
    static String saved(List<Path> dirs) {
        return String.join(File.pathSeparator, dirs.stream().map(Path::toString).toList());
    }

    /**
     * SIGKILLs the processes listed in a {@code cgroup.procs}, until it lists none alive or the patience is over;
     * adds their pids to {@code killed}.
     */
    static void killListed(Path procs, LaunchId launchId, Set<Long> killed) {
        long deadline = System.nanoTime() + KILL_PATIENCE_MILLIS * 1_000_000;
        while (signalMembers(procs, launchId, killed) > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * SIGKILLs, once, each living process a {@code cgroup.procs} lists, and adds its pid to {@code killed}; returns
     * how many it signalled. A pid is killed only while {@code /proc/PID/cgroup} still places it in the launch's
     * cgroup: the agent runs as root, and a pid read a moment ago may be another process's by now.
     */
    static int signalMembers(Path procs, LaunchId launchId, Set<Long> killed) {
        String mark = "/vaniila/" + launchId.value();
        int signalled = 0;
        for (long pid : pids(procs)) {
            if (ProcessTable.alive(pid, null) && inCgroup(pid, mark)
                    && ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
                killed.add(pid);
                signalled++;
            }
        }
        return signalled;
    }

    static List<Long> pids(Path procs) {
        try {
            return Files.readAllLines(procs).stream().map(String::trim).filter(s -> s.matches("\\d+"))
                    .map(Long::valueOf).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean inCgroup(long pid, String mark) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                if (line.endsWith(mark) || line.contains(mark + "/")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** A file holding one number, such as {@code cpuacct.usage}; empty when absent or unreadable. */
    static OptionalLong number(Path file) {
        try {
            String text = Files.readString(file).trim();
            return text.matches("\\d+") ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The number after {@code key} in a flat keyed file such as {@code memory.events}; 0 when absent. */
    static long keyed(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2 && parts[0].equals(key) && parts[1].matches("\\d+")) {
                    return Long.parseLong(parts[1]);
                }
            }
        } catch (IOException e) {
            // gone or unreadable: nothing counted
        }
        return 0;
    }

    /**
     * Removes cgroup directories: {@link Files#delete} is rmdir(2) for a directory, which the kernel grants a cgroup
     * without processes although it lists its interface files. False while one is still busy.
     */
    static boolean rmdir(List<Path> dirs) {
        boolean all = true;
        for (Path dir : dirs) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                all = false;
            }
        }
        return all;
    }
}
