package fr.catie.vaniila.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The device file of each GPU of the node, {@code /dev/nvidia<minor>}: character devices of the NVIDIA driver's major
 * 195. The minor is not the index {@code nvidia-smi} and {@code CUDA_VISIBLE_DEVICES} use (the index follows the PCI
 * order, the minor the order the driver probed the boards in), so it is read where the driver states it, per GPU
 * UUID: {@code /proc/driver/nvidia/gpus/<PCI address>/information}, lines {@code GPU UUID:} and
 * {@code Device Minor:}. Stateless.
 */
final class GpuDeviceNumbers {

    /** The character-device major the NVIDIA driver registers its GPUs under ({@code NV_MAJOR_DEVICE_NUMBER}). */
    static final int NVIDIA_MAJOR = 195;

    /** Where the driver describes its GPUs, one directory per board. */
    static final Path DRIVER_DIR = Path.of("/proc/driver/nvidia/gpus");

    private GpuDeviceNumbers() {
    }

    /**
     * A character device, as a device cgroup names it.
     *
     * @param major the driver's number
     * @param minor the device's number within the driver
     */
    record CharDevice(int major, int minor) {

        /** The rule of cgroup v1's {@code devices.deny}: read, write and create ({@code mknod}). */
        String rule() {
            return "c " + major + ":" + minor + " rwm";
        }
    }

    /**
     * The minor of each GPU the driver describes, by UUID.
     *
     * @param driverDir {@link #DRIVER_DIR}, or a directory laid out like it
     * @return empty when the directory is absent (no NVIDIA driver loaded)
     * @throws IOException when a GPU's description cannot be read
     */
    static Map<String, Integer> minorsByUuid(Path driverDir) throws IOException {
        Map<String, Integer> minors = new LinkedHashMap<>();
        if (!Files.isDirectory(driverDir)) {
            return minors;
        }
        try (DirectoryStream<Path> boards = Files.newDirectoryStream(driverDir)) {
            for (Path board : boards) {
                Path information = board.resolve("information");
                if (Files.isRegularFile(information)) {
                    parse(Files.readString(information)).ifPresent(m -> minors.put(m.getKey(), m.getValue()));
                }
            }
        }
        return minors;
    }

    /** The UUID and minor of one {@code information} file; empty when it lacks either. */
    static Optional<Map.Entry<String, Integer>> parse(String information) {
        String uuid = null;
        Integer minor = null;
        for (String line : information.split("\\R")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equals("GPU UUID")) {
                uuid = value;
            } else if (key.equals("Device Minor") && value.matches("\\d{1,6}")) {
                minor = Integer.parseInt(value);
            }
        }
        return uuid == null || minor == null ? Optional.empty()
                : Optional.of(Map.entry(uuid, minor));
    }

    /**
     * The device of each real GPU of the node, by index, when the driver describes every one of them.
     *
     * @param gpus   the node's GPUs; virtual ones have no device
     * @param minors {@link #minorsByUuid}
     * @return empty when a real GPU has no known minor (its device could not be withheld from other jobs)
     */
    static Optional<Map<Integer, CharDevice>> devicesByIndex(List<GpuDevice> gpus,
            Map<String, Integer> minors) {
        Map<Integer, CharDevice> devices = new LinkedHashMap<>();
        for (GpuDevice gpu : gpus) {
            if (gpu.virtual()) {
                continue;
            }
            Integer minor = minors.get(gpu.uuid());
            if (minor == null) {
                return Optional.empty();
            }
            devices.put(gpu.index(), new CharDevice(NVIDIA_MAJOR, minor));
        }
        return Optional.of(devices);
    }
}
