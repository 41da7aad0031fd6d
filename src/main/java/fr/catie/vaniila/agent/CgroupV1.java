package fr.catie.vaniila.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Launches in cgroup v1, where each controller is a hierarchy of its own ({@code <root>/memory}, {@code <root>/cpu},
 * {@code <root>/freezer}): one directory per launch in each, {@code vaniila/<launchId>}, below the agent's own
 * cgroup there. Below its own, because that is what it was given (a container, a systemd unit with
 * {@code Delegate=yes}): the root of a hierarchy belongs to whoever manages the machine. The memory hierarchy limits
 * {@code memory.limit_in_bytes} (and swap, where accounted, to the same), the cpu one {@code cpu.cfs_quota_us}; the
 * freezer, when present, holds the launch still while the agent kills it, so that nothing forks out of the kill;
 * cpuacct, when present, counts the CPU time of every process the launch ran; devices, when present, denies the
 * launch the device files of the node's GPUs that are not its own (Slurm's {@code ConstrainDevices}): a job that
 * ignores {@code CUDA_VISIBLE_DEVICES} still cannot open another job's GPU.
 */
final class CgroupV1 implements JobCgroups {

    private static final long PERIOD_MICROS = 100_000;
    private static final String MEMORY = "memory";
    private static final String CPU = "cpu";
    private static final String FREEZER = "freezer";
    private static final String CPUACCT = "cpuacct";
    private static final String DEVICES = "devices";

    /** Controller to the directory holding the launches' cgroups in its hierarchy. */
    private final Map<String, Path> parents;

    private CgroupV1(Map<String, Path> parents) {
        this.parents = parents;
    }

