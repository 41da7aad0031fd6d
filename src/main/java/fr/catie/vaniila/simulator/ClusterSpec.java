package fr.catie.vaniila.simulator;

import fr.catie.vaniila.scheduler.GpuFlavor;
import fr.catie.vaniila.scheduler.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the {@code --nodes} option: groups {@code COUNTxGPUS:flavor} separated by commas, e.g.
 * {@code 250x8:v100-16g,4x4:rtx2080ti-11g}. Nodes get 4 cores and 32 GB per GPU (traces carry no CPU or memory
 * needs, so these only need to be large enough). Stateless.
 */
public final class ClusterSpec {

    private static final Pattern GROUP = Pattern.compile("([0-9]+)x([0-9]+):(.+)");

    private ClusterSpec() {
    }

    /**
     * @param spec the option value
     * @return the nodes, named {@code sim-<flavor>-<n>}
     * @throws IllegalArgumentException with the expected form
     */
    public static List<Node> parse(String spec) {
        List<Node> nodes = new ArrayList<>();
        for (String group : spec.split(",")) {
            Matcher m = GROUP.matcher(group.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("--nodes group '" + group
                        + "' is not of the form COUNTxGPUS:flavor, e.g. 250x8:v100-16g");
            }
            int count = Integer.parseInt(m.group(1));
            int gpus = Integer.parseInt(m.group(2));
            if (count < 1 || gpus < 1) {
                throw new IllegalArgumentException("--nodes group '" + group + "' needs at least 1 node and 1 GPU");
            }
            GpuFlavor flavor = GpuFlavor.parse(m.group(3));
            int start = nodes.size();
            for (int i = 1; i <= count; i++) {
                nodes.add(Node.of(String.format("sim-%s-%04d", flavor.name(), start + i), 4 * gpus, 32L * 1024 * gpus,
                        gpus, flavor));
            }
        }
        return nodes;
    }
}
