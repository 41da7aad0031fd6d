package fr.catie.vaniila.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Memory and CPU limits for launches with cgroup v2: one cgroup per launch, {@code <root>/vaniila/<launchId>},
 * with {@code memory.max} and {@code cpu.max}. Used only where the hierarchy is cgroup v2, delegates the memory
 * and cpu controllers, and the agent may write it; otherwise launches run without limits (one log line says so).
 * Thread-safe (each launch has its own directory).
 */
final class CgroupV2 {

    private static final long PERIOD_MICROS = 100_000;

    private final Path root;

    private CgroupV2(Path root) {
        this.root = root;
    }

    /**
     * The cgroup v2 hierarchy at {@code root} if the agent can use it.
     *
     * @return empty, with the reason in {@code why[0]}, when it cannot
     */
    static Optional<CgroupV2> detect(Path root, String[] why) {
        Path controllers = root.resolve("cgroup.controllers");
        if (!Files.isRegularFile(controllers)) {
            why[0] = root + " is not a cgroup v2 hierarchy (no cgroup.controllers)";
            return Optional.empty();
        }
        try {
            String text = " " + Files.readString(controllers).trim() + " ";
            if (!text.contains(" memory ") || !text.contains(" cpu ")) {
                why[0] = root + " does not delegate the memory and cpu controllers (has:" + text + ")";
                return Optional.empty();
            }
            CgroupV2 cgroups = new CgroupV2(root);
            cgroups.parent();
            return Optional.of(cgroups);
        } catch (IOException e) {
            why[0] = "the agent may not write " + root + " (" + e + ")";
            return Optional.empty();
        }
    }

    /**
     * Creates a launch's cgroup with its limits.
     *
     * @param cores    cores; 0 for no CPU limit
     * @param memoryMb MiB; 0 for no memory limit
     * @return the cgroup's directory; its {@code cgroup.procs} is where the launch's first process writes its pid
     */
    Path create(LaunchId launchId, int cores, long memoryMb) throws IOException {
        Path dir = parent().resolve(launchId.value());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("memory.max"), memoryMb > 0 ? Long.toString(memoryMb * 1024 * 1024) : "max");
        // No swap beyond the limit: a job over its memory is killed rather than slowing its node down.
        if (memoryMb > 0 && Files.exists(dir.resolve("memory.swap.max"))) {
            Files.writeString(dir.resolve("memory.swap.max"), "0");
        }
        Files.writeString(dir.resolve("cpu.max"), cores > 0 ? cores * PERIOD_MICROS + " " + PERIOD_MICROS
                : "max " + PERIOD_MICROS);
        return dir;
    }

    /** Removes a launch's cgroup once its processes are gone; false while it is still busy. */
    boolean remove(Path dir) {
        try {
            // A cgroup directory is removed with rmdir even though it "contains" its interface files.
            Process p = new ProcessBuilder("rmdir", dir.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 || !Files.exists(dir);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Path parent() throws IOException {
        Path parent = root.resolve("vaniila");
        Files.writeString(root.resolve("cgroup.subtree_control"), "+memory +cpu");
        Files.createDirectories(parent);
        Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +cpu");
        return parent;
    }
}
