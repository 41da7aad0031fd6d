package fr.catie.vaniila.training;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The family of distributed gradient descent a training job uses. The wire name is what users
 * write in the job request ({@code "strategy":"local-sgd"}).
 */
public enum Strategy {
    /** Gradients averaged by ring all-reduce every step; all ranks hold identical weights. */
    SYNC("sync"),
    /** A parameter server on rank 0 applies each worker's gradient as it arrives (stale-synchronous parallel). */
    ASYNC("async"),
    /** D-PSGD: after each local step, parameters are averaged with the two ring neighbours only. */
    DECENTRALIZED("decentralized"),
    /** Local steps, parameters averaged over all ranks every H steps. */
    LOCAL_SGD("local-sgd");

    private final String wireName;

    Strategy(String wireName) {
        this.wireName = wireName;
    }

    /** @return the name used in job requests and on the command line */
    public String wireName() {
        return wireName;
    }

    /** @return the strategy with this wire name, if any */
    public static Optional<Strategy> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }

    /** @return the accepted wire names, for error messages */
    public static String choices() {
        return Arrays.stream(values()).map(Strategy::wireName).collect(Collectors.joining(", "));
    }
}
