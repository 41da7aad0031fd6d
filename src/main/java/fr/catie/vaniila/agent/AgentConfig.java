package fr.catie.vaniila.agent;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * How one {@link NodeAgent} runs: the node it is, where it keeps its state, how it polls and limits jobs.
 *
 * @param inventory        the node
 * @param stateDir         the state directory (state file and lock); one per node
 * @param idleWaitSeconds  how long a sync may be held by the portal when no job runs here (long poll)
 * @param busyWaitSeconds  the same while jobs run, shorter so that their exits reach the portal soon
 * @param monitorInterval  how often job processes are checked (exit, wall time) and logs shipped
 * @param cgroupRoot       where the cgroups are (v2, or v1's hierarchies), or null to run jobs without limits
 * @param trainingCommand  the command that runs this jar's roles; a TRAINING launch appends its argv
 * @param nvidiaSmi        the nvidia-smi command, sampled each sync when the node has real GPUs
 * @param agentVersion     the version the agent registers with
 * @param nvidiaDriverDir  where the NVIDIA driver describes its GPUs ({@link GpuDeviceNumbers#DRIVER_DIR}): the
 *                         device file of each, which jobs not given that GPU may not open
 */
public record AgentConfig(Inventory inventory, Path stateDir, int idleWaitSeconds, int busyWaitSeconds,
        Duration monitorInterval, Path cgroupRoot, List<String> trainingCommand, String nvidiaSmi,
        String agentVersion, Path nvidiaDriverDir) {

    /** The agent's version, sent at registration. */
    public static final String VERSION = "0.1.0";

    /** Validates the values. */
    public AgentConfig {
        if (inventory == null || stateDir == null) {
            throw new IllegalArgumentException("an agent needs an inventory and a state directory");
        }
        if (idleWaitSeconds < 0 || busyWaitSeconds < 0 || idleWaitSeconds > 120 || busyWaitSeconds > 120) {
            throw new IllegalArgumentException("poll waits must be 0 to 120 seconds");
        }
        trainingCommand = List.copyOf(trainingCommand);
    }

    /**
     * The defaults: long polls of 20 s idle and 2 s busy, checks every 500 ms, cgroups at {@code /sys/fs/cgroup},
     * the training command of this JVM ({@link #currentJvmCommand()}).
     */
    public static AgentConfig of(Inventory inventory, Path stateDir) {
        return new AgentConfig(inventory, stateDir, 20, 2, Duration.ofMillis(500), Path.of("/sys/fs/cgroup"),
                currentJvmCommand(), "nvidia-smi", VERSION, GpuDeviceNumbers.DRIVER_DIR);
    }

    /** A copy with other poll waits. */
    public AgentConfig withWaits(int idleSeconds, int busySeconds) {
        return new AgentConfig(inventory, stateDir, idleSeconds, busySeconds, monitorInterval, cgroupRoot,
                trainingCommand, nvidiaSmi, agentVersion, nvidiaDriverDir);
    }

    /** A copy with another monitor interval. */
    public AgentConfig withMonitorInterval(Duration interval) {
        return new AgentConfig(inventory, stateDir, idleWaitSeconds, busyWaitSeconds, interval, cgroupRoot,
                trainingCommand, nvidiaSmi, agentVersion, nvidiaDriverDir);
    }

    /** A copy with another cgroup root (null: no limits). */
    public AgentConfig withCgroupRoot(Path root) {
        return new AgentConfig(inventory, stateDir, idleWaitSeconds, busyWaitSeconds, monitorInterval, root,
                trainingCommand, nvidiaSmi, agentVersion, nvidiaDriverDir);
    }

    /** A copy with another training command. */
    public AgentConfig withTrainingCommand(List<String> command) {
        return new AgentConfig(inventory, stateDir, idleWaitSeconds, busyWaitSeconds, monitorInterval, cgroupRoot,
                command, nvidiaSmi, agentVersion, nvidiaDriverDir);
    }

    /** A copy with another nvidia-smi command. */
    public AgentConfig withNvidiaSmi(String command) {
        return new AgentConfig(inventory, stateDir, idleWaitSeconds, busyWaitSeconds, monitorInterval, cgroupRoot,
                trainingCommand, command, agentVersion, nvidiaDriverDir);
    }

    /** A copy with another directory where the NVIDIA driver describes its GPUs. */
    public AgentConfig withNvidiaDriverDir(Path dir) {
        return new AgentConfig(inventory, stateDir, idleWaitSeconds, busyWaitSeconds, monitorInterval, cgroupRoot,
                trainingCommand, nvidiaSmi, agentVersion, dir);
    }

    /**
     * The command that runs this jar's roles with the running JVM: {@code java -jar vaniila.jar} when started from
     * the executable jar, else {@code java -cp <classpath> fr.catie.vaniila.Vaniila}.
     */
    public static List<String> currentJvmCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path jar = runningJar();
        if (jar != null) {
            command.add("-jar");
            command.add(jar.toString());
        } else {
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("fr.catie.vaniila.Vaniila");
        }
        return command;
    }

    /** The executable jar this code runs from (a Spring Boot jar), or null when it runs from a class path. */
    private static Path runningJar() {
        try {
            var source = AgentConfig.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return null;
            }
            String location = source.getLocation().toString();
            // Inside a Spring Boot jar the location is jar:nested:/path/vaniila.jar/!BOOT-INF/classes/!/
            int bang = location.indexOf(".jar");
            if (location.startsWith("jar:nested:") && bang > 0) {
                return Path.of(location.substring("jar:nested:".length(), bang + 4));
            }
            Path path = Path.of(source.getLocation().toURI());
            if (Files.isRegularFile(path) && path.toString().endsWith(".jar")) {
                try (JarFile jarFile = new JarFile(path.toFile())) {
                    var manifest = jarFile.getManifest();
                    String main = manifest == null ? null : manifest.getMainAttributes().getValue("Start-Class");
                    return "fr.catie.vaniila.Vaniila".equals(main) ? path : null;
                }
            }
            return null;
        } catch (URISyntaxException | IOException | RuntimeException e) {
            return null;
        }
    }
}
