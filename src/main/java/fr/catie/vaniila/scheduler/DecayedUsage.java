package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * GPU-seconds consumed by an organisation, where each past second counts half as much per half-life elapsed.
 * The accounting side keeps it up to date with {@link #plus}; the core decays it to the cycle's time.
 * Immutable; thread safe.
 *
 * @param gpuSeconds the decayed usage at {@code asOf}
 * @param asOf       when the value was computed
 */
public record DecayedUsage(double gpuSeconds, Instant asOf) {

    /** Checks the value is finite and not negative. */
    public DecayedUsage {
        Objects.requireNonNull(asOf, "asOf");
        if (!(gpuSeconds >= 0) || Double.isInfinite(gpuSeconds)) {
            throw new IllegalArgumentException("decayed usage must be a finite non-negative number, got " + gpuSeconds);
        }
    }

    /** @param at the time @return no usage as of {@code at} */
    public static DecayedUsage none(Instant at) {
        return new DecayedUsage(0, at);
    }

    /**
     * @param at       a time not before {@code asOf}
     * @param halfLife the half-life
     * @return the usage decayed to {@code at}
     */
    public double at(Instant at, Duration halfLife) {
        double dt = Duration.between(asOf, at).toMillis() / 1000.0;
        if (dt <= 0) {
            return gpuSeconds;
        }
        return gpuSeconds * Math.pow(0.5, dt / (halfLife.toMillis() / 1000.0));
    }

    /**
     * Decays to {@code at} and adds usage of {@code gpus} GPUs held during the interval, integrated exactly
     * under the decay so that the result does not depend on how often it is called.
     *
     * @param at       the end of the interval
     * @param gpus     GPUs held during [asOf, at]
     * @param halfLife the half-life
     * @return the new value
     */
    public DecayedUsage plus(Instant at, int gpus, Duration halfLife) {
        double dt = Duration.between(asOf, at).toMillis() / 1000.0;
        if (dt <= 0) {
            return this;
        }
        double h = halfLife.toMillis() / 1000.0;
        double lambda = Math.log(2) / h;
        double decay = Math.exp(-lambda * dt);
        double added = gpus * (1 - decay) / lambda;
        return new DecayedUsage(gpuSeconds * decay + added, at);
    }
}
