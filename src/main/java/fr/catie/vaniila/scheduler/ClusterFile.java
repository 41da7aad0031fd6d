package fr.catie.vaniila.scheduler;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A cluster inventory file (YAML): nodes and, optionally, queues. The built-in {@code catie} file ships in the
 * jar under {@code clusters/}. The format is described at the top of {@code clusters/catie.yml}.
 * Immutable; thread safe.
 *
 * @param name   the cluster's name
 * @param nodes  its nodes, all UP unless the file says otherwise
 * @param queues its queues, empty when the file declares none
 */
public record ClusterFile(String name, List<Node> nodes, List<Queue> queues) {

    private static final Pattern DURATION = Pattern.compile("([0-9]+)\\s*(s|m|h|d)");

    /** Copies the lists. */
    public ClusterFile {
        nodes = List.copyOf(nodes);
        queues = List.copyOf(queues);
    }

    /**
     * Loads a built-in cluster file by name, e.g. {@code catie}.
     *
     * @param builtIn the name
     * @return the cluster
     * @throws IllegalArgumentException when there is no such built-in file, or it is invalid
     */
    public static ClusterFile load(String builtIn) {
        String resource = "clusters/" + builtIn + ".yml";
        try (InputStream in = ClusterFile.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no built-in cluster '" + builtIn
                        + "'; the built-in one is 'catie', or give the path of a .yml file");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read built-in cluster " + resource + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param file a cluster YAML file
     * @return the cluster
     * @throws IllegalArgumentException naming the file and the wrong entry
     */
    public static ClusterFile load(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[8192];
            for (int n; (n = r.read(buf)) > 0;) {
                sb.append(buf, 0, n);
            }
            return parse(sb.toString(), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read cluster file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param yaml   the file's text
     * @param source where it came from, for messages
     * @return the cluster
     * @throws IllegalArgumentException naming the source and the wrong entry
     */
    public static ClusterFile parse(String yaml, String source) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        Map<?, ?> top = map(root, source, "the top level");
        known(top, source, "the top level", Set.of("name", "nodes", "queues"));
        String name = top.containsKey("name") ? string(top.get("name"), source, "name") : source;
        List<Node> nodes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<?> nodeList = list(top.get("nodes"), source, "nodes");
        if (nodeList.isEmpty()) {
            throw new IllegalArgumentException(source + ": 'nodes' is empty; declare at least one node");
        }
        for (int i = 0; i < nodeList.size(); i++) {
            String where = "nodes[" + i + "]";
            Map<?, ?> n = map(nodeList.get(i), source, where);
            known(n, source, where, Set.of("name", "prefix", "count", "cores", "memory_gb", "gpus", "flavor", "state"));
            int cores = integer(n.get("cores"), source, where + ".cores");
            long memoryMb = integer(n.get("memory_gb"), source, where + ".memory_gb") * 1024L;
            int gpus = n.containsKey("gpus") ? integer(n.get("gpus"), source, where + ".gpus") : 0;
            GpuFlavor flavor = null;
            if (gpus > 0) {
                try {
                    flavor = GpuFlavor.parse(string(n.get("flavor"), source, where + ".flavor"));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(source + ": " + where + ".flavor: " + e.getMessage(), e);
                }
            }
            NodeState state = NodeState.UP;
            if (n.containsKey("state")) {
                String s = string(n.get("state"), source, where + ".state").toUpperCase(java.util.Locale.ROOT);
                try {
                    state = NodeState.valueOf(s);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(source + ": " + where + ".state '" + s
                            + "' is not one of UP, DRAINING, DRAINED, DOWN", e);
                }
            }
            List<String> nodeNames = new ArrayList<>();
            if (n.containsKey("name") == n.containsKey("prefix")) {
                throw new IllegalArgumentException(source + ": " + where
                        + " needs either 'name' (one node) or 'prefix' and 'count' (a group)");
            }
            if (n.containsKey("name")) {
                nodeNames.add(string(n.get("name"), source, where + ".name"));
            } else {
                String prefix = string(n.get("prefix"), source, where + ".prefix");
                int count = integer(n.get("count"), source, where + ".count");
                for (int k = 1; k <= count; k++) {
                    nodeNames.add(prefix + "-" + k);
                }
            }
            for (String nodeName : nodeNames) {
                if (!names.add(nodeName)) {
                    throw new IllegalArgumentException(source + ": node " + nodeName + " is declared twice");
                }
                List<GpuFlavor> list = gpus == 0 ? List.of() : Collections.nCopies(gpus, flavor);
                nodes.add(new Node(new NodeName(nodeName), cores, memoryMb, list, state));
            }
        }
        List<Queue> queues = new ArrayList<>();
        if (top.containsKey("queues")) {
            List<?> queueList = list(top.get("queues"), source, "queues");
            for (int i = 0; i < queueList.size(); i++) {
                String where = "queues[" + i + "]";
                Map<?, ?> q = map(queueList.get(i), source, where);
                known(q, source, where, Set.of("name", "default_walltime", "max_walltime", "max_gpus_per_job", "tier",
                        "preemptible", "nodes", "flavors", "orgs"));
                try {
                    Duration max = duration(q.get("max_walltime"), source, where + ".max_walltime");
                    Duration def = q.containsKey("default_walltime")
                            ? duration(q.get("default_walltime"), source, where + ".default_walltime") : max;
                    Set<NodeName> qNodes = new LinkedHashSet<>();
                    for (String s : strings(q.get("nodes"), source, where + ".nodes")) {
                        if (!names.contains(s)) {
                            throw new IllegalArgumentException(where + ".nodes names unknown node " + s);
                        }
                        qNodes.add(new NodeName(s));
                    }
                    Set<OrgName> orgs = new LinkedHashSet<>();
                    for (String s : strings(q.get("orgs"), source, where + ".orgs")) {
                        orgs.add(new OrgName(s));
                    }
                    Set<String> flavors = new LinkedHashSet<>();
                    for (String s : strings(q.get("flavors"), source, where + ".flavors")) {
                        flavors.add(GpuFlavor.parse(s).name());
                    }
                    queues.add(new Queue(new QueueName(string(q.get("name"), source, where + ".name")), qNodes,
                            flavors, def, max, integer(q.get("max_gpus_per_job"), source, where + ".max_gpus_per_job"),
                            q.containsKey("tier") ? integer(q.get("tier"), source, where + ".tier") : 1,
                            Boolean.TRUE.equals(q.get("preemptible")), orgs));
                } catch (IllegalArgumentException e) {
                    if (e.getMessage().startsWith(source)) {
                        throw e;
                    }
                    throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
                }
            }
        }
        return new ClusterFile(name, nodes, queues);
    }

    /** @return total GPUs */
    public int gpuCount() {
        int n = 0;
        for (Node node : nodes) {
            n += node.gpus().size();
        }
        return n;
    }

    private static void known(Map<?, ?> m, String source, String where, Set<String> keys) {
        for (Object k : m.keySet()) {
            if (!keys.contains(String.valueOf(k))) {
                throw new IllegalArgumentException(source + ": unknown key '" + k + "' in " + where + "; known keys: "
                        + String.join(", ", new java.util.TreeSet<>(keys)));
            }
        }
    }

    private static Map<?, ?> map(Object o, String source, String where) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(source + ": " + where + " must be a mapping (key: value lines)");
        }
        return m;
    }