    /**
     * The v1 hierarchies at {@code root}, if the agent may write below its own cgroups there.
     *
     * @param selfCgroup the text of {@code /proc/self/cgroup}: where the agent itself is in each hierarchy
     */
    static Detection detect(Path root, String selfCgroup) {
        Map<String, Path> parents = new LinkedHashMap<>();
        for (String controller : List.of(MEMORY, CPU, FREEZER, CPUACCT, DEVICES)) {
            Path own = root.resolve(controller).resolve(relative(ownPath(selfCgroup, controller)));
            boolean optional = !controller.equals(MEMORY) && !controller.equals(CPU);
            if (controller.equals(CPUACCT) && Files.exists(root.resolve(CPU).resolve("cpuacct.usage"))) {
                continue; // mounted with cpu ("cpu,cpuacct"): the cpu directory counts the CPU time already
            }
            if (!Files.isDirectory(own)) {
                if (optional) {
                    continue;
                }
                return new Detection(null, "the agent's " + controller + " cgroup " + own + " is not there");
            }
            Path parent = own.resolve("vaniila");
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                if (optional) {
                    continue;
                }
                return new Detection(null, "the agent may not write " + own + " (" + e + ")");
            }
            // The directory may be there already, made by a root agent: an agent that is not root finds it, but
            // cannot make a launch's cgroup in it.
            if (!Files.isWritable(parent)) {
                if (optional) {
                    continue;
                }
                return new Detection(null, "the agent may not write " + parent);
            }
            parents.put(controller, parent);
        }
        return new Detection(new CgroupV1(parents), null);
    }

    /**
     * Where the process is in a v1 hierarchy, from lines such as {@code 4:memory:/system.slice/x.service} or
     * {@code 2:cpu,cpuacct:/}; {@code /} when no line names the controller.
     */
    static String ownPath(String selfCgroup, String controller) {
        for (String line : selfCgroup.split("\n")) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
                return parts[2].trim();
            }
        }
        return "/";
    }

    private static String relative(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p;
    }

    @Override
    public String toString() {
        return "cgroup v1, " + parents;
    }

    @Override
    public List<Path> parents() {
        return List.copyOf(parents.values());
    }

    @Override
    public boolean confinesDevices() {
        return parents.containsKey(DEVICES);
    }

    @Override
    public Placement create(LaunchId launchId, int cores, long memoryMb, List<GpuDeviceNumbers.CharDevice> denied)
            throws IOException {
        List<Path> dirs = new ArrayList<>();
        try {
            for (Map.Entry<String, Path> e : parents.entrySet()) {
                Path dir = e.getValue().resolve(launchId.value());
                Files.createDirectories(dir);
                dirs.add(dir);
                switch (e.getKey()) {
                    case MEMORY -> {
                        if (memoryMb > 0) {
                            String bytes = Long.toString(memoryMb * 1024 * 1024);
                            Files.writeString(dir.resolve("memory.limit_in_bytes"), bytes);
                            // No swap beyond the limit, where swap is accounted: a job over its memory is killed
                            // rather than slowing its node down (the same as memory.swap.max 0 in v2).
                            if (Files.exists(dir.resolve("memory.memsw.limit_in_bytes"))) {
                                Files.writeString(dir.resolve("memory.memsw.limit_in_bytes"), bytes);
                            }
                        }
                    }
                    case CPU -> {
                        Files.writeString(dir.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
                        Files.writeString(dir.resolve("cpu.cfs_quota_us"),
                                cores > 0 ? Long.toString(cores * PERIOD_MICROS) : "-1");
                    }
                    case DEVICES -> {
                        // One rule per write, as `echo RULE > devices.deny` does: the kernel parses one from each.
                        for (GpuDeviceNumbers.CharDevice device : denied) {
                            Files.writeString(dir.resolve("devices.deny"), device.rule() + "\n",
                                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                        }
                    }
                    default -> {
                        // the freezer and cpuacct have nothing to set
                    }
                }
            }
        } catch (IOException e) {
            // Half a cgroup would run the launch without some of its limits, or leave directories behind.
            JobCgroups.rmdir(dirs);
            throw e;
        }
        return new Placement(JobCgroups.saved(dirs), dirs.stream().map(d -> d.resolve("cgroup.procs")).toList());
    }

    @Override
    public Set<Long> killAll(LaunchId launchId, String saved) {
        Set<Long> killed = new HashSet<>();
        List<Path> dirs = JobCgroups.dirs(saved);
        Path freezer = dirs.stream().filter(d -> Files.exists(d.resolve("freezer.state"))).findFirst().orElse(null);
        if (freezer == null) {
            if (!dirs.isEmpty()) {
                JobCgroups.killListed(dirs.get(0).resolve("cgroup.procs"), launchId, killed);
            }
            return killed;
        }
        // Frozen, nothing forks between the listing and the kill; the SIGKILLs are delivered on thawing.
        if (freeze(freezer.resolve("freezer.state"))) {
            JobCgroups.signalMembers(freezer.resolve("cgroup.procs"), launchId, killed);
        }
        try {
            Files.writeString(freezer.resolve("freezer.state"), "THAWED");
        } catch (IOException e) {
            // gone already
        }
        JobCgroups.killListed(freezer.resolve("cgroup.procs"), launchId, killed);
        return killed;
    }

    private static boolean freeze(Path state) {
        try {
            Files.writeString(state, "FROZEN");
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (Files.readString(state).trim().equals("FROZEN")) {
                    return true;
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Override
    public long oomKills(String saved) {
        return JobCgroups.dirs(saved).stream().map(d -> d.resolve("memory.oom_control")).filter(Files::exists)
                .mapToLong(f -> JobCgroups.keyed(f, "oom_kill")).sum();
    }

    @Override
    public OptionalDouble cpuSeconds(String saved) {
        // cpuacct counts nanoseconds; where cpu and cpuacct share a hierarchy, the cpu directory has the file.
        return JobCgroups.dirs(saved).stream().map(d -> d.resolve("cpuacct.usage")).filter(Files::exists)
                .map(JobCgroups::number).filter(OptionalLong::isPresent)
                .mapToDouble(n -> n.getAsLong() / 1e9).findFirst();
    }

    @Override
    public boolean remove(String saved) {
        return JobCgroups.rmdir(JobCgroups.dirs(saved));
    }
}
