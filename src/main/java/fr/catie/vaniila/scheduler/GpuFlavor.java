package fr.catie.vaniila.scheduler;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kind of GPU: model and memory, written {@code model-NNg} (for example {@code rtx2080ti-11g},
 * {@code v100-16g}). Two GPUs of the same flavor are interchangeable for scheduling. Immutable; thread safe.
 *
 * @param name     the flavor name in the {@code model-NNg} form, lower case
 * @param memoryMb the GPU memory in MiB (the {@code NN} part times 1024)
 */
public record GpuFlavor(String name, int memoryMb) implements Comparable<GpuFlavor> {

    private static final Pattern FORM = Pattern.compile("([a-z0-9][a-z0-9_.]*)-([0-9]{1,4})g");

    /** Checks the name has the {@code model-NNg} form and the memory is positive. */
    public GpuFlavor {
        if (name == null || !FORM.matcher(name).matches()) {
            throw new IllegalArgumentException("GPU flavor '" + name
                    + "' is not of the form model-NNg (lower case, e.g. v100-16g or rtx2080ti-11g)");
        }
        if (memoryMb <= 0) {
            throw new IllegalArgumentException("GPU flavor " + name + " must have a positive memory, got " + memoryMb);
        }
    }

    /**
     * Parses {@code model-NNg}, e.g. {@code v100-16g} gives 16384 MiB.
     *
     * @param text the flavor name; surrounding blanks are ignored, case is folded
     * @return the flavor
     * @throws InvalidFlavor with a sentence saying what form is expected
     */
    public static GpuFlavor parse(String text) {
        String name = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        Matcher m = FORM.matcher(name);
        if (!m.matches()) {
            throw new InvalidFlavor(InvalidFlavor.Refusal.NOT_THE_FORM, text);
        }
        int gb = Integer.parseInt(m.group(2));
        if (gb == 0) {
            throw new InvalidFlavor(InvalidFlavor.Refusal.NO_MEMORY, text);
        }
        return new GpuFlavor(name, gb * 1024);
    }

    /** @return the memory in whole GB, as written in the name */
    public int memoryGb() {
        return memoryMb / 1024;
    }

    @Override
    public int compareTo(GpuFlavor other) {
        int c = Integer.compare(memoryMb, other.memoryMb);
        return c != 0 ? c : name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
