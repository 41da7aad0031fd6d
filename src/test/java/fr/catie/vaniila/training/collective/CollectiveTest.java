package fr.catie.vaniila.training.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ranks as threads of one JVM, joined over real loopback TCP. */
class CollectiveTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Runs {@code body} on {@code n} ranks, each with its own Collective, and returns their results. */
    private <T> List<T> onRanks(int n, int chunkBytes, Duration timeout, RankBody<T> body) throws Exception {
        int port = freePort();
        List<Future<T>> futures = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            RankEnvironment env = new RankEnvironment("127.0.0.1", port, n, r);
            futures.add(pool.submit((Callable<T>) () -> {
                try (Collective c = Collective.join(env, Duration.ofSeconds(20), timeout, chunkBytes)) {
                    return body.run(c);
                }
            }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    interface RankBody<T> {
        T run(Collective c) throws Exception;
    }

    private static ByteBuffer filled(int floats, IntFunction<Float> value) {
        ByteBuffer b = Collective.allocate(floats);
        FloatBuffer f = b.asFloatBuffer();
        for (int i = 0; i < floats; i++) {
            f.put(i, value.apply(i));
        }
        return b;
    }

    private static float[] floats(ByteBuffer b) {
        float[] out = new float[b.capacity() / 4];
        b.asFloatBuffer().get(0, out);
        return out;
    }

    @ParameterizedTest(name = "{0} ranks, {1} floats, chunk {2} bytes")
    @CsvSource({"1, 10, 64", "2, 1, 64", "2, 1000, 64", "3, 7, 8", "3, 1001, 64", "4, 100000, 4096", "5, 333, 16"})
    void allReduceSumsEveryElementAndAllRanksAgree(int n, int size, int chunk) throws Exception {
        List<float[]> results = onRanks(n, chunk, Duration.ofSeconds(20), c -> {
            ByteBuffer b = filled(size, i -> (float) (c.rank() + 1) * (i % 7 + 1));
            c.allReduce(b, Collective.Reduction.SUM);
            return floats(b);
        });
        float total = n * (n + 1) / 2f;
        for (float[] r : results) {
            for (int i = 0; i < size; i++) {
                assertEquals(total * (i % 7 + 1), r[i], 1e-3, "element " + i);
            }
            assertArrayEquals(results.get(0), r);
        }
    }

    @Test
    void averageIsBitIdenticalOnEveryRank() throws Exception {
        List<float[]> results = onRanks(4, 1024, Duration.ofSeconds(20), c -> {
            ByteBuffer b = filled(5000, i -> (float) Math.sin(i * 0.37 + c.rank()));
            c.allReduce(b, Collective.Reduction.AVERAGE);
            return floats(b);
        });
        for (int i = 0; i < 5000; i++) {
            double expected = 0;
            for (int r = 0; r < 4; r++) {
                expected += Math.sin(i * 0.37 + r);
            }
            assertEquals(expected / 4, results.get(0)[i], 1e-5);
        }
        for (float[] r : results) {
            assertArrayEquals(results.get(0), r);
        }
    }

    @Test
    void broadcastCopiesRankZeroAndBarrierReturns() throws Exception {
        List<float[]> results = onRanks(3, 1024, Duration.ofSeconds(20), c -> {
            ByteBuffer b = filled(100, i -> c.rank() == 0 ? i * 2f : -1f);
            c.broadcast(b);
            c.barrier();
            return floats(b);
        });
        for (float[] r : results) {
            for (int i = 0; i < 100; i++) {
                assertEquals(i * 2f, r[i]);
            }
        }
    }

    @Test
    void neighbourAverageMixesOnlyRingNeighbours() throws Exception {
        List<float[]> four = onRanks(4, 1024, Duration.ofSeconds(20), c -> {
            ByteBuffer b = filled(3, i -> (float) c.rank() * 3);
            c.neighbourAverage(b);
            return floats(b);
        });
        // rank r gets (3(r-1) + 3r + 3(r+1)) / 3 with ring wrap-around
        assertEquals((9 + 0 + 3) / 3f, four.get(0)[0], 1e-6);
        assertEquals((0 + 3 + 6) / 3f, four.get(1)[0], 1e-6);
        assertEquals((3 + 6 + 9) / 3f, four.get(2)[0], 1e-6);
        assertEquals((6 + 9 + 0) / 3f, four.get(3)[0], 1e-6);
        List<float[]> two = onRanks(2, 1024, Duration.ofSeconds(20), c -> {
            ByteBuffer b = filled(2, i -> c.rank() == 0 ? 1f : 3f);
            c.neighbourAverage(b);
            return floats(b);
        });
        assertEquals(2f, two.get(0)[1]);
        assertEquals(2f, two.get(1)[1]);
    }

    @Test
    void pointToPointCarriesMessagesBetweenRankZeroAndWorkers() throws Exception {
        List<Float> results = onRanks(3, 1024, Duration.ofSeconds(20), c -> {
            if (c.rank() == 0) {
                float sum = 0;
                for (int r = 1; r < 3; r++) {
                    ByteBuffer in = Collective.allocate(1);
                    c.receive(r, in);
                    sum += in.getFloat(0);
                }
                return sum;
            }
            ByteBuffer out = filled(1, i -> c.rank() * 10f);
            c.send(0, out);
            return 0f;
        });
        assertEquals(30f, results.get(0));
    }

    @Test
    void aRankThatLeavesMakesTheOthersFailNamingIt() throws Exception {
        int port = freePort();
        List<Future<String>> futures = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            RankEnvironment env = new RankEnvironment("127.0.0.1", port, 3, r);
            futures.add(pool.submit(() -> {
                try (Collective c = Collective.join(env, Duration.ofSeconds(20), Duration.ofSeconds(20))) {
                    if (c.rank() == 2) {
                        return "left"; // closing the collective is what a killed process's kernel does
                    }
                    c.allReduce(filled(1000, i -> 1f), Collective.Reduction.SUM);
                    return "completed";
                } catch (CollectiveException e) {
                    return e.getMessage();
                }
            }));
        }
        long start = System.nanoTime();
        List<String> messages = new ArrayList<>();
        for (Future<String> f : futures) {
            messages.add(f.get(30, TimeUnit.SECONDS));
        }
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
        // The first rank to notice names rank 2; the others may then see that rank stop in turn.
        assertTrue(messages.get(0).contains("rank 2") || messages.get(1).contains("rank 2"), messages.toString());
        assertTrue(!messages.get(0).equals("completed") && !messages.get(1).equals("completed"), messages.toString());
    }

    @Test
    void aStuckRankTimesOutWithItsRankInTheMessage() throws Exception {
        int port = freePort();
        List<Future<String>> futures = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            RankEnvironment env = new RankEnvironment("127.0.0.1", port, 2, r);
            futures.add(pool.submit(() -> {
                try (Collective c = Collective.join(env, Duration.ofSeconds(20), Duration.ofSeconds(1))) {
                    if (c.rank() == 1) {
                        Thread.sleep(4_000); // alive, connected, silent
                        return "slept";
                    }
                    c.allReduce(filled(10, i -> 1f), Collective.Reduction.SUM);
                    return "completed";
                } catch (CollectiveException e) {
                    return e.getMessage();
                }
            }));
        }
        String message = futures.get(0).get(30, TimeUnit.SECONDS);
        assertTrue(message.contains("rank 1") && message.contains("sent nothing for 1 s"), message);
    }

    @Test
    void aBarrierWithPatienceWaitsLongerThanTheOperationTimeout() throws Exception {
        List<String> results = onRanks(3, 1024, Duration.ofSeconds(1), c -> {
            if (c.rank() == 0) {
                Thread.sleep(2_500); // rank 0 evaluating alone, longer than the 1 s operation timeout
            }
            c.barrier(Duration.ofSeconds(20));
            c.allReduce(filled(10, i -> 1f), Collective.Reduction.SUM);
            return "ok";
        });
        assertEquals(List.of("ok", "ok", "ok"), results);
    }

    @Test
    void aRankStuckBeforeAPatientBarrierIsNamedWithinTheOperationTimeout() throws Exception {
        int port = freePort();
        List<Future<String>> futures = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            RankEnvironment env = new RankEnvironment("127.0.0.1", port, 3, r);
            futures.add(pool.submit(() -> {
                try (Collective c = Collective.join(env, Duration.ofSeconds(20), Duration.ofSeconds(1))) {
                    if (c.rank() == 2) {
                        Thread.sleep(6_000); // alive, connected, never reaches the barrier in time
                        return "slept";
                    }
                    long start = System.nanoTime();
                    try {
                        c.barrier(Duration.ofSeconds(30));
                        return "passed";
                    } catch (CollectiveException e) {
                        return e.getMessage() + " after " + (System.nanoTime() - start) / 1_000_000 + " ms";
                    }
                }
            }));
        }
        String rank0 = futures.get(0).get(30, TimeUnit.SECONDS);
        assertTrue(rank0.contains("rank 2") && rank0.contains("for 1 s"), rank0);
        long ms = Long.parseLong(rank0.replaceAll(".* after (\\d+) ms$", "$1"));
        assertTrue(ms < 5_000, "rank 0 waited the barrier's patience, not the operation timeout: " + rank0);
    }

    @Test
    void aMissingRankIsNamedWhenTheJoinTimesOut() throws Exception {
        RankEnvironment env = new RankEnvironment("127.0.0.1", freePort(), 3, 0);
        Future<Collective> f = pool.submit(() -> Collective.join(env, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("ranks [1, 2] did not join within 1 s"), e.getCause().getMessage());
    }

    @Test
    void environmentVariablesAreCheckedWithMessagesNamingThem() {
        assertEquals(RankEnvironment.single(), RankEnvironment.fromEnvironment(java.util.Map.of()));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> RankEnvironment.fromEnvironment(java.util.Map.of("RANK", "1")));
        assertTrue(missing.getMessage().contains("MASTER_ADDR, MASTER_PORT, WORLD_SIZE"), missing.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> RankEnvironment.fromEnvironment(
                java.util.Map.of("RANK", "4", "WORLD_SIZE", "4", "MASTER_ADDR", "h", "MASTER_PORT", "1")));
        assertTrue(bad.getMessage().contains("RANK must be between 0 and WORLD_SIZE-1 (3), got 4"), bad.getMessage());
    }
}
