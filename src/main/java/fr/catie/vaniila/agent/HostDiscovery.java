package fr.catie.vaniila.agent;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds what this machine offers: cores, memory, GPUs (nvidia-smi), host name and the address the portal sees.
 * Stateless, thread-safe.
 */
public final class HostDiscovery {

    private HostDiscovery() {
    }

    /**
     * Discovers this machine.
     *
     * @param node        the node name; null for the host's short name
     * @param portal      the portal's URL, to find the local address that reaches it; may be null
     * @param cores       cores to offer, or 0 to offer all the JVM sees
     * @param memoryMb    memory to offer in MiB, or 0 for MemTotal of /proc/meminfo
     * @param virtualGpus GPUs declared instead of discovered; empty to ask nvidia-smi
     * @param nvidiaSmi   the nvidia-smi to ask
     * @throws IOException when nvidia-smi is installed but fails, or /proc/meminfo cannot be read
     */
    public static Inventory discover(String node, URI portal, int cores, long memoryMb, List<String> virtualGpus,
            NvidiaSmi nvidiaSmi) throws IOException {
        String hostname = hostname();
        String name = node != null ? node : hostname.split("\\.")[0];
        int c = cores > 0 ? cores : Runtime.getRuntime().availableProcessors();
        long m = memoryMb > 0 ? memoryMb : memTotalMb(Files.readString(Path.of("/proc/meminfo")));
        List<GpuDevice> gpus = virtualGpus.isEmpty() ? NvidiaSmi.devices(nvidiaSmi.query())
                : VirtualGpus.devices(name, virtualGpus);
        return new Inventory(name, hostname, address(portal), c, m, gpus);
    }

    /** MemTotal of a /proc/meminfo text, MiB. */
    static long memTotalMb(String meminfo) {
        for (String line : meminfo.split("\\R")) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.substring(9).trim().split("\\s+");
                return Long.parseLong(parts[0]) / 1024;
            }
        }
        throw new IllegalArgumentException("/proc/meminfo has no MemTotal line");
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "localhost";
        }
    }

    /** The local address of the route to the portal: connecting a UDP socket sends nothing but picks the route. */
    private static String address(URI portal) {
        if (portal != null && portal.getHost() != null) {
            try (DatagramSocket socket = new DatagramSocket()) {
                int port = portal.getPort() > 0 ? portal.getPort() : 443;
                socket.connect(new InetSocketAddress(portal.getHost(), port));
                InetAddress local = socket.getLocalAddress();
                if (local != null && !local.isAnyLocalAddress()) {
                    return local.getHostAddress();
                }
            } catch (IOException e) {
                // fall through to the host's own address
            }
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (IOException e) {
            return "127.0.0.1";
        }
    }
}
