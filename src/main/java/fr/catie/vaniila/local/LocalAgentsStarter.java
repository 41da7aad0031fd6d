package fr.catie.vaniila.local;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import fr.catie.vaniila.agent.Inventory;
import fr.catie.vaniila.agent.LocalAgents;
import fr.catie.vaniila.gateway.NodeTokens;
import fr.catie.vaniila.platform.VaniilaProperties;
import fr.catie.vaniila.scheduler.ClusterFile;
import fr.catie.vaniila.scheduler.GpuFlavor;
import fr.catie.vaniila.scheduler.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The one-command portal's own agents, started once the web server listens: the local machine as
 * it is, or a demo inventory of virtual nodes whose jobs run as local processes
 * ({@code vaniila.local.virtual-nodes}). They talk HTTP to this portal like any remote agent.
 */
@Component
class LocalAgentsStarter {

    private static final Logger log = LoggerFactory.getLogger(LocalAgentsStarter.class);

    private final VaniilaProperties properties;
    private final NodeTokens tokens;
    private final fr.catie.vaniila.files.Workspaces workspaces;
    private LocalAgents agents;

    LocalAgentsStarter(VaniilaProperties properties, NodeTokens tokens, fr.catie.vaniila.files.Workspaces workspaces) {
        this.properties = properties;
        this.tokens = tokens;
        this.workspaces = workspaces;
    }

    @EventListener
    @Order(0)
    void ready(ApplicationReadyEvent event) throws Exception {
        String mode = properties.local().virtualNodes().trim();
        if (mode.equals("none")) {
            log.info("No in-process agent (vaniila.local.virtual-nodes=none): nodes come from remote agents");
            return;
        }
        int port = ((WebServerApplicationContext) event.getApplicationContext()).getWebServer().getPort();
        List<Inventory> nodes = nodes(mode);
        agents = LocalAgents.start(URI.create("http://127.0.0.1:" + port), tokens.issueForLocalAgents(),
                properties.home(), nodes, trainingCommand());
        int gpus = nodes.stream().mapToInt(n -> n.gpus().size()).sum();
        System.out.printf("In-process agents: %d node(s), %d GPU(s) (%s)%n", nodes.size(), gpus, mode);
    }

    /**
     * Training ranks run this jar as the jobs' users, who may not read where it lies (a root-only home, the
     * build's class path): as root, a copy goes beside the workspaces, readable by all.
     */
    private List<String> trainingCommand() throws java.io.IOException {
        List<String> command = fr.catie.vaniila.agent.AgentConfig.currentJvmCommand();
        int jar = command.indexOf("-jar");
        if (!"root".equals(System.getProperty("user.name")) || jar < 0) {
            return command;
        }
        Path source = Path.of(command.get(jar + 1));
        Path lib = workspaces.root().resolve(".vaniila-lib");
        Files.createDirectories(lib);
        Files.setPosixFilePermissions(lib, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path copy = lib.resolve("vaniila.jar");
        if (!Files.exists(copy) || Files.size(copy) != Files.size(source)
                || Files.getLastModifiedTime(copy).compareTo(Files.getLastModifiedTime(source)) < 0) {
            Path tmp = lib.resolve("vaniila.jar.tmp");
            Files.copy(source, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        List<String> out = new ArrayList<>(command);
        out.set(jar + 1, copy.toString());
        return out;
    }

    private List<Inventory> nodes(String mode) throws Exception {
        if (mode.equals("local") || mode.equals("auto")) {
            Inventory local = LocalAgents.localMachine(hostname(), List.of());
            if (mode.equals("local") || !local.gpus().isEmpty()) {
                return List.of(local);
            }
            log.info("This machine has no NVIDIA GPU: the in-process agents run the 'catie' demo inventory of virtual "
                    + "nodes (set vaniila.local.virtual-nodes=local to use this machine as it is)");
            mode = "catie";
        }
        ClusterFile cluster = Files.exists(Path.of(mode)) ? ClusterFile.load(Path.of(mode)) : ClusterFile.load(mode);
        List<Inventory> out = new ArrayList<>();
        for (Node n : cluster.nodes()) {
            out.add(Inventory.declared(n.name().value(), n.cores(), n.memoryMb(),
                    n.gpus().stream().map(GpuFlavor::name).toList()));
        }
        return out;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^a-zA-Z0-9._-]", "-");
        } catch (Exception e) {
            return "localhost";
        }
    }

    @EventListener
    void closing(ContextClosedEvent event) {
        if (agents != null) {
            // The agents stop; their jobs keep running and are adopted again at the next start.
            agents.close();
            agents = null;
        }
    }
}
