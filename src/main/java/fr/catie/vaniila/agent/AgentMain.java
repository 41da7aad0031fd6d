package fr.catie.vaniila.agent;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The {@code agent} role: {@code java -jar vaniila.jar agent --portal URL --token T [options]}. Reads its options
 * from the command line, else from {@code VANIILA_AGENT_*} environment variables; discovers the node; runs one
 * {@link NodeAgent} until it is stopped (SIGTERM: jobs keep running) or refused by the portal.
 */
public final class AgentMain {

    /** Exit code when an option is wrong. */
    public static final int BAD_OPTION = 2;
    /** Exit code when the portal refuses the token. */
    public static final int REFUSED = 3;
    /** Exit code when the node cannot be set up (state directory, discovery). */
    public static final int SETUP_FAILED = 4;

    private static final List<String> OPTIONS = List.of("portal", "token", "node", "state-dir", "virtual-gpus",
            "cores", "memory-mb", "cgroup-root", "nvidia-smi");

    private AgentMain() {
    }

    /** The options as parsed: each option's value, from the command line or the environment. */
    record Options(Map<String, String> values) {

        String get(String name) {
            return values.get(name);
        }

        int integer(String name, int fallback) {
            String v = values.get(name);
            if (v == null) {
                return fallback;
            }
            try {
                int n = Integer.parseInt(v.trim());
                if (n < 1) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " '" + v + "' is not a positive whole number");
            }
        }
    }

    /**
     * Parses the options.
     *
     * @param args the command line after the role
     * @param env  the environment ({@code VANIILA_AGENT_PORTAL} for {@code --portal}, and so on)
     * @throws IllegalArgumentException with a message saying what to change
     */
    static Options parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : OPTIONS) {
            String fromEnv = env.get(envName(name));
            if (fromEnv != null && !fromEnv.isBlank()) {
                values.put(name, fromEnv);
            }
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': options start with --");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option '--" + name + "'; the options are --"
                        + String.join(", --", OPTIONS));
            }
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            values.put(name, value);
        }
        if (values.get("portal") == null) {
            throw new IllegalArgumentException("the portal's URL is missing: give --portal http://HOST:PORT"
                    + " (or set VANIILA_AGENT_PORTAL)");
        }
        if (values.get("token") == null) {
            throw new IllegalArgumentException("the node token is missing: give --token T (or set VANIILA_AGENT_TOKEN);"
                    + " a platform admin issues node tokens on the portal");
        }
        return new Options(values);
    }

    static String envName(String option) {
        return "VANIILA_AGENT_" + option.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    static String usage() {
        return String.join("\n",
                "usage: java -jar vaniila.jar agent --portal URL --token T [options]",
                "",
                "Runs this machine's node agent: registers the node with the portal, runs the jobs it is given.",
                "Every option may also come from the environment: --state-dir is VANIILA_AGENT_STATE_DIR, etc.",
                "",
                "  --portal URL          the portal, e.g. http://portal:8080        (VANIILA_AGENT_PORTAL)",
                "  --token T             this node's token, issued by a platform admin (VANIILA_AGENT_TOKEN)",
                "  --node NAME           the node's name (default: the host's short name)",
                "  --state-dir DIR       where the agent keeps its state (default: ~/.vaniila/agent-NODE)",
                "  --virtual-gpus SPEC   declare GPUs instead of asking nvidia-smi, e.g. '4x rtx2080ti-11g'",
                "                        or '2x v100-16g,2x rtx2080ti-11g' (flavor = model-<GiB>g)",
                "  --cores N             cores offered to jobs (default: all)",
                "  --memory-mb M         memory offered to jobs, MiB (default: all of /proc/meminfo)",
                "  --cgroup-root DIR     cgroups for job limits, v2 or v1 (default: /sys/fs/cgroup)",
                "  --nvidia-smi CMD      the nvidia-smi command (default: nvidia-smi)",
                "",
                "Exit codes: 2 bad option, 3 token refused by the portal, 4 node setup failed.");
    }

    /**
     * Runs the role.
     *
     * @return the exit code
     */
    public static int run(String[] args) throws InterruptedException {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(usage());
            return 0;
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT%1$tz %4$s %5$s%6$s%n");
        Options options;
        URI portal;
        HttpPortalLink link;
        List<String> virtualGpus;
        try {
            options = parse(args, System.getenv());
            portal = URI.create(options.get("portal"));
            link = new HttpPortalLink(portal, options.get("token"));
            virtualGpus = VirtualGpus.parse(options.get("virtual-gpus"));
        } catch (IllegalArgumentException e) {
            System.err.println("vaniila agent: " + e.getMessage() + "\n(see: java -jar vaniila.jar agent --help)");
            return BAD_OPTION;
        }
        NodeAgent agent;
        try {
            int cores = options.integer("cores", 0);
            long memoryMb = options.integer("memory-mb", 0);
            String nvidiaSmi = options.values().getOrDefault("nvidia-smi", "nvidia-smi");
            Inventory inventory = HostDiscovery.discover(options.get("node"), portal, cores, memoryMb, virtualGpus,
                    new NvidiaSmi(nvidiaSmi));
            Path stateDir = options.get("state-dir") != null ? Path.of(options.get("state-dir"))
                    : Path.of(System.getProperty("user.home"), ".vaniila", "agent-" + inventory.node());
            AgentConfig config = AgentConfig.of(inventory, stateDir).withNvidiaSmi(nvidiaSmi);
            if (options.get("cgroup-root") != null) {
                config = config.withCgroupRoot(Path.of(options.get("cgroup-root")));
            }
            agent = NodeAgent.start(config, link);
        } catch (IllegalArgumentException e) {
            System.err.println("vaniila agent: " + e.getMessage() + "\n(see: java -jar vaniila.jar agent --help)");
            return BAD_OPTION;
        } catch (IOException e) {
            System.err.println("vaniila agent: " + e.getMessage());
            return SETUP_FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::stop, "vaniila-agent-shutdown"));
        try {
            agent.stopped().get();
            return 0;
        } catch (ExecutionException e) {
            System.err.println("vaniila agent: " + e.getCause().getMessage());
            return e.getCause() instanceof PortalRefusedException ? REFUSED : SETUP_FAILED;
        }
    }
}
