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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The collective layer of a data-parallel job: one instance per rank (one JVM per rank), joined
 * over TCP with JDK NIO. It gives the operations the training strategies need:
 * <ul>
 *   <li>{@link #allReduce}: ring all-reduce (reduce-scatter then all-gather), each segment sent in
 *   chunks by a sender thread while the calling thread receives and reduces the previous chunk, so
 *   reduction overlaps the wire;</li>
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
 * peer that stops sending for longer than the timeout is cut off by a watchdog. Either way the
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
    static final int DEFAULT_CHUNK_BYTES = 256 * 1024;

    private final RankEnvironment env;
    private final Watchdog watchdog;
    private final Link right;
    private final Link left;
    /** On rank 0: index r holds the link to rank r (null at 0). On others: index 0 holds the link to rank 0. */
    private final Link[] star;
    private final ExecutorService sender;
    private final int chunkBytes;
    private ByteBuffer scratch;
    private volatile boolean broken;

    private Collective(RankEnvironment env, Watchdog watchdog, Link right, Link left, Link[] star, int chunkBytes) {
        this.env = env;
        this.watchdog = watchdog;
        this.right = right;
        this.left = left;
        this.star = star;
        this.chunkBytes = chunkBytes;
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "collective-sender-rank" + env.rank());
            t.setDaemon(true);
            return t;
        });
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
        Watchdog watchdog = new Watchdog(timeout.toNanos());
        int n = env.worldSize();
        if (n == 1) {
            return new Collective(env, watchdog, null, null, new Link[1], chunkBytes);
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
                    acceptWorkers(env, master, star, hosts, ports, deadline, joinTimeout, opened, watchdog);
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
                Link toRoot = new Link(0, "rank 0", channel);
                opened.add(toRoot);
                watchdog.add(toRoot);
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
            Link right = new Link(rightRank, "right ring neighbour", toRight);
            opened.add(right);
            watchdog.add(right);
            right.writeFully(ByteBuffer.allocate(8).putInt(MAGIC).putInt(env.rank()).flip(), "ring set-up");
            SocketChannel fromLeft = acceptOne(data, deadline, "rank " + env.leftNeighbour()
                    + " (left ring neighbour) did not connect within " + joinTimeout.toSeconds() + " s", env.leftNeighbour());
            Link left = new Link(env.leftNeighbour(), "left ring neighbour", fromLeft);
            opened.add(left);
            watchdog.add(left);
            ByteBuffer who = ByteBuffer.allocate(8);
            left.readFully(who, "ring set-up");
            if (who.getInt(0) != MAGIC || who.getInt(4) != env.leftNeighbour()) {
                throw new CollectiveException(env.leftNeighbour(), "ring set-up: expected rank " + env.leftNeighbour()
                        + " to connect, got a connection claiming rank " + who.getInt(4), null);
            }
            Collective collective = new Collective(env, watchdog, right, left, star, chunkBytes);
            collective.barrier();
            return collective;
        } catch (IOException | RuntimeException e) {
            opened.forEach(Link::close);
            watchdog.close();
            throw e;
        }
    }

    private static void acceptWorkers(RankEnvironment env, ServerSocketChannel master, Link[] star, String[] hosts,
            int[] ports, long deadline, Duration joinTimeout, List<Link> opened, Watchdog watchdog) throws IOException {
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
            channel.configureBlocking(true);
            Link link = new Link(-1, "joining rank", channel);
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
            Link named = new Link(rank, "rank " + rank, channel);
            opened.add(named);
            watchdog.add(named);
            star[rank] = named;
            missing.remove(rank);
        }
    }

    /** Reads during the rendezvous, where the watchdog is not yet in charge of this link. */
    private static void readWithDeadline(Link link, ByteBuffer buffer, long deadline, Duration joinTimeout) {
        Watchdog local = new Watchdog(Math.max(1, deadline - System.nanoTime()));
        local.add(link);
        try {
            link.readFully(buffer, "rendezvous (join timeout " + joinTimeout.toSeconds() + " s)");
        } finally {
            local.close();
        }
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
                    channel.configureBlocking(true);
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
        List<long[]> received = new ArrayList<>(); // {offsetFloats, lengthFloats, reduce?1:0, lastReduceStep?1:0}
        for (int step = 0; step < 2 * (n - 1); step++) {
            boolean reduce = step < n - 1;
            int seg = reduce ? Math.floorMod(r - step - 1, n) : Math.floorMod(r - (step - (n - 1)), n);
            addChunks(received, floats, seg, reduce ? 1 : 0, reduce && step == n - 2 ? 1 : 0);
        }
        List<long[]> firstSends = new ArrayList<>();
        addChunks(firstSends, floats, r, 0, 0);
        int lastStepChunks = countChunks(floats, Math.floorMod(r - (n - 2), n));
        int forwarded = received.size() - lastStepChunks;
        Semaphore ready = new Semaphore(0);
        ensureScratch();
        Future<?> sending = sender.submit(() -> {
            for (long[] item : firstSends) {
                right.writeFully(slice(data, item), "all-reduce");
            }
            for (int j = 0; j < forwarded; j++) {
                // The receiver is bounded by the watchdog: it either delivers or fails and cancels us.
                ready.acquire();
                right.writeFully(slice(data, received.get(j)), "all-reduce");
            }
            return null;
        });
        try {
            float scale = reduction == Reduction.AVERAGE ? 1f / n : 1f;
            for (long[] item : received) {
                if (item[2] == 1) {
                    ByteBuffer in = scratch.duplicate().order(ByteOrder.nativeOrder());
                    in.clear().limit((int) item[1] * Float.BYTES);
                    left.readFully(in, "all-reduce");
                    reduceInto(data, (int) item[0], (int) item[1], scratch, item[3] == 1 ? scale : 1f);
                } else {
                    left.readFully(slice(data, item), "all-reduce");
                }
                ready.release();
            }
            sending.get();
        } catch (RuntimeException e) {
            sending.cancel(true);
            throw fail(e);
        } catch (InterruptedException e) {
            sending.cancel(true);
            Thread.currentThread().interrupt();
            throw fail(new CollectiveException(-1, "interrupted during all-reduce", e));
        } catch (ExecutionException e) {
            throw fail(e.getCause() instanceof RuntimeException re ? re
                    : new CollectiveException(-1, "all-reduce sender failed: " + e.getCause(), e.getCause()));
        }
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
        checkUsable();
        if (env.worldSize() == 1) {
            return;
        }
        try {
            if (env.rank() == 0) {
                for (int r = 1; r < env.worldSize(); r++) {
                    star[r].readFully(ByteBuffer.allocate(1), "barrier");
                }
                for (int r = 1; r < env.worldSize(); r++) {
                    star[r].writeFully(ByteBuffer.allocate(1), "barrier");
                }
            } else {
                star[0].writeFully(ByteBuffer.allocate(1), "barrier");
                star[0].readFully(ByteBuffer.allocate(1), "barrier");
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
        ByteBuffer fromLeft = allocate(floats);
        ByteBuffer fromRight = n > 2 ? allocate(floats) : null;
        Future<?> sending = sender.submit(() -> {
            right.writeFully(data.duplicate().clear(), "neighbour averaging");
            if (n > 2) {
                left.writeFully(data.duplicate().clear(), "neighbour averaging");
            }
            return null;
        });
        try {
            left.readFully(fromLeft.duplicate().clear(), "neighbour averaging");
            if (n > 2) {
                right.readFully(fromRight.duplicate().clear(), "neighbour averaging");
            }
            sending.get();
        } catch (RuntimeException e) {
            sending.cancel(true);
            throw fail(e);
        } catch (InterruptedException e) {
            sending.cancel(true);
            Thread.currentThread().interrupt();
            throw fail(new CollectiveException(-1, "interrupted during neighbour averaging", e));
        } catch (ExecutionException e) {
            throw fail(e.getCause() instanceof RuntimeException re ? re
                    : new CollectiveException(-1, "neighbour averaging failed: " + e.getCause(), e.getCause()));
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
        sender.shutdownNow();
        watchdog.close();
        if (right != null) {
            right.close();
            left.close();
        }
        for (Link link : star) {
            if (link != null) {
                link.close();
            }
        }
        try {
            sender.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
