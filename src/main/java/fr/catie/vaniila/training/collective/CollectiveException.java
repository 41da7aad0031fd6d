package fr.catie.vaniila.training.collective;

/**
 * A collective operation could not complete because a peer rank died, got stuck or broke the
 * protocol. The message names the rank and says what happened, so that the job's failure reason
 * tells the user (or the admin) which process to look at.
 *
 * <p>Once thrown, the {@link Collective} that threw it is unusable: the job must stop.
 */
public final class CollectiveException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The rank whose failure caused this exception, or -1 when no single peer is to blame. */
    private final int peerRank;

    /**
     * @param peerRank the rank at fault, or -1 when unknown
     * @param message  a sentence naming the rank and what went wrong
     * @param cause    the underlying I/O error, or null
     */
    public CollectiveException(int peerRank, String message, Throwable cause) {
        super(message, cause);
        this.peerRank = peerRank;
    }

    /** @return the rank at fault, or -1 when no single peer is to blame */
    public int peerRank() {
        return peerRank;
    }
}
