package fr.catie.vaniila.agent;

/**
 * One GPU of a node, as the agent registers it.
 *
 * @param index    the index {@code CUDA_VISIBLE_DEVICES} uses on this node; unique within the node, 0 or more
 * @param uuid     the GPU's UUID ({@code GPU-...}); for a virtual GPU a stable made-up one ({@code VIRTUAL-node-i})
 * @param model    the model as nvidia-smi names it (e.g. {@code NVIDIA H100 80GB HBM3})
 * @param flavor   the scheduler's flavor name, see {@link GpuFlavors#flavorOf(String, long)}
 * @param memoryMb total memory in MiB
 * @param virtual  true when declared in the configuration rather than found on the machine
 */
public record GpuDevice(int index, String uuid, String model, String flavor, long memoryMb, boolean virtual) {

    /** Validates the values. */
    public GpuDevice {
        if (index < 0) {
            throw new IllegalArgumentException("GPU index " + index + " is negative");
        }
        if (memoryMb <= 0) {
            throw new IllegalArgumentException("GPU " + index + " has no memory (" + memoryMb + " MiB)");
        }
        if (flavor == null || flavor.isBlank() || model == null || uuid == null) {
            throw new IllegalArgumentException("GPU " + index + " needs a uuid, a model and a flavor");
        }
    }
}
