package fr.catie.vaniila.training;

import java.util.ArrayList;
import java.util.List;

/**
 * Whole parameters packed, in their fixed structural order, into buckets of at most a given size
 * (a parameter larger than that gets a bucket of its own). Every rank computes the same buckets
 * from the same model, so bucket k is the same slice of the flat gradient everywhere. Buckets let
 * one bucket be all-reduced while the next is copied out of the engine.
 *
 * <p>Immutable.
 *
 * @param buckets the buckets, in order, covering every parameter once
 */
record GradientBuckets(List<Bucket> buckets) {

    /**
     * A run of consecutive parameters.
     *
     * @param firstParameter index of its first parameter in structural order
     * @param endParameter   index after its last parameter
     * @param offset         offset of its first float in the flat vector
     * @param length         number of floats
     */
    record Bucket(int firstParameter, int endParameter, int offset, int length) {
    }

    GradientBuckets {
        buckets = List.copyOf(buckets);
    }

    /**
     * @param parameterSizes floats in each parameter, in structural order
     * @param bucketFloats   most floats in a bucket of several parameters
     */
    static GradientBuckets pack(int[] parameterSizes, int bucketFloats) {
        if (bucketFloats < 1) {
            throw new IllegalArgumentException("a bucket must hold at least one float, got " + bucketFloats);
        }
        List<Bucket> buckets = new ArrayList<>();
        int first = 0;
        int offset = 0;
        int length = 0;
        for (int p = 0; p < parameterSizes.length; p++) {
            if (length > 0 && length + parameterSizes[p] > bucketFloats) {
                buckets.add(new Bucket(first, p, offset, length));
                first = p;
                offset += length;
                length = 0;
            }
            length += parameterSizes[p];
        }
        if (parameterSizes.length > 0) {
            buckets.add(new Bucket(first, parameterSizes.length, offset, length));
        }
        return new GradientBuckets(buckets);
    }
}
