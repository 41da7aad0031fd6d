package fr.catie.vaniila.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fr.catie.vaniila.training.collective.Collective;
import fr.catie.vaniila.training.collective.RankEnvironment;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The stale-synchronous rule, exercised on rank 0's server with three joined ranks (threads). */
class ParameterServerTest {

    @Test
    void aWorkerMoreThanTheBoundAheadWaitsForTheSlowestAndStalenessIsMeasured() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ExecutorService pool = Executors.newCachedThreadPool();
        CountDownLatch done = new CountDownLatch(1);
        List<Future<?>> others = new ArrayList<>();
        for (int r = 1; r < 3; r++) {
            RankEnvironment env = new RankEnvironment("127.0.0.1", port, 3, r);
            others.add(pool.submit(() -> {
                try (Collective c = Collective.join(env, Duration.ofSeconds(20), Duration.ofSeconds(30))) {
                    done.await();
                }
                return null;
            }));
        }
        try (Collective c = Collective.join(new RankEnvironment("127.0.0.1", port, 3, 0), Duration.ofSeconds(20),
                Duration.ofSeconds(30))) {
            ParameterServer server = new ParameterServer(c, new float[] {0f}, new FlatAdam(1), 0,
                    new LearningRateSchedule(0.1f, 1, 0), 1, Duration.ofSeconds(30));
            // ranks 0 and 2 each one step; rank 1 may then run at most 1 step ahead of the slowest
            server.push(0, new float[] {1f}, 0);
            server.push(2, new float[] {1f}, 0);
            server.push(1, new float[] {1f}, 0); // clock 1 vs slowest 1
            server.push(1, new float[] {1f}, 3); // clock 2 vs slowest 1: within the bound
            Future<ParameterServer.Reply> ahead = pool.submit(() -> server.push(1, new float[] {1f}, 4)); // clock 3
            Thread.sleep(300);
            assertFalse(ahead.isDone(), "rank 1 is two steps ahead of ranks 0 and 2 and must wait");
            server.push(0, new float[] {1f}, 1);
            Thread.sleep(100);
            assertFalse(ahead.isDone(), "rank 2 is still two steps behind");
            server.push(2, new float[] {1f}, 1);
            ParameterServer.Reply reply = ahead.get(10, TimeUnit.SECONDS);
            assertEquals(7, reply.version());
            assertTrue(reply.parameters()[0] < 0, "gradients of +1 must have lowered the weight");
            double[] staleness = server.drainStaleness();
            // pulled versions 0,0,0,3,4,1,1 applied at versions 0..6: staleness 0,1,2,0,0,4,5 (7 pushes)
            assertEquals(12 / 7.0, staleness[0], 1e-9);
            assertEquals(5, staleness[1]);
        } finally {
            done.countDown();
            for (Future<?> f : others) {
                f.get(10, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
    }
}
