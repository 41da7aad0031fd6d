package fr.catie.vaniila.training;

/**
 * Adam (Kingma and Ba, 2015) on a flat float vector: the optimizer of the {@code async}
 * parameter server, which updates parameters outside any DJL trainer. Its state (moments and
 * step count) is plain arrays so that checkpoints can hold it.
 *
 * <p>Not thread-safe: the parameter server calls it under its lock.
 */
final class FlatAdam {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final float[] mean;
    private final float[] variance;
    private long steps;

    FlatAdam(int size) {
        this(new float[size], new float[size], 0);
    }

    FlatAdam(float[] mean, float[] variance, long steps) {
        this.mean = mean;
        this.variance = variance;
        this.steps = steps;
    }

    /** Applies one update of {@code gradient} to {@code parameters} in place. */
    void apply(float[] parameters, float[] gradient, float learningRate) {
        steps++;
        double correction1 = 1 - Math.pow(BETA1, steps);
        double correction2 = 1 - Math.pow(BETA2, steps);
        float rate = (float) (learningRate * Math.sqrt(correction2) / correction1);
        for (int i = 0; i < parameters.length; i++) {
            float g = gradient[i];
            mean[i] = BETA1 * mean[i] + (1 - BETA1) * g;
            variance[i] = BETA2 * variance[i] + (1 - BETA2) * g * g;
            parameters[i] -= rate * mean[i] / ((float) Math.sqrt(variance[i]) + EPSILON);
        }
    }

    float[] mean() {
        return mean;
    }

    float[] variance() {
        return variance;
    }

    long steps() {
        return steps;
    }
}
