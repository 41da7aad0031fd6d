package fr.catie.vaniila.training.data;

import java.util.Random;

/**
 * A seeded split of a dataset into a training set and a held-out test set, with per-feature
 * standardisation fitted on the training set only. Every rank computes the same split from the
 * same seed, so no rank has to send data to another.
 *
 * <p>Immutable.
 *
 * @param train training examples, standardised
 * @param test  test examples, standardised with the training statistics
 */
public record TrainTestSplit(Examples train, Examples test) {

    /** Share of the examples held out for testing. */
    public static final double TEST_SHARE = 0.2;

    /**
     * @param all         every example of the dataset
     * @param seed        seed of the shuffle
     * @param standardise whether to rescale each feature to mean 0 and variance 1
     */
    public static TrainTestSplit of(Examples all, long seed, boolean standardise) {
        if (all.size() < 2) {
            throw new IllegalArgumentException("the dataset has " + all.size()
                    + " example(s); at least 2 are needed to hold one out for testing");
        }
        int[] order = permutation(all.size(), new Random(seed));
        int testSize = Math.max(1, (int) Math.round(all.size() * TEST_SHARE));
        int[] testIdx = new int[testSize];
        int[] trainIdx = new int[all.size() - testSize];
        System.arraycopy(order, 0, testIdx, 0, testSize);
        System.arraycopy(order, testSize, trainIdx, 0, trainIdx.length);
        Examples train = all.select(trainIdx);
        Examples test = all.select(testIdx);
        if (standardise) {
            int len = all.sampleLength();
            double[] mean = new double[len];
            double[] sq = new double[len];
            float[] f = train.features();
            for (int i = 0; i < train.size(); i++) {
                for (int j = 0; j < len; j++) {
                    double v = f[i * len + j];
                    mean[j] += v;
                    sq[j] += v * v;
                }
            }
            float[] shift = new float[len];
            float[] factor = new float[len];
            for (int j = 0; j < len; j++) {
                double m = mean[j] / train.size();
                double var = sq[j] / train.size() - m * m;
                shift[j] = (float) m;
                // a constant feature (a blank pixel) carries no information; leave it at 0 rather than divide by 0
                factor[j] = var > 1e-12 ? (float) (1 / Math.sqrt(var)) : 0f;
            }
            apply(train.features(), len, shift, factor);
            apply(test.features(), len, shift, factor);
        }
        return new TrainTestSplit(train, test);
    }

    private static void apply(float[] f, int len, float[] shift, float[] factor) {
        for (int i = 0; i < f.length; i++) {
            int j = i % len;
            f[i] = (f[i] - shift[j]) * factor[j];
        }
    }

    /** @return a uniformly random permutation of {@code 0..n-1} (Fisher-Yates) */
    public static int[] permutation(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * The training samples rank {@code rank} of {@code worldSize} uses in {@code epoch}: the
     * training set is shuffled with a seed derived from the epoch, then dealt round-robin, and
     * every shard cut to the same length so that all ranks take the same number of steps.
     *
     * @return indices into {@link #train()}
     */
    public int[] shard(long seed, int epoch, int rank, int worldSize) {
        int[] order = permutation(train.size(), new Random(seed * 1_000_003L + epoch));
        int per = train.size() / worldSize;
        int[] mine = new int[per];
        for (int i = 0; i < per; i++) {
            mine[i] = order[i * worldSize + rank];
        }
        return mine;
    }
}
