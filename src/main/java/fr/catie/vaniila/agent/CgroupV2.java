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
     * Whether the agent can limit jobs with cgroup v2 here.
     *
     * @param cgroups          the hierarchy, or null when it cannot be used
     * @param unavailableBecause why it cannot be used, for the one log line; null when it can
     */
    record Detection(CgroupV2 cgroups, String unavailableBecause) {

        Optional<CgroupV2> usable() {
            return Optional.ofNullable(cgroups);
        }
    }

    /** The cgroup v2 hierarchy at {@code root}, if the agent can use it. */
    static Detection detect(Path root) {
        Path controllers = root.resolve("cgroup.controllers");
        if (!Files.isRegularFile(controllers)) {
            return new Detection(null, root + " is not a cgroup v2 hierarchy (no cgroup.controllers)");
        }
        try {
            String text = " " + Files.readString(controllers).trim() + " ";
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
