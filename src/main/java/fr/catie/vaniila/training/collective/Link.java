package fr.catie.vaniila.training.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * One TCP connection to a peer rank, in non-blocking mode so that every wait is bounded: a read
 * or write that makes no progress for longer than the timeout fails with a message naming the
 * peer, instead of hanging on a stuck process.
 *
 * <p>Thread safety: one thread may read while another writes (each direction has its own
 * selector); two concurrent readers (or writers) are not allowed.
 */
final class Link implements AutoCloseable {

    /** Longest single wait, so that a link closed by another thread is noticed promptly. */
    private static final long POLL_MILLIS = 200;

    private volatile int peerRank;
    private volatile String relation;
    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final long timeoutNanos;

    Link(int peerRank, String relation, SocketChannel channel, long timeoutNanos) throws IOException {
        this.peerRank = peerRank;
        this.relation = relation;
        this.channel = channel;
        this.timeoutNanos = timeoutNanos;
        channel.configureBlocking(false);
        channel.socket().setTcpNoDelay(true);
        readSelector = Selector.open();
        writeSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        channel.register(writeSelector, SelectionKey.OP_WRITE);
    }

    /** Names the peer once the rendezvous has told who it is. */
    void identify(int rank, String relationToThisRank) {
        this.peerRank = rank;
        this.relation = relationToThisRank;
    }

    int peerRank() {
        return peerRank;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    SocketChannel channel() {
        return channel;
    }

    /** Reads exactly {@code buffer.remaining()} bytes. */
    void readFully(ByteBuffer buffer, String during) {
        readFully(buffer, during, timeoutNanos);
    }

    /** Reads exactly {@code buffer.remaining()} bytes, failing after {@code timeout} ns without progress. */
    void readFully(ByteBuffer buffer, String during, long timeout) {
        long last = System.nanoTime();
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer);
                if (n < 0) {
                    throw closed(during);
                }
                long now = System.nanoTime();
                if (n > 0) {
                    last = now;
                    continue;
                }
                if (now - last > timeout) {
                    throw silent("sent nothing", during, timeout);
                }
                await(readSelector, Math.min(POLL_MILLIS, Math.max(1, (timeout - (now - last)) / 1_000_000)));
            }
        } catch (IOException e) {
            throw failure(e, during);
        }
    }

    /** Writes all of {@code buffer.remaining()} bytes. */
    void writeFully(ByteBuffer buffer, String during) {
        long last = System.nanoTime();
        try {
            while (buffer.hasRemaining()) {
                int n = channel.write(buffer);
                long now = System.nanoTime();
                if (n > 0) {
                    last = now;
                    continue;
                }
                if (now - last > timeoutNanos) {
                    throw silent("accepted no data", during, timeoutNanos);
                }
                await(writeSelector, Math.min(POLL_MILLIS, Math.max(1, (timeoutNanos - (now - last)) / 1_000_000)));
            }
        } catch (IOException e) {
            throw failure(e, during);
        }
    }

    private void await(Selector selector, long millis) throws IOException {
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new CollectiveException(-1, "interrupted while talking to rank " + peerRank, null);
        }
        selector.select(millis);
        selector.selectedKeys().clear();
    }

    CollectiveException closed(String during) {
        return new CollectiveException(peerRank, "rank " + peerRank + " (" + relation + ") closed its connection during "
                + during + ": that process exited, was killed, or stopped after a failure of its own", null);
    }

    CollectiveException silent(String what, String during, long timeout) {
        return new CollectiveException(peerRank, "rank " + peerRank + " (" + relation + ") " + what + " for "
                + timeout / 1_000_000_000L + " s during " + during + ": it is stuck or its node is unreachable", null);
    }

    CollectiveException failure(IOException e, String during) {
        if (!channel.isOpen()) {
            return new CollectiveException(-1, "the connection to rank " + peerRank + " (" + relation
                    + ") was closed by this process during " + during + " after another failure", e);
        }
        return new CollectiveException(peerRank, "lost the connection to rank " + peerRank + " (" + relation
                + ") during " + during + ": " + e.getMessage() + "; that process probably died", e);
    }

    @Override
    public void close() {
        try {
            channel.close();
            readSelector.close();
            writeSelector.close();
        } catch (IOException ignored) {
            // closing a broken socket may fail; nothing more to release
        }
    }
}
