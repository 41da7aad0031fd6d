package fr.catie.vaniila.training.data;

import java.util.Arrays;
import java.util.List;

/**
 * Labelled examples held in memory: {@code size()} samples of {@code sampleShape} floats each,
 * stored row after row in {@code features}, with a class index per sample.
 *
 * <p>Invariants: {@code features.length == size() * sampleLength()}, every label in
 * {@code [0, classNames.size())}. The arrays are not copied: treat them as read-only.
 *
 * @param features    sample values, row-major
 * @param labels      class index per sample
 * @param sampleShape shape of one sample: {@code {n}} for tabular data, {@code {c, h, w}} for images
 * @param classNames  name of each class, in index order
 */
public record Examples(float[] features, int[] labels, long[] sampleShape, List<String> classNames) {

    /** Checks the invariants. */
    public Examples {
        int length = (int) Arrays.stream(sampleShape).reduce(1, (a, b) -> a * b);
        if (features.length != (long) labels.length * length) {
            throw new IllegalArgumentException("features hold " + features.length + " values, expected "
                    + labels.length + " samples x " + length);
        }
        for (int label : labels) {
            if (label < 0 || label >= classNames.size()) {
                throw new IllegalArgumentException("label " + label + " outside the " + classNames.size() + " classes");
            }
        }
    }

    /** @return number of samples */
    public int size() {
        return labels.length;
    }

    /** @return number of floats in one sample */
    public int sampleLength() {
        return (int) Arrays.stream(sampleShape).reduce(1, (a, b) -> a * b);
    }

    /** @return number of classes */
    public int classes() {
        return classNames.size();
    }

    /** @return the samples at {@code indices}, in that order */
    public Examples select(int[] indices) {
        int len = sampleLength();
        float[] f = new float[indices.length * len];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(features, indices[i] * len, f, i * len, len);
            l[i] = labels[indices[i]];
        }
        return new Examples(f, l, sampleShape, classNames);
    }
}
