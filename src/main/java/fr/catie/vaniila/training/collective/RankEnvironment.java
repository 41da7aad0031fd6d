package fr.catie.vaniila.training.collective;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where this process sits in a multi-rank job, read from the variables every launcher sets
 * ({@code torchrun}, the Vaniila agent): {@code MASTER_ADDR}, {@code MASTER_PORT},
 * {@code WORLD_SIZE}, {@code RANK}.
 *
 * <p>Invariants: {@code 0 <= rank < worldSize}, {@code 1 <= masterPort <= 65535}. Immutable.
 *
 * @param masterAddress host name or address of rank 0, where every rank first connects
 * @param masterPort    TCP port rank 0 listens on for the rendezvous
 * @param worldSize     number of ranks in the job
 * @param rank          this process's rank
 */
public record RankEnvironment(String masterAddress, int masterPort, int worldSize, int rank) {

    /** Checks the invariants; throws with a message naming the variable to fix. */
    public RankEnvironment {
        if (worldSize < 1) {
            throw new IllegalArgumentException("WORLD_SIZE must be at least 1, got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException(
                    "RANK must be between 0 and WORLD_SIZE-1 (" + (worldSize - 1) + "), got " + rank);
        }
        if (masterPort < 1 || masterPort > 65535) {
            throw new IllegalArgumentException("MASTER_PORT must be a TCP port (1-65535), got " + masterPort);
        }
        if (masterAddress == null || masterAddress.isBlank()) {
            throw new IllegalArgumentException("MASTER_ADDR must name the host of rank 0");
        }
    }

    /** A one-rank job: no peers, the collective operations are no-ops. */
    public static RankEnvironment single() {
        return new RankEnvironment("127.0.0.1", 29500, 1, 0);
    }

    /**
     * Reads the launcher's variables. With none of them set the job is a single rank; with some
     * set, all four must be present and well-formed.
     *
     * @param env the process environment, e.g. {@code System.getenv()}
     * @throws IllegalArgumentException naming every missing or malformed variable
     */
    public static RankEnvironment fromEnvironment(Map<String, String> env) {
        String[] names = {"MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "RANK"};
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (env.get(name) == null || env.get(name).isBlank()) {
                missing.add(name);
            }
        }
        if (missing.size() == names.length) {
            return single();
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("a multi-rank training job needs MASTER_ADDR, MASTER_PORT, "
                    + "WORLD_SIZE and RANK; missing: " + String.join(", ", missing));
        }
        return new RankEnvironment(env.get("MASTER_ADDR").trim(), parse(env, "MASTER_PORT"),
                parse(env, "WORLD_SIZE"), parse(env, "RANK"));
    }

    private static int parse(Map<String, String> env, String name) {
        try {
            return Integer.parseInt(env.get(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + env.get(name) + "'", e);
        }
    }

    /** @return the rank that sends to this one in the ring */
    public int leftNeighbour() {
        return Math.floorMod(rank - 1, worldSize);
    }

    /** @return the rank this one sends to in the ring */
    public int rightNeighbour() {
        return Math.floorMod(rank + 1, worldSize);
    }
}
