package fr.catie.vaniila.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Launches in cgroup v2: {@code <root>/vaniila/<launchId>} with {@code memory.max} and {@code cpu.max}. Used only
 * where the hierarchy delegates the memory and cpu controllers and the agent may write it.
 */
final class CgroupV2 implements JobCgroups {

    private static final long PERIOD_MICROS = 100_000;

    private final Path root;

    private CgroupV2(Path root) {
        this.root = root;
    }

    static Detection detect(Path root) {
        try {
            String text = " " + Files.readString(root.resolve("cgroup.controllers")).trim() + " ";
            if (!text.contains(" memory ") || !text.contains(" cpu ")) {
                return new Detection(null, root + " does not delegate the memory and cpu controllers (has:" + text
                        + ")");
            }
            CgroupV2 cgroups = new CgroupV2(root);
            cgroups.parent();
            return new Detection(cgroups, null);
        } catch (IOException e) {
            return new Detection(null, "the agent may not write " + root + " (" + e + ")");
        }
    }

    @Override
    public String toString() {
        return "cgroup v2, " + root.resolve("vaniila");
    }

    @Override
    public List<Path> parents() {
        return List.of(root.resolve("vaniila"));
    }

    @Override
    public boolean confinesDevices() {
        return false;
    }

    @Override
    public Placement create(LaunchId launchId, int cores, long memoryMb, List<GpuDeviceNumbers.CharDevice> denied)
            throws IOException {
        Path dir = parent().resolve(launchId.value());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("memory.max"), memoryMb > 0 ? Long.toString(memoryMb * 1024 * 1024) : "max");
        // No swap beyond the limit: a job over its memory is killed rather than slowing its node down.
        if (memoryMb > 0 && Files.exists(dir.resolve("memory.swap.max"))) {
            Files.writeString(dir.resolve("memory.swap.max"), "0");
        }
        Files.writeString(dir.resolve("cpu.max"), cores > 0 ? cores * PERIOD_MICROS + " " + PERIOD_MICROS
                : "max " + PERIOD_MICROS);
        return new Placement(dir.toString(), List.of(dir.resolve("cgroup.procs")));
    }

    @Override
    public Set<Long> killAll(LaunchId launchId, String saved) {
        Path dir = Path.of(saved);
        Set<Long> killed = new HashSet<>(JobCgroups.pids(dir.resolve("cgroup.procs")));
        Path kill = dir.resolve("cgroup.kill");
        if (Files.exists(kill)) {
            // Linux 5.14+: the kernel kills the whole cgroup at once, forks in flight included.
            try {
                Files.writeString(kill, "1");
            } catch (IOException e) {
                killed.clear();
            }
        } else {
            killed.clear();
        }
        JobCgroups.killListed(dir.resolve("cgroup.procs"), launchId, killed);
        return killed;
    }

    @Override
    public long oomKills(String saved) {
        return JobCgroups.keyed(Path.of(saved).resolve("memory.events"), "oom_kill");
    }

    @Override
    public OptionalDouble cpuSeconds(String saved) {
        Path stat = Path.of(saved).resolve("cpu.stat");
        return Files.exists(stat) ? OptionalDouble.of(JobCgroups.keyed(stat, "usage_usec") / 1e6)
                : OptionalDouble.empty();
    }

    @Override
    public boolean remove(String saved) {
        return JobCgroups.rmdir(List.of(Path.of(saved)));
    }

    private Path parent() throws IOException {
        Path parent = root.resolve("vaniila");
        Files.writeString(root.resolve("cgroup.subtree_control"), "+memory +cpu");
        Files.createDirectories(parent);
        Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +cpu");
        return parent;
    }
}
