package fr.catie.vaniila.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Completes the rendezvous variables of a multi-rank launch ({@code WORLD_SIZE} given) when the portal left them
 * out and this node can decide them alone: when every rank runs on this node ({@code LOCAL_WORLD_SIZE} equals
 * {@code WORLD_SIZE}), {@code MASTER_ADDR} is this node's address and {@code MASTER_PORT} a port free on it, the
 * same for every rank of the job. A multi-node launch without them cannot be completed here (the other nodes
 * would not know): it is refused with a message for the portal. Thread-safe.
 */
final class TorchrunEnv {

    private final Map<JobId, Integer> ports = new LinkedHashMap<>();

    /**
     * The launch with its rendezvous variables completed.
     *
     * @throws LaunchException when a multi-node launch lacks MASTER_ADDR or MASTER_PORT
     */
    synchronized LaunchSpec complete(LaunchSpec spec, Inventory node) throws LaunchException {
        Map<String, String> env = spec.env();
        String world = env.get("WORLD_SIZE");
        if (world == null || (env.containsKey("MASTER_ADDR") && env.containsKey("MASTER_PORT"))) {
            return spec;
        }
        String localWorld = env.getOrDefault("LOCAL_WORLD_SIZE", world);
        if (!localWorld.equals(world)) {
            throw new LaunchException("multi-node launch of job " + spec.jobId() + " (WORLD_SIZE " + world
                    + ", LOCAL_WORLD_SIZE " + localWorld + ") has no MASTER_ADDR/MASTER_PORT: the portal must give"
                    + " rank 0's node address and a port, the same to every node");
        }
        Map<String, String> completed = new HashMap<>(env);
        completed.putIfAbsent("MASTER_ADDR", node.address());
        if (!completed.containsKey("MASTER_PORT")) {
            completed.put("MASTER_PORT", Integer.toString(portFor(spec.jobId())));
        }
        completed.putIfAbsent("LOCAL_WORLD_SIZE", world);
        completed.putIfAbsent("NODE_RANK", "0");
        if (completed.containsKey("RANK")) {
            completed.putIfAbsent("LOCAL_RANK", completed.get("RANK"));
        }
        return new LaunchSpec(spec.launchId(), spec.jobId(), spec.jobName(), spec.kind(), spec.user(),
                spec.workdir(), spec.jobDir(), spec.script(), spec.argv(), spec.stdout(), spec.stderr(), spec.cores(),
                spec.memoryMb(), spec.gpuIndices(), spec.walltimeSeconds(), spec.graceSeconds(), completed);
    }

    /** One free port per job, so that its ranks (separate launches) meet on the same one. */
    private int portFor(JobId job) throws LaunchException {
        Integer port = ports.get(job);
        if (port != null) {
            return port;
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new LaunchException("no free port for the ranks of job " + job + " to meet on: " + e.getMessage(), e);
        }
        ports.put(job, port);
        while (ports.size() > 1000) {
            ports.remove(ports.keySet().iterator().next());
        }
        return port;
    }
}
