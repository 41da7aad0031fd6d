package fr.catie.vaniila.scheduler;

/**
 * What kind of GPU a job accepts. Immutable values; thread safe.
 */
public sealed interface GpuConstraint {

    /** Any GPU flavor the queue allows. */
    GpuConstraint ANY = new AnyFlavor();

    /** @return true when GPUs of {@code flavor} satisfy this constraint */
    boolean accepts(GpuFlavor flavor);

    /** @return how a sentence names the accepted GPUs, e.g. {@code v100-16g} or {@code GPU with >= 16 GB} */
    String describe();

    /** Any flavor. */
    record AnyFlavor() implements GpuConstraint {
        @Override
        public boolean accepts(GpuFlavor flavor) {
            return true;
        }

        @Override
        public String describe() {
            return "GPU";
        }
    }

    /**
     * Exactly one flavor.
     *
     * @param flavor the flavor required
     */
    record ExactFlavor(GpuFlavor flavor) implements GpuConstraint {
        @Override
        public boolean accepts(GpuFlavor candidate) {
            return flavor.name().equals(candidate.name());
        }

        @Override
        public String describe() {
            return flavor.name();
        }
    }

    /**
     * Any flavor with at least this much memory.
     *
     * @param memoryMb the minimum GPU memory in MiB, positive
     */
    record MinMemory(int memoryMb) implements GpuConstraint {
        /** Checks the minimum is positive. */
        public MinMemory {
            if (memoryMb <= 0) {
                throw new IllegalArgumentException("minimum GPU memory must be positive, got " + memoryMb + " MiB");
            }
        }

        @Override
        public boolean accepts(GpuFlavor flavor) {
            return flavor.memoryMb() >= memoryMb;
        }

        /** The English of {@code ReasonDetail.GPU_WITH_MEMORY}, which the pages say in the user's language. */
        @Override
        public String describe() {
            return "GPU with >= " + (memoryMb / 1024) + " GB";
        }
    }
}