    private static List<?> list(Object o, String source, String where) {
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException(source + ": '" + where + "' must be a list (lines starting with '- ')");
        }
        return l;
    }

    private static Collection<String> strings(Object o, String source, String where) {
        if (o == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object e : list(o, source, where)) {
            out.add(string(e, source, where));
        }
        return out;
    }

    private static String string(Object o, String source, String where) {
        if (o == null || String.valueOf(o).isBlank()) {
            throw new IllegalArgumentException(source + ": " + where + " is missing");
        }
        return String.valueOf(o).trim();
    }

    private static int integer(Object o, String source, String where) {
        if (!(o instanceof Integer i) || i < 0) {
            throw new IllegalArgumentException(source + ": " + where + " must be a whole number >= 0, got "
                    + (o == null ? "nothing" : "'" + o + "'"));
        }
        return i;
    }

    private static Duration duration(Object o, String source, String where) {
        Matcher m = DURATION.matcher(string(o, source, where));
        if (!m.matches()) {
            throw new IllegalArgumentException(source + ": " + where + " '" + o
                    + "' is not a duration such as 30s, 15m, 4h or 7d");
        }
        long v = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "s":
                return Duration.ofSeconds(v);
            case "m":
                return Duration.ofMinutes(v);
            case "h":
                return Duration.ofHours(v);
            default:
                return Duration.ofDays(v);
        }
    }
}
