package fr.catie.vaniila.training.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The collective layer of a data-parallel job: one instance per rank (one JVM per rank), joined
 * over TCP with JDK NIO. It gives the operations the training strategies need:
 * <ul>
 *   <li>{@link #allReduce}: ring all-reduce (reduce-scatter then all-gather), each segment sent in
 *   chunks over non-blocking sockets: the calling thread reduces a received chunk while the kernel
 *   carries the next ones in both directions, so reduction overlaps the wire. One thread, no
 *   hand-offs: on shared, oversubscribed cores a context switch per chunk costs more than it saves;</li>
 *   <li>{@link #broadcast} from rank 0 and {@link #barrier}, over the star of rendezvous links;</li>
 *   <li>{@link #neighbourAverage}: D-PSGD gossip with the two ring neighbours, no global barrier;</li>
 *   <li>{@link #send}/{@link #receive}: point-to-point between rank 0 and any rank (the parameter
 *   server's channel).</li>
 * </ul>
 *
 * <p>Buffers are direct {@link ByteBuffer}s in native order holding floats ({@link #allocate});
 * operations use the whole buffer from 0 to its capacity. Every rank must call the same
 * collective operations in the same order with buffers of the same size.
 *
 * <p>Failure: a peer that exits makes its neighbours fail at once (end of stream or reset); a
 * peer that makes no progress for longer than the timeout is given up on (every wait is a bounded
 * select on non-blocking sockets). Either way the
 * operation throws {@link CollectiveException} naming the rank, and ranks waiting on a failed
 * rank fail in turn when it exits: the whole job fails, never hangs.
 *
 * <p>Thread safety: collective operations must be called from one thread at a time.
 * {@link #send}/{@link #receive} with different peers may be called concurrently (one thread
 * per peer), which is how rank 0's parameter server serves its workers.
 */
public final class Collective implements AutoCloseable {

    private static final int MAGIC = 0x56414e49; // "VANI"
    /** Size of the pieces a ring segment is sent in: small enough to pipeline, large enough to keep syscalls few. */
    static final int DEFAULT_CHUNK_BYTES = 1024 * 1024;
    private static final long POLL_MILLIS = 200;

    private final RankEnvironment env;
    private final Link right;
    private final Link left;
    /** On rank 0: index r holds the link to rank r (null at 0). On others: index 0 holds the link to rank 0. */
    private final Link[] star;
    private final int chunkBytes;
    private final long timeoutNanos;
    /** Waits for the ring links in the single-threaded pump of the all-reduce and neighbour averaging. */
    private final Selector ring;
    private final SelectionKey leftKey;
    private final SelectionKey rightKey;
    private ByteBuffer scratch;
    private ByteBuffer fromLeft;
    private ByteBuffer fromRight;
    private volatile boolean broken;

    private Collective(RankEnvironment env, Link right, Link left, Link[] star, int chunkBytes, long timeoutNanos)
            throws IOException {
        this.env = env;
        this.right = right;
        this.left = left;
        this.star = star;
        this.chunkBytes = chunkBytes;
        this.timeoutNanos = timeoutNanos;
        if (right != null) {
            ring = Selector.open();
            leftKey = left.channel().register(ring, 0);
            rightKey = right.channel().register(ring, 0);
        } else {
            ring = null;
            leftKey = null;
            rightKey = null;
        }
    }

    /** Allocates a buffer of {@code floats} floats that the operations accept (direct, native order). */
    public static ByteBuffer allocate(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
    }

    /**
     * @return a float view of the whole of {@code buffer} (0 to capacity) in its byte order,
     *         whatever its position and limit
     */
    public static FloatBuffer floats(ByteBuffer buffer) {
        return buffer.duplicate().clear().order(buffer.order()).asFloatBuffer();
    }

    /**
     * Joins the job: rendezvous at rank 0 ({@code MASTER_ADDR:MASTER_PORT}), exchange of every
     * rank's data address, then the ring connections. Returns when every rank has joined.
     *
     * @param env         this rank's place in the job
     * @param joinTimeout how long to wait for every rank to join (JVM start and engine load included)
     * @param timeout     how long any later operation may wait on a silent peer before failing
     * @throws CollectiveException naming the rank that did not join, or when rank 0 is unreachable
     */
    public static Collective join(RankEnvironment env, Duration joinTimeout, Duration timeout) throws IOException {
        return join(env, joinTimeout, timeout, DEFAULT_CHUNK_BYTES);
    }

    static Collective join(RankEnvironment env, Duration joinTimeout, Duration timeout, int chunkBytes)
            throws IOException {
        int n = env.worldSize();
        long timeoutNanos = timeout.toNanos();
        if (n == 1) {
            return new Collective(env, null, null, new Link[1], chunkBytes, timeoutNanos);
        }
        long deadline = System.nanoTime() + joinTimeout.toNanos();
        List<Link> opened = new ArrayList<>();
        try (ServerSocketChannel data = ServerSocketChannel.open()) {
            data.bind(new InetSocketAddress(0));
            int dataPort = data.socket().getLocalPort();
            Link[] star = new Link[n];
            String[] hosts = new String[n];
            int[] ports = new int[n];
            if (env.rank() == 0) {
                hosts[0] = env.masterAddress();
                ports[0] = dataPort;
                try (ServerSocketChannel master = ServerSocketChannel.open()) {
                    master.socket().setReuseAddress(true);
                    master.bind(new InetSocketAddress(env.masterPort()));
                    acceptWorkers(env, master, star, hosts, ports, deadline, joinTimeout, opened, timeoutNanos);
                }
                ByteBuffer table = ByteBuffer.allocate(8 + n * 300);
                table.putInt(MAGIC);
                for (int r = 0; r < n; r++) {
                    byte[] host = hosts[r].getBytes(StandardCharsets.UTF_8);
                    table.putInt(host.length).put(host).putInt(ports[r]);
                }
                table.flip();
                for (int r = 1; r < n; r++) {
                    star[r].writeFully(table.duplicate(), "rendezvous");
                }
            } else {
                SocketChannel channel = connectWithRetry(env.masterAddress(), env.masterPort(), deadline, joinTimeout,
                        "could not reach rank 0 at " + env.masterAddress() + ":" + env.masterPort());
                Link toRoot = new Link(0, "rank 0", channel, timeoutNanos);
                opened.add(toRoot);
                star[0] = toRoot;
                byte[] self = ((InetSocketAddress) channel.getLocalAddress()).getAddress().getHostAddress()
                        .getBytes(StandardCharsets.UTF_8);
                ByteBuffer hello = ByteBuffer.allocate(20 + self.length);
                hello.putInt(MAGIC).putInt(env.rank()).putInt(n).putInt(dataPort).putInt(self.length).put(self).flip();
                toRoot.writeFully(hello, "rendezvous");
                ByteBuffer magic = ByteBuffer.allocate(4);
                readWithDeadline(toRoot, magic, deadline, joinTimeout);
                if (magic.getInt(0) != MAGIC) {
                    throw new CollectiveException(0, "rank 0 rejected this rank (RANK=" + env.rank() + ", WORLD_SIZE="
                            + n + "): check that every rank got the same WORLD_SIZE and a distinct RANK", null);
                }
                for (int r = 0; r < n; r++) {
                    ByteBuffer len = ByteBuffer.allocate(4);
                    toRoot.readFully(len, "rendezvous");
                    ByteBuffer host = ByteBuffer.allocate(len.getInt(0) + 4);
                    toRoot.readFully(host, "rendezvous");
                    host.flip();
                    byte[] h = new byte[host.remaining() - 4];
                    host.get(h);
                    hosts[r] = r == 0 ? env.masterAddress() : new String(h, StandardCharsets.UTF_8);
                    ports[r] = host.getInt();
                }
            }
            int rightRank = env.rightNeighbour();
            SocketChannel toRight = connectWithRetry(hosts[rightRank], ports[rightRank], deadline, joinTimeout,
                    "could not connect to rank " + rightRank + " at " + hosts[rightRank] + ":" + ports[rightRank]);
            Link right = new Link(rightRank, "right ring neighbour", toRight, timeoutNanos);
            opened.add(right);
            right.writeFully(ByteBuffer.allocate(8).putInt(MAGIC).putInt(env.rank()).flip(), "ring set-up");
            SocketChannel fromLeft = acceptOne(data, deadline, "rank " + env.leftNeighbour()
                    + " (left ring neighbour) did not connect within " + joinTimeout.toSeconds() + " s", env.leftNeighbour());
            Link left = new Link(env.leftNeighbour(), "left ring neighbour", fromLeft, timeoutNanos);
            opened.add(left);
            ByteBuffer who = ByteBuffer.allocate(8);
            readWithDeadline(left, who, deadline, joinTimeout);
            if (who.getInt(0) != MAGIC || who.getInt(4) != env.leftNeighbour()) {
                throw new CollectiveException(env.leftNeighbour(), "ring set-up: expected rank " + env.leftNeighbour()
                        + " to connect, got a connection claiming rank " + who.getInt(4), null);
            }
            Collective collective = new Collective(env, right, left, star, chunkBytes, timeoutNanos);
            collective.barrier();
            return collective;
        } catch (IOException | RuntimeException e) {
            opened.forEach(Link::close);
            throw e;
        }
    }

    private static void acceptWorkers(RankEnvironment env, ServerSocketChannel master, Link[] star, String[] hosts,
            int[] ports, long deadline, Duration joinTimeout, List<Link> opened, long timeoutNanos) throws IOException {
        int n = env.worldSize();
        TreeSet<Integer> missing = new TreeSet<>();
        for (int r = 1; r < n; r++) {
            missing.add(r);
        }
        while (!missing.isEmpty()) {
            SocketChannel channel = acceptOne(master, deadline, null, -1);
            if (channel == null) {
                throw new CollectiveException(missing.first(), "rank" + (missing.size() > 1 ? "s " : " ")
                        + missing + " did not join within " + joinTimeout.toSeconds()
                        + " s: they failed to start, or were given another MASTER_ADDR/MASTER_PORT", null);
            }
            Link link = new Link(-1, "joining rank", channel, timeoutNanos);
            ByteBuffer head = ByteBuffer.allocate(20);
            readWithDeadline(link, head, deadline, joinTimeout);
            int magic = head.getInt(0);
            int rank = head.getInt(4);
            int world = head.getInt(8);
            if (magic != MAGIC) {
                link.close();
                continue; // a stray connection (port scanner, health check): not a rank
            }
            if (world != n || rank < 1 || rank >= n || !missing.contains(rank)) {
                link.writeFully(ByteBuffer.allocate(4).putInt(0).flip(), "rendezvous");
                link.close();
                throw new CollectiveException(rank, "a process joined as RANK=" + rank + " with WORLD_SIZE=" + world
                        + " but this job has WORLD_SIZE=" + n + (missing.contains(rank) || rank < 1 || rank >= n
                        ? "" : " and rank " + rank + " already joined")
                        + ": give every rank the same WORLD_SIZE and a distinct RANK from 0 to " + (n - 1), null);
            }
            ByteBuffer host = ByteBuffer.allocate(head.getInt(16));
            readWithDeadline(link, host, deadline, joinTimeout);
            hosts[rank] = new String(host.array(), StandardCharsets.UTF_8);
            ports[rank] = head.getInt(12);
            link.identify(rank, "rank " + rank);
            opened.add(link);
            star[rank] = link;
            missing.remove(rank);
        }
    }

    /** Reads during the rendezvous, bounded by the join deadline rather than the operation timeout. */
    private static void readWithDeadline(Link link, ByteBuffer buffer, long deadline, Duration joinTimeout) {
        link.readFully(buffer, "rendezvous (join timeout " + joinTimeout.toSeconds() + " s)",
                Math.max(1, deadline - System.nanoTime()));
    }

    private static SocketChannel acceptOne(ServerSocketChannel server, long deadline, String timeoutMessage, int rank)
            throws IOException {
        server.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (timeoutMessage == null) {
                        return null;
                    }
                    throw new CollectiveException(rank, timeoutMessage, null);
                }
                selector.select(Math.max(1, left / 1_000_000));
                SocketChannel channel = server.accept();
                if (channel != null) {
                    return channel;
                }
            }
        }
    }

    private static SocketChannel connectWithRetry(String host, int port, long deadline, Duration joinTimeout,
            String failure) throws IOException {
        IOException last = null;
        while (System.nanoTime() < deadline) {
            SocketChannel channel = SocketChannel.open();
            try {
                channel.socket().connect(new InetSocketAddress(host, port), 2_000);
                return channel;
            } catch (IOException e) {
                last = e;
                channel.close();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while joining", ie);
                }
            }
        }
        throw new CollectiveException(0, failure + " within " + joinTimeout.toSeconds() + " s ("
                + (last == null ? "timed out" : last.getMessage()) + "): check MASTER_ADDR/MASTER_PORT and that rank 0 started",
                last);
    }

    /** @return this process's rank */
    public int rank() {
        return env.rank();
    }

    /** @return number of ranks in the job */
    public int worldSize() {
        return env.worldSize();
    }

    /** Reduction applied by {@link #allReduce}. */
    public enum Reduction {
        /** Element-wise sum over ranks. */
        SUM,
        /** Element-wise mean over ranks; every rank receives bit-identical values. */
        AVERAGE
    }

    /**
     * Ring all-reduce of the floats in {@code data} (whole capacity), in place. After the call
     * every rank holds the same values, bit for bit: each segment is reduced on one rank in one
     * fixed order and then copied around the ring.
     */
    public void allReduce(ByteBuffer data, Reduction reduction) {
        checkUsable();
        int n = env.worldSize();
        if (n == 1) {
            return;
        }
        int floats = data.capacity() / Float.BYTES;
        int r = env.rank();
        // What arrives from the left, in order: N-1 reduce-scatter steps then N-1 all-gather steps.
        List<long[]> received = new ArrayList<>(); // {offsetFloats, lengthFloats, reduce?1:0, lastReduceStep?1:0}
        for (int step = 0; step < 2 * (n - 1); step++) {
            boolean reduce = step < n - 1;
            int seg = reduce ? Math.floorMod(r - step - 1, n) : Math.floorMod(r - (step - (n - 1)), n);
            addChunks(received, floats, seg, reduce ? 1 : 0, reduce && step == n - 2 ? 1 : 0);
        }
        // What leaves to the right: this rank's own segment, then every received chunk but the last step's.
        List<long[]> sends = new ArrayList<>();
        addChunks(sends, floats, r, 0, 0);
        int own = sends.size();
        int lastStepChunks = countChunks(floats, Math.floorMod(r - (n - 2), n));
        sends.addAll(received.subList(0, received.size() - lastStepChunks));
        ensureScratch();
        float scale = reduction == Reduction.AVERAGE ? 1f / n : 1f;
        try {
            pumpRing(data, received, sends, own, scale);
        } catch (RuntimeException e) {
            throw fail(e);
        } catch (IOException e) {
            throw fail(new CollectiveException(-1, "all-reduce failed: " + e, e));
        }
    }

    /**
     * One thread drives both directions of the ring with non-blocking sockets: it writes what is
     * ready to the right, reads from the left, and reduces a completed chunk while the kernel keeps
     * moving the next ones. Chunk {@code j} of the sends past this rank's own segment is the
     * {@code (j - own)}-th received chunk, so it may leave only once that one is complete.
     */
    private void pumpRing(ByteBuffer data, List<long[]> received, List<long[]> sends, int own, float scale)
            throws IOException {
        SocketChannel in = left.channel();
        SocketChannel out = right.channel();
        int sendIndex = 0;
        int receiveIndex = 0;
        ByteBuffer sending = null;
        ByteBuffer receiving = null;
        long lastProgress = System.nanoTime();
        while (sendIndex < sends.size() || receiveIndex < received.size()) {
            boolean progress = false;
            while (sendIndex < sends.size()) {
                if (sending == null) {
                    if (sendIndex >= own && sendIndex - own >= receiveIndex) {
                        break; // the chunk to forward has not arrived yet
                    }
                    sending = slice(data, sends.get(sendIndex));
                }
                if (out.write(sending) > 0) {
                    progress = true;
                }
                if (sending.hasRemaining()) {
                    break; // socket buffer full
                }
                sending = null;
                sendIndex++;
            }
            if (receiveIndex < received.size()) {
                long[] item = received.get(receiveIndex);
                if (receiving == null) {
                    receiving = item[2] == 1 ? scratch.duplicate().clear().limit((int) item[1] * Float.BYTES)
                            : slice(data, item);
                }
                int got = in.read(receiving);
                if (got < 0) {
                    throw left.closed("all-reduce");
                }
                if (got > 0) {
                    progress = true;
                }
                if (!receiving.hasRemaining()) {
                    if (item[2] == 1) {
                        reduceInto(data, (int) item[0], (int) item[1], scratch, item[3] == 1 ? scale : 1f);
                    }
                    receiving = null;
                    receiveIndex++;
                    continue; // forward the completed chunk before reading the next
                }
            }
            long now = System.nanoTime();
            if (progress) {
                lastProgress = now;
                continue;
            }
            if (now - lastProgress > timeoutNanos) {
                boolean waitingToRead = receiveIndex < received.size();
                throw waitingToRead ? left.silent("sent nothing", "all-reduce", timeoutNanos)
                        : right.silent("accepted no data", "all-reduce", timeoutNanos);
            }
            leftKey.interestOps(receiveIndex < received.size() ? SelectionKey.OP_READ : 0);
            rightKey.interestOps(sending != null ? SelectionKey.OP_WRITE : 0);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new CollectiveException(-1, "interrupted during all-reduce", null);
            }
            ring.select(POLL_MILLIS);
            ring.selectedKeys().clear();
        }
        leftKey.interestOps(0);
        rightKey.interestOps(0);
    }

    private void ensureScratch() {
        if (scratch == null) {
            scratch = allocate(chunkBytes / Float.BYTES);
        }
    }

    private static void reduceInto(ByteBuffer data, int offset, int length, ByteBuffer in, float scale) {
        FloatBuffer acc = floats(data);
        FloatBuffer add = floats(in);
        if (scale == 1f) {
            for (int i = 0; i < length; i++) {
                acc.put(offset + i, acc.get(offset + i) + add.get(i));
            }
        } else {
            for (int i = 0; i < length; i++) {
                acc.put(offset + i, (acc.get(offset + i) + add.get(i)) * scale);
            }
        }
    }

    private int countChunks(int floats, int seg) {
        List<long[]> items = new ArrayList<>();
        addChunks(items, floats, seg, 0, 0);
        return items.size();
    }

    private void addChunks(List<long[]> items, int floats, int seg, int reduce, int last) {
        int n = env.worldSize();
        long start = (long) floats * seg / n;
        long end = (long) floats * (seg + 1) / n;
        int chunkFloats = chunkBytes / Float.BYTES;
        for (long off = start; off < end; off += chunkFloats) {
            items.add(new long[] {off, Math.min(chunkFloats, end - off), reduce, last});
        }
    }

    private static ByteBuffer slice(ByteBuffer data, long[] item) {
        ByteBuffer view = data.duplicate();
        view.clear().position((int) item[0] * Float.BYTES).limit((int) (item[0] + item[1]) * Float.BYTES);
        return view;
    }

    /**
     * Copies rank 0's {@code data} to every rank (whole capacity), over the star of links.
     */
    public void broadcast(ByteBuffer data) {
        checkUsable();
        try {
            if (env.rank() == 0) {
                for (int r = 1; r < env.worldSize(); r++) {
                    star[r].writeFully(data.duplicate().clear(), "broadcast");
                }
            } else if (env.worldSize() > 1) {
                star[0].readFully(data.duplicate().clear(), "broadcast");
            }
        } catch (RuntimeException e) {
            throw fail(e);
        }
    }

    /** Returns when every rank has called it. */
    public void barrier() {
        barrier(Duration.ofNanos(timeoutNanos));
    }

    /**
     * Returns when every rank has called it, for the points where rank 0 legitimately works alone
     * for a while (evaluating and writing a checkpoint): the other ranks wait up to {@code patience}
     * for rank 0, longer than the operation timeout. Rank 0 comes last, so it waits for the others
     * only the operation timeout: a rank stuck before the barrier is named as soon as in any other
     * exchange, not after the patience. A rank that dies still fails it at once.
     */
    public void barrier(Duration patience) {
        checkUsable();
        if (env.worldSize() == 1) {
            return;
        }
        long wait = patience.toNanos();
        try {
            if (env.rank() == 0) {
                for (int r = 1; r < env.worldSize(); r++) {
                    star[r].readFully(ByteBuffer.allocate(1), "barrier", timeoutNanos);
                }
                for (int r = 1; r < env.worldSize(); r++) {
                    star[r].writeFully(ByteBuffer.allocate(1), "barrier");
                }
            } else {
                star[0].writeFully(ByteBuffer.allocate(1), "barrier");
                star[0].readFully(ByteBuffer.allocate(1), "barrier", wait);
            }
        } catch (RuntimeException e) {
            throw fail(e);
        }
    }

    /**
     * D-PSGD gossip step: replaces {@code data} with the mean of this rank's values and its ring
     * neighbours' (two neighbours, or one when there are two ranks). Only neighbours wait for each
     * other: there is no global barrier. Ranks do not end with identical values.
     */
    public void neighbourAverage(ByteBuffer data) {
        checkUsable();
        int n = env.worldSize();
        if (n == 1) {
            return;
        }
        int floats = data.capacity() / Float.BYTES;
        if (fromLeft == null || fromLeft.capacity() != data.capacity()) {
            // kept between calls: a gossip step runs every training step, direct buffers are costly to allocate
            fromLeft = allocate(floats);
            fromRight = n > 2 ? allocate(floats) : null;
        }
        // Two ranks: one neighbour, reached over the ring in its own direction. More: both neighbours, both ways.
        List<ByteBuffer> toSend = new ArrayList<>(List.of(data.duplicate().clear()));
        List<ByteBuffer> toReceive = new ArrayList<>(List.of(fromLeft.duplicate().clear()));
        if (n > 2) {
            toSend.add(data.duplicate().clear());
            toReceive.add(fromRight.duplicate().clear());
        }
        try {
            pumpNeighbours(toSend, toReceive);
        } catch (RuntimeException e) {
            throw fail(e);
        } catch (IOException e) {
            throw fail(new CollectiveException(-1, "neighbour averaging failed: " + e, e));
        }
        FloatBuffer own = floats(data);
        FloatBuffer l = floats(fromLeft);
        if (n == 2) {
            for (int i = 0; i < floats; i++) {
                own.put(i, (own.get(i) + l.get(i)) * 0.5f);
            }
        } else {
            FloatBuffer rr = floats(fromRight);
            float third = 1f / 3f;
            for (int i = 0; i < floats; i++) {
                own.put(i, (own.get(i) + l.get(i) + rr.get(i)) * third);
            }
        }
    }

    /** Sends {@code toSend[0]} right and {@code toSend[1]} left, and fills {@code toReceive[0]} from the left and {@code [1]} from the right, concurrently. */
    private void pumpNeighbours(List<ByteBuffer> toSend, List<ByteBuffer> toReceive) throws IOException {
        Link[] sendTo = {right, left};
        Link[] receiveFrom = {left, right};
        long lastProgress = System.nanoTime();
        while (true) {
            boolean progress = false;
            boolean pending = false;
            for (int i = 0; i < toSend.size(); i++) {
                ByteBuffer b = toSend.get(i);
                if (b.hasRemaining() && sendTo[i].channel().write(b) > 0) {
                    progress = true;
                }
                pending |= b.hasRemaining();
            }
            for (int i = 0; i < toReceive.size(); i++) {
                ByteBuffer b = toReceive.get(i);
                if (b.hasRemaining()) {
                    int got = receiveFrom[i].channel().read(b);
                    if (got < 0) {
                        throw receiveFrom[i].closed("neighbour averaging");
                    }
                    progress |= got > 0;
                }
                pending |= b.hasRemaining();
            }
            if (!pending) {
                break;
            }
            long now = System.nanoTime();
            if (progress) {
                lastProgress = now;
                continue;
            }
            if (now - lastProgress > timeoutNanos) {
                for (int i = 0; i < toReceive.size(); i++) {
                    if (toReceive.get(i).hasRemaining()) {
                        throw receiveFrom[i].silent("sent nothing", "neighbour averaging", timeoutNanos);
                    }
                }
                throw right.silent("accepted no data", "neighbour averaging", timeoutNanos);
            }
            leftKey.interestOps((toReceive.get(0).hasRemaining() ? SelectionKey.OP_READ : 0)
                    | (toSend.size() > 1 && toSend.get(1).hasRemaining() ? SelectionKey.OP_WRITE : 0));
            rightKey.interestOps((toSend.get(0).hasRemaining() ? SelectionKey.OP_WRITE : 0)
                    | (toReceive.size() > 1 && toReceive.get(1).hasRemaining() ? SelectionKey.OP_READ : 0));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new CollectiveException(-1, "interrupted during neighbour averaging", null);
            }
            ring.select(POLL_MILLIS);
            ring.selectedKeys().clear();
        }
        leftKey.interestOps(0);
        rightKey.interestOps(0);
    }

    /**
     * Sends {@code message} (position to limit) to {@code peer}: from rank 0 to any rank, or from
     * any rank to rank 0.
     */
    public void send(int peer, ByteBuffer message) {
        checkUsable();
        try {
            starLink(peer).writeFully(message, "parameter-server exchange");
        } catch (RuntimeException e) {
            throw fail(e);
        }
    }

    /** Fills {@code message} (position to limit) with bytes from {@code peer}; see {@link #send}. */
    public void receive(int peer, ByteBuffer message) {
        checkUsable();
        try {
            starLink(peer).readFully(message, "parameter-server exchange");
        } catch (RuntimeException e) {
            throw fail(e);
        }
    }

    private Link starLink(int peer) {
        if (env.rank() == 0 ? peer < 1 || peer >= env.worldSize() : peer != 0) {
            throw new IllegalArgumentException("rank " + env.rank() + " has no direct link to rank " + peer);
        }
        return star[peer];
    }

    private void checkUsable() {
        if (broken) {
            throw new CollectiveException(-1, "the collective layer already failed; the job must stop", null);
        }
    }

    private RuntimeException fail(RuntimeException e) {
        broken = true;
        return e;
    }

    /** Closes every connection; peers still waiting on this rank fail at once. */
    @Override
    public void close() {
        if (right != null) {
            right.close();
            left.close();
        }
        for (Link link : star) {
            if (link != null) {
                link.close();
            }
        }
        if (ring != null) {
            try {
                ring.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
