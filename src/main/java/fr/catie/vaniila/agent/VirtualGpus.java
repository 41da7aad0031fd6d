package fr.catie.vaniila.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Virtual GPUs: GPUs declared in the agent's configuration on a machine that has none, so that the whole system
 * can be tried anywhere. A job allocated a virtual GPU sees its index in {@code CUDA_VISIBLE_DEVICES} and runs on
 * the CPU. Stateless, thread-safe.
 */
public final class VirtualGpus {

    private static final Pattern GROUP = Pattern.compile("\\s*(\\d{1,3})\\s*[xX]\\s*([a-z0-9]+-\\d{1,4}g)\\s*");
    private static final Map<String, String> MODELS = Map.of(
            "rtx2080ti", "NVIDIA GeForce RTX 2080 Ti",
            "v100", "Tesla V100",
            "a100", "NVIDIA A100",
            "h100", "NVIDIA H100",
            "l40s", "NVIDIA L40S",
            "t4", "Tesla T4");

    private VirtualGpus() {
    }

    /**
     * Parses a declaration like {@code 4x rtx2080ti-11g} or {@code 2x v100-16g, 2x rtx2080ti-11g}.
     *
     * @param spec the declaration; blank means no GPU
     * @return one flavor per GPU, in index order
     * @throws IllegalArgumentException with a message saying what to write instead
     */
    public static List<String> parse(String spec) {
        List<String> flavors = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return flavors;
        }
        for (String group : spec.split("[,+]")) {
            Matcher m = GROUP.matcher(group);
            if (!m.matches()) {
                throw new IllegalArgumentException("virtual GPUs '" + group.trim()
                        + "' not understood: write COUNTx FLAVOR where FLAVOR is model-<GiB>g, e.g. '4x rtx2080ti-11g'"
                        + " or '2x v100-16g,2x rtx2080ti-11g'");
            }
            int count = Integer.parseInt(m.group(1));
            if (count < 1 || count > 64) {
                throw new IllegalArgumentException("virtual GPUs '" + group.trim() + "': count must be 1 to 64");
            }
            for (int i = 0; i < count; i++) {
                flavors.add(m.group(2));
            }
        }
        return flavors;
    }

    /**
     * The devices for declared flavors, indexed from 0 in order.
     *
     * @param node    the node name, part of each made-up UUID so that UUIDs are unique across the cluster
     * @param flavors one flavor per GPU, each {@code model-<GiB>g}
     */
    public static List<GpuDevice> devices(String node, List<String> flavors) {
        List<GpuDevice> devices = new ArrayList<>();
        for (int i = 0; i < flavors.size(); i++) {
            String flavor = flavors.get(i);
            long memoryMb = GpuFlavors.memoryMbOf(flavor);
            if (memoryMb <= 0) {
                throw new IllegalArgumentException("virtual GPU flavor '" + flavor
                        + "' does not end with its memory: write model-<GiB>g, e.g. rtx2080ti-11g");
            }
            String chip = flavor.substring(0, flavor.lastIndexOf('-'));
            String model = MODELS.getOrDefault(chip, "Virtual " + chip.toUpperCase(java.util.Locale.ROOT));
            devices.add(new GpuDevice(i, "VIRTUAL-" + node + "-" + i, model, flavor, memoryMb, true));
        }
        return devices;
    }
}
