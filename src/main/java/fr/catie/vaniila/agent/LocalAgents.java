package fr.catie.vaniila.agent;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agents a portal runs inside its own JVM: one for the local machine (the one-command default), or one per
 * virtual node of a demo inventory ({@code vaniila.local.virtual-nodes}), whose jobs all run as local processes.
 * Each agent talks HTTP to the portal's own port with a node token, exactly as a remote agent does, and keeps its
 * state in {@code <home>/agents/<node>}, so that a portal restart adopts their running jobs too.
 *
 * <p>Thread-safe; {@link #close()} stops every agent (their jobs keep running, see {@link NodeAgent#stop()}).
 */
public final class LocalAgents implements AutoCloseable {

    private final List<NodeAgent> agents;

    private LocalAgents(List<NodeAgent> agents) {
        this.agents = List.copyOf(agents);
    }

    /**
     * Starts one agent per node.
     *
     * @param portal the portal's own base URL, e.g. {@code http://127.0.0.1:8080}
     * @param token  a node token the portal accepts for these agents
     * @param home   the portal's data directory ({@code vaniila.home}); states go to {@code home/agents/NODE}
     * @param nodes  the nodes, e.g. the local machine ({@link #localMachine}) or {@link Inventory#declared}
     *               virtual nodes; names must be unique
     * @throws IOException when an agent cannot start (its state directory); the agents already started are stopped
     */
    public static LocalAgents start(URI portal, String token, Path home, List<Inventory> nodes) throws IOException {
        return start(portal, token, home, nodes, AgentConfig.currentJvmCommand());
    }

    /**
     * Starts one agent per node, running training ranks with the given command (the jar's roles must be
     * readable by the jobs' users, who run it).
     */
    public static LocalAgents start(URI portal, String token, Path home, List<Inventory> nodes,
            List<String> trainingCommand) throws IOException {
        HttpPortalLink link = new HttpPortalLink(portal, token);
        List<NodeAgent> started = new ArrayList<>();
        try {
            for (Inventory node : nodes) {
                AgentConfig config = AgentConfig.of(node, home.resolve("agents").resolve(node.node()))
                        .withTrainingCommand(trainingCommand);
                started.add(NodeAgent.start(config, link));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(NodeAgent::stop);
            throw e;
        }
        return new LocalAgents(started);
    }

    /**
     * This machine as a node: its cores, memory and GPUs (nvidia-smi), or the given virtual GPUs when it has none
     * to offer.
     *
     * @param node        the node name
     * @param virtualGpus flavors of virtual GPUs (e.g. from {@link VirtualGpus#parse}); empty to ask nvidia-smi
     * @throws IOException when nvidia-smi is installed but fails
     */
    public static Inventory localMachine(String node, List<String> virtualGpus) throws IOException {
        return HostDiscovery.discover(node, null, 0, 0, virtualGpus, new NvidiaSmi("nvidia-smi"));
    }

    /** The running agents, in the order of the nodes given. */
    public List<NodeAgent> agents() {
        return agents;
    }

    @Override
    public void close() {
        agents.forEach(NodeAgent::stop);
    }
}
