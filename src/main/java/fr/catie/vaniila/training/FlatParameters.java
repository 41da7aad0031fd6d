package fr.catie.vaniila.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import fr.catie.vaniila.training.collective.Collective;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A model's parameters (or their gradients) seen as one flat vector of floats, in the fixed
 * structural order of {@link Block#getParameters()}. Parameter ids differ between processes; the
 * structural order does not, so rank r's element i is rank s's element i.
 *
 * <p>Values are written back with {@code set(new NDIndex(":"), src)}: writing a gradient through
 * a {@code FloatBuffer} or {@code copyTo} crashed the PyTorch CPU engine (SIGSEGV).
 *
 * <p>Not thread-safe: use from the training thread.
 */
final class FlatParameters {

    private static final NDIndex ALL = new NDIndex(":");

    private final List<Parameter> parameters = new ArrayList<>();
    private final int[] offsets;
    private final int size;

    FlatParameters(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            parameters.add(p.getValue());
        }
        offsets = new int[parameters.size() + 1];
        for (int i = 0; i < parameters.size(); i++) {
            offsets[i + 1] = offsets[i] + (int) parameters.get(i).getArray().getShape().size();
        }
        size = offsets[parameters.size()];
    }

    /** @return number of floats in the flat vector */
    int size() {
        return size;
    }

    /** Copies every parameter's value into {@code dst} (floats, whole capacity). */
    void readValues(ByteBuffer dst) {
        FloatBuffer out = Collective.floats(dst);
        for (int i = 0; i < parameters.size(); i++) {
            out.put(offsets[i], parameters.get(i).getArray().toFloatArray());
        }
    }

    /** Copies every parameter's gradient into {@code dst}. */
    void readGradients(ByteBuffer dst) {
        readGradients(dst, 0, parameters.size());
    }

    /** Copies the gradients of parameters {@code from} (inclusive) to {@code to} (exclusive) into their place in {@code dst}. */
    void readGradients(ByteBuffer dst, int from, int to) {
        FloatBuffer out = Collective.floats(dst);
        for (int i = from; i < to; i++) {
            out.put(offsets[i], parameters.get(i).getArray().getGradient().toFloatArray());
        }
    }

    /** @return floats in each parameter, in structural order */
    int[] parameterSizes() {
        int[] sizes = new int[parameters.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = offsets[i + 1] - offsets[i];
        }
        return sizes;
    }

    /**
     * Sets every gradient to zero. PyTorch accumulates gradients over backward passes and only
     * {@code trainer.step()} clears them; a strategy that updates weights without it must clear them.
     */
    void zeroGradients() {
        for (Parameter p : parameters) {
            NDArray g = p.getArray().getGradient();
            g.subi(g);
        }
    }

    /** Replaces every parameter's value with the floats of {@code src}. */
    void writeValues(ByteBuffer src, NDManager manager) {
        for (int i = 0; i < parameters.size(); i++) {
            write(parameters.get(i).getArray(), src, i, manager);
        }
    }

    /** Replaces every parameter's gradient with the floats of {@code src}. */
    void writeGradients(ByteBuffer src, NDManager manager) {
        writeGradients(src, 0, parameters.size(), manager);
    }

    /** Replaces the gradients of parameters {@code from} to {@code to} (exclusive) with their floats in {@code src}. */
    void writeGradients(ByteBuffer src, int from, int to, NDManager manager) {
        for (int i = from; i < to; i++) {
            write(parameters.get(i).getArray().getGradient(), src, i, manager);
        }
    }

    private void write(NDArray target, ByteBuffer src, int i, NDManager manager) {
        float[] values = new float[offsets[i + 1] - offsets[i]];
        Collective.floats(src).get(offsets[i], values);
        try (NDArray array = manager.create(values, target.getShape())) {
            target.set(ALL, array);
        }
    }

    /** @return a CRC-32 of the bit patterns of all values: equal on two ranks iff their weights are (barring collisions) identical */
    long digest() {
        ByteBuffer all = ByteBuffer.allocate(size * Float.BYTES);
        readValues(all);
        CRC32 crc = new CRC32();
        crc.update(all.array());
        return crc.getValue();
    }

    /** Copies the floats of a buffer into an array. */
    static float[] toArray(ByteBuffer buffer) {
        float[] out = new float[buffer.capacity() / Float.BYTES];
        Collective.floats(buffer).get(0, out);
        return out;
    }

    /** Copies an array into the floats of a buffer. */
    static void fromArray(float[] values, ByteBuffer buffer) {
        Collective.floats(buffer).put(0, values);
    }
}
