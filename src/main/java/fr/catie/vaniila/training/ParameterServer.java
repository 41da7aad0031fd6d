package fr.catie.vaniila.training;

import fr.catie.vaniila.training.collective.Collective;
import fr.catie.vaniila.training.collective.CollectiveException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code async} strategy's parameter server, on rank 0: it owns the authoritative weights and
 * an Adam optimizer, applies each worker's gradient as soon as it arrives, and answers with the
 * current weights. Stale-synchronous parallel (Ho et al., 2013): a worker more than
 * {@code stalenessBound} steps ahead of the slowest unfinished worker waits for it.
 *
 * <p>Staleness of an update is the number of other updates applied between the worker's read of
 * the weights and the application of its gradient; the server reports its mean and maximum.
 *
 * <p>Thread safety: one serving thread per remote worker plus rank 0's own training thread call
 * {@link #push}; all state is guarded by this object's monitor.
 */
final class ParameterServer implements AutoCloseable {

    static final int PUSH = 1;
    static final int FINISH = 2;
    static final int HEADER_BYTES = 16;

    private final Collective collective;
    private final float[] parameters;
    private final FlatAdam optimizer;
    private final LearningRateSchedule schedule;
    private final int stalenessBound;
    private final long timeoutNanos;
    private final long[] clocks;
    private final boolean[] finished;
    private final List<Thread> servers = new ArrayList<>();
    private long version;
    private long stalenessSum;
    private long stalenessCount;
    private long stalenessMax;
    private RuntimeException failure;

    ParameterServer(Collective collective, float[] parameters, FlatAdam optimizer, long version,
            LearningRateSchedule schedule, int stalenessBound, Duration timeout) {
        this.collective = collective;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.version = version;
        this.schedule = schedule;
        this.stalenessBound = stalenessBound;
        this.timeoutNanos = timeout.toNanos();
        this.clocks = new long[collective.worldSize()];
        this.finished = new boolean[collective.worldSize()];
    }

    /** Starts one serving thread per remote worker. */
    void start() {
        for (int r = 1; r < collective.worldSize(); r++) {
            int rank = r;
            Thread t = new Thread(() -> serve(rank), "parameter-server-rank" + rank);
            t.setDaemon(true);
            servers.add(t);
            t.start();
        }
    }

    private void serve(int rank) {
        int n = parameters.length;
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        ByteBuffer payload = Collective.allocate(n);
        try {
            while (true) {
                header.clear();
                collective.receive(rank, header);
                int type = header.getInt(0);
                long pulled = header.getLong(8);
                Reply reply;
                if (type == PUSH) {
                    payload.clear();
                    collective.receive(rank, payload);
                    reply = push(rank, FlatParameters.toArray(payload), pulled);
                } else if (type == FINISH) {
                    reply = finish(rank);
                } else {
                    throw new CollectiveException(rank, "rank " + rank + " sent an unknown parameter-server message "
                            + type + "; are all ranks running the same version of Vaniila?", null);
                }
                ByteBuffer answer = ByteBuffer.allocate(HEADER_BYTES).putLong(0, reply.version()).putLong(8, reply.staleness());
                collective.send(rank, answer);
                FlatParameters.fromArray(reply.parameters(), payload);
                payload.clear();
                collective.send(rank, payload);
                if (type == FINISH) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                if (failure == null) {
                    failure = e;
                }
                notifyAll();
            }
        }
    }

    /**
     * Applies a worker's gradient, waits while that worker is more than the bound ahead of the
     * slowest, and returns the weights it continues from.
     *
     * @param pulledVersion the version of the weights the gradient was computed on
     */
    synchronized Reply push(int rank, float[] gradient, long pulledVersion) {
        checkFailure();
        long staleness = version - pulledVersion;
        stalenessSum += staleness;
        stalenessCount++;
        stalenessMax = Math.max(stalenessMax, staleness);
        optimizer.apply(parameters, gradient, schedule.rateAt(version));
        version++;
        clocks[rank]++;
        notifyAll();
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            checkFailure();
            int slowest = slowestUnfinished(rank);
            if (slowest < 0 || clocks[rank] - clocks[slowest] <= stalenessBound) {
                break;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CollectiveException(slowest, "rank " + slowest + " fell more than " + stalenessBound
                        + " steps behind rank " + rank + " and made no progress for " + timeoutNanos / 1_000_000_000L
                        + " s: it is stuck or too slow", null);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CollectiveException(-1, "interrupted while waiting for slower workers", e);
            }
        }
        return new Reply(parameters.clone(), version, staleness);
    }

    /** Marks the worker done and returns the final weights once every worker is done. */
    synchronized Reply finish(int rank) {
        finished[rank] = true;
        notifyAll();
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            checkFailure();
            int waitingFor = -1;
            for (int r = 0; r < finished.length; r++) {
                if (!finished[r]) {
                    waitingFor = r;
                    break;
                }
            }
            if (waitingFor < 0) {
                return new Reply(parameters.clone(), version, 0);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CollectiveException(waitingFor, "rank " + waitingFor + " did not finish its steps within "
                        + timeoutNanos / 1_000_000_000L + " s of rank " + rank + ": it is stuck or too slow", null);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CollectiveException(-1, "interrupted while waiting for workers to finish", e);
            }
        }
    }

    private int slowestUnfinished(int except) {
        int slowest = -1;
        for (int r = 0; r < clocks.length; r++) {
            if (r != except && !finished[r] && (slowest < 0 || clocks[r] < clocks[slowest])) {
                slowest = r;
            }
        }
        return slowest;
    }

    private void checkFailure() {
        if (failure != null) {
            throw failure;
        }
    }

    /** @return mean and maximum staleness of the updates applied since the previous call, then resets them */
    synchronized double[] drainStaleness() {
        double[] out = {stalenessCount == 0 ? 0 : (double) stalenessSum / stalenessCount, stalenessMax};
        stalenessSum = 0;
        stalenessCount = 0;
        stalenessMax = 0;
        return out;
    }

    /** @return a consistent copy of the weights, optimizer state and version, for a checkpoint */
    synchronized Checkpoint.OptimizerState snapshot(float[] weightsOut) {
        System.arraycopy(parameters, 0, weightsOut, 0, parameters.length);
        return new Checkpoint.OptimizerState(optimizer.mean().clone(), optimizer.variance().clone(), optimizer.steps(), version);
    }

    /** Waits for the serving threads, which end after their worker's final message. */
    @Override
    public void close() throws InterruptedException {
        for (Thread t : servers) {
            t.join(timeoutNanos / 1_000_000);
        }
        synchronized (this) {
            checkFailure();
        }
    }

    /**
     * The server's answer to a push.
     *
     * @param parameters the weights to continue from
     * @param version    how many updates they include
     * @param staleness  staleness of the pushed gradient
     */
    record Reply(float[] parameters, long version, long staleness) {
    }

    /** A worker's handle on the server: a direct call on rank 0, messages over the star link elsewhere. */
    static final class Client {
        private final Collective collective;
        private final ParameterServer local;
        private final ByteBuffer payload;

        Client(Collective collective, ParameterServer local, int size) {
            this.collective = collective;
            this.local = local;
            this.payload = Collective.allocate(size);
        }

        Reply push(float[] gradient, long pulledVersion) {
            if (local != null) {
                return local.push(0, gradient, pulledVersion);
            }
            collective.send(0, ByteBuffer.allocate(HEADER_BYTES).putInt(0, PUSH).putLong(8, pulledVersion));
            FlatParameters.fromArray(gradient, payload);
            payload.clear();
            collective.send(0, payload);
            return answer();
        }

        Reply finish() {
            if (local != null) {
                return local.finish(0);
            }
            collective.send(0, ByteBuffer.allocate(HEADER_BYTES).putInt(0, FINISH));
            return answer();
        }

        private Reply answer() {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            collective.receive(0, header);
            payload.clear();
            collective.receive(0, payload);
            return new Reply(FlatParameters.toArray(payload), header.getLong(0), header.getLong(8));
        }
    }
}
