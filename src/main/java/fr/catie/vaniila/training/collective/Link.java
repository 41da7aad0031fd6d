package fr.catie.vaniila.training.collective;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;

/**
 * One TCP connection to a peer rank, with progress tracking so that the {@link Watchdog} can
 * close it when the peer stops sending or receiving for longer than the timeout.
 *
 * <p>Thread safety: one thread may read while another writes; two concurrent readers (or
 * writers) are not allowed.
 */
final class Link implements AutoCloseable {

    private final int peerRank;
    private final String relation;
    private final SocketChannel channel;
    /** System.nanoTime() of the last progress of a read in progress, 0 when no read is waiting. */
    private volatile long readWaitingSince;
    private volatile long writeWaitingSince;
    private volatile String timedOutReason;

    Link(int peerRank, String relation, SocketChannel channel) throws IOException {
        this.peerRank = peerRank;
        this.relation = relation;
        this.channel = channel;
        channel.configureBlocking(true);
        channel.socket().setTcpNoDelay(true);
    }

    int peerRank() {
        return peerRank;
    }

    /** Reads exactly {@code buffer.remaining()} bytes. */
    void readFully(ByteBuffer buffer, String during) {
        readWaitingSince = System.nanoTime();
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer);
                if (n < 0) {
                    throw new CollectiveException(peerRank, "rank " + peerRank + " (" + relation
                            + ") closed its connection during " + during
                            + ": that process exited, was killed, or stopped after a failure of its own", null);
                }
                readWaitingSince = System.nanoTime();
            }
        } catch (IOException e) {
            throw failure(e, during);
        } finally {
            readWaitingSince = 0;
        }
    }

    /** Writes all of {@code buffer.remaining()} bytes. */
    void writeFully(ByteBuffer buffer, String during) {
        writeWaitingSince = System.nanoTime();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
                writeWaitingSince = System.nanoTime();
            }
        } catch (IOException e) {
            throw failure(e, during);
        } finally {
            writeWaitingSince = 0;
        }
    }

    private CollectiveException failure(IOException e, String during) {
        String reason = timedOutReason;
        if (reason != null) {
            return new CollectiveException(peerRank, reason + " during " + during, e);
        }
        if (e instanceof ClosedByInterruptException || e instanceof AsynchronousCloseException) {
            return new CollectiveException(-1, "the connection to rank " + peerRank + " (" + relation
                    + ") was closed by this process during " + during + " after another failure", e);
        }
        if (e instanceof EOFException) {
            return new CollectiveException(peerRank, "rank " + peerRank + " (" + relation
                    + ") closed its connection during " + during, e);
        }
        return new CollectiveException(peerRank, "lost the connection to rank " + peerRank + " (" + relation
                + ") during " + during + ": " + e.getMessage() + "; that process probably died", e);
    }

    /**
     * Called by the watchdog: closes the link when a read or write has made no progress for longer
     * than {@code timeoutNanos}, recording why so that the blocked thread's exception says it.
     */
    void checkProgress(long now, long timeoutNanos) {
        long read = readWaitingSince;
        long write = writeWaitingSince;
        if (read != 0 && now - read > timeoutNanos) {
            expire("rank " + peerRank + " (" + relation + ") sent nothing for "
                    + timeoutNanos / 1_000_000_000L + " s: it is stuck or its node is unreachable");
        } else if (write != 0 && now - write > timeoutNanos) {
            expire("rank " + peerRank + " (" + relation + ") accepted no data for "
                    + timeoutNanos / 1_000_000_000L + " s: it is stuck or its node is unreachable");
        }
    }

    private void expire(String reason) {
        timedOutReason = reason;
        close();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a broken socket may fail; nothing more to release
        }
    }
}
