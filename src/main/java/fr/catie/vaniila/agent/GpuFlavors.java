package fr.catie.vaniila.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rule that names a GPU's flavor from its model and memory, so that the same card gets the same flavor on
 * every node and in the scheduler's inventory.
 *
 * <p>The rule: lower-case the model name, split it on spaces and '-', drop the vendor and brand words
 * ({@code nvidia geforce tesla quadro}), keep the following words up to the first one that describes packaging
 * rather than the chip (a memory size like {@code 80gb}, {@code sxm*}, {@code pcie}, {@code hbm*}, {@code nvl},
 * {@code mig}), join them without separator, then append {@code -<GiB>g} with the memory rounded to the nearest
 * GiB. Examples: {@code NVIDIA H100 80GB HBM3}, 81559 MiB: {@code h100-80g}; {@code NVIDIA GeForce RTX 2080 Ti},
 * 11264 MiB: {@code rtx2080ti-11g}; {@code Tesla V100-SXM2-16GB}, 16160 MiB: {@code v100-16g};
 * {@code NVIDIA A100-SXM4-40GB}, 40960 MiB: {@code a100-40g}. Stateless, thread-safe.
 */
public final class GpuFlavors {

    private static final Set<String> BRAND_WORDS = Set.of("nvidia", "geforce", "tesla", "quadro");

    private GpuFlavors() {
    }

    /**
     * The flavor of a GPU.
     *
     * @param model    the model name as nvidia-smi prints it
     * @param memoryMb the total memory in MiB
     * @return e.g. {@code h100-80g}
     */
    public static String flavorOf(String model, long memoryMb) {
        List<String> kept = new ArrayList<>();
        for (String word : model.toLowerCase(Locale.ROOT).split("[\\s-]+")) {
            if (word.isEmpty() || BRAND_WORDS.contains(word)) {
                continue;
            }
            if (isPackagingWord(word)) {
                break;
            }
            kept.add(word.replaceAll("[^a-z0-9]", ""));
        }
        String chip = String.join("", kept);
        if (chip.isEmpty()) {
            chip = "gpu";
        }
        long gib = Math.max(1, Math.round(memoryMb / 1024.0));
        return chip + "-" + gib + "g";
    }

    /** The memory, MiB, a flavor name promises ({@code 11} GiB for {@code rtx2080ti-11g}), or -1 if it has none. */
    static long memoryMbOf(String flavor) {
        int dash = flavor.lastIndexOf('-');
        if (dash < 0 || !flavor.endsWith("g")) {
            return -1;
        }
        String digits = flavor.substring(dash + 1, flavor.length() - 1);
        if (!digits.matches("\\d{1,4}")) {
            return -1;
        }
        return Long.parseLong(digits) * 1024;
    }

    private static boolean isPackagingWord(String word) {
        return word.matches("\\d+(gb|g)") || word.startsWith("sxm") || word.equals("pcie") || word.startsWith("hbm")
                || word.equals("nvl") || word.equals("mig") || word.equals("nvlink");
    }
}
