package fr.catie.vaniila.agent;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a node offers: its name, where it is, its cores, memory and GPUs. Built either by discovery
 * ({@link HostDiscovery#discover}) or declared (a virtual node of the demo inventory: {@link #declared}).
 *
 * @param node     the node's name in the cluster (the scheduler's node name); letters, digits, '.', '_', '-'
 * @param hostname the machine's host name
 * @param address  the address other nodes reach it on (a multi-node job's {@code MASTER_ADDR})
 * @param cores    cores offered to jobs, at least 1
 * @param memoryMb memory offered to jobs, MiB, at least 1
 * @param gpus     the GPUs, indices unique; immutable
 */
public record Inventory(String node, String hostname, String address, int cores, long memoryMb, List<GpuDevice> gpus) {

    /** Validates the values and freezes the GPU list. */
    public Inventory {
        if (node == null || !node.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("node name '" + node
                    + "' is not valid: use 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (cores < 1) {
            throw new IllegalArgumentException("node " + node + ": cores must be at least 1, got " + cores);
        }
        if (memoryMb < 1) {
            throw new IllegalArgumentException("node " + node + ": memory must be at least 1 MiB, got " + memoryMb);
        }
        gpus = List.copyOf(gpus);
        Set<Integer> seen = new HashSet<>();
        for (GpuDevice gpu : gpus) {
            if (!seen.add(gpu.index())) {
                throw new IllegalArgumentException("node " + node + ": GPU index " + gpu.index() + " appears twice");
            }
        }
        hostname = hostname == null ? node : hostname;
        address = address == null ? "127.0.0.1" : address;
    }

    /**
     * A node declared rather than discovered: the portal's virtual nodes. Its GPUs are virtual, indexed from 0,
     * {@code count} of each flavor in order.
     *
     * @param node     the node name
     * @param cores    cores offered
     * @param memoryMb memory offered, MiB
     * @param flavors  the flavors, one entry per GPU (e.g. {@code ["v100-16g", "v100-16g"]})
     */
    public static Inventory declared(String node, int cores, long memoryMb, List<String> flavors) {
        return new Inventory(node, node, "127.0.0.1", cores, memoryMb, VirtualGpus.devices(node, flavors));
    }

    /** True when at least one GPU is real, so nvidia-smi must be sampled. */
    public boolean hasRealGpus() {
        return gpus.stream().anyMatch(g -> !g.virtual());
    }
}
