package fr.catie.vaniila.scheduler;

import static fr.catie.vaniila.scheduler.Fixtures.aCluster;
import static fr.catie.vaniila.scheduler.Fixtures.aJob;
import static fr.catie.vaniila.scheduler.Fixtures.aNode;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Table tests, one per filter and scorer: each row is a node situation and a demand, and the expected answer.
 * The cluster of every row: node {@code n1} (4 x v100-16g, 32 cores, 256 GB) with two GPUs, 8 cores and 64 GB
 * held by a running job, and node {@code n2} (8 x rtx2080ti-11g) idle, in the state of the row.
 */
class FilterTableTest {

    private static Capacity capacity(NodeState n2State, String queueNodes) {
        ClusterSnapshot s = aCluster()
                .node(aNode("n1").gpus(4, "v100-16g"))
                .node(aNode("n2").gpus(8, "rtx2080ti-11g").state(n2State))
                .queue(Queue.open("gpu", Duration.ofDays(1), 16).withPlacement(
                        queueNodes.isEmpty() ? Set.of() : Set.of(new NodeName(queueNodes)), Set.of()))
                .running(aJob(99).cores(8).memoryGb(64), "n1", List.of(0, 1), 0, 3600)
                .build();
        CycleIndex index = new CycleIndex(s);
        Capacity c = Capacity.idle(index);
        c.occupy(0, List.of(0, 1), 8, 64 * 1024);
        return c;
    }

    private static int flavor(Capacity c, String name) {
        return c.index().flavor(name);
    }

    @ParameterizedTest(name = "node n2 {0}: accepted={1}")
    @CsvSource({"UP, true", "DRAINING, false", "DRAINED, false", "DOWN, false"})
    void nodeStateFilter(NodeState state, boolean accepted) {
        Capacity c = capacity(state, "");
        assertEquals(accepted, new NodeStateFilter().accepts(new NodeDemand(0, 0, 1, 0, 0, 0), c, 1));
    }

    @ParameterizedTest(name = "queue limited to [{0}], node {1}: accepted={2}")
    @CsvSource({"'', 0, true", "'', 1, true", "n1, 0, true", "n1, 1, false", "n2, 0, false"})
    void queueNodesFilter(String queueNodes, int node, boolean accepted) {
        Capacity c = capacity(NodeState.UP, queueNodes);
        assertEquals(accepted, new QueueNodesFilter().accepts(new NodeDemand(0, -1, 0, 0, 0, 0), c, node));
    }

    @ParameterizedTest(name = "{0} x {1} on node {2}: accepted={3}")
    @CsvSource({"4, v100-16g, 0, true", "5, v100-16g, 0, false", "1, rtx2080ti-11g, 0, false",
        "8, rtx2080ti-11g, 1, true", "9, rtx2080ti-11g, 1, false", "0, v100-16g, 1, true"})
    void gpuFlavorFilter(int gpus, String flavor, int node, boolean accepted) {
        Capacity c = capacity(NodeState.UP, "");
        assertEquals(accepted, new GpuFlavorFilter().accepts(new NodeDemand(0, flavor(c, flavor), gpus, 0, 0, 0), c,
                node));
    }

    @ParameterizedTest(name = "{0} free v100 wanted on n1 (2 free): accepted={1}")
    @CsvSource({"0, true", "1, true", "2, true", "3, false", "4, false"})
    void freeGpuFilter(int gpus, boolean accepted) {
        Capacity c = capacity(NodeState.UP, "");
        assertEquals(accepted, new FreeGpuFilter().accepts(new NodeDemand(0, flavor(c, "v100-16g"), gpus, 0, 0, 0), c,
                0));
    }

    @ParameterizedTest(name = "{0} cores wanted on n1 (24 free): accepted={1}")
    @CsvSource({"0, true", "24, true", "25, false"})
    void coresFilter(int cores, boolean accepted) {
        Capacity c = capacity(NodeState.UP, "");
        assertEquals(accepted, new CoresFilter().accepts(new NodeDemand(0, -1, 0, cores, 0, 0), c, 0));
    }

    @ParameterizedTest(name = "{0} GB wanted on n1 (192 free): accepted={1}")
    @CsvSource({"0, true", "192, true", "193, false"})
    void memoryFilter(int gb, boolean accepted) {
        Capacity c = capacity(NodeState.UP, "");
        assertEquals(accepted, new MemoryFilter().accepts(new NodeDemand(0, -1, 0, 0, gb * 1024L, 0), c, 0));
    }

    /** A reservation from t=1000 of 2 v100 on n1, leaving 0 spare GPUs there and 16 spare cores. */
    @ParameterizedTest(name = "job of {0} GPU(s), {1} cores ending at {2}: accepted={3}")
    @CsvSource({"1, 0, 999, true", "1, 0, 1000, true", "1, 0, 1001, false", "0, 16, 5000, true",
        "0, 17, 5000, false", "0, 17, 1000, true"})
    void reservationFilter(int gpus, int cores, long endsAt, boolean accepted) {
        Capacity c = capacity(NodeState.UP, "");
        ReservationBook book = new ReservationBook();
        ReservationBook.Entry e = new ReservationBook.Entry(new JobId(7), 1000, 5000, flavor(c, "v100-16g"), 2,
                new int[] {0}, new int[] {2}, new int[] {8}, new long[] {0});
        e.spareGpus[0] = 0;
        e.spareCores[0] = 16;
        e.spareMemory[0] = 1 << 20;
        book.add(e);
        assertEquals(accepted, new ReservationFilter(book).accepts(
                new NodeDemand(0, flavor(c, "v100-16g"), gpus, cores, 0, endsAt), c, 0));
        assertEquals(true, new ReservationFilter(book).accepts(
                new NodeDemand(0, flavor(c, "v100-16g"), gpus, cores, 0, endsAt), c, 1), "n2 is not reserved");
    }

    @ParameterizedTest(name = "best fit of {0} GPU(s): n1 (2 free) scores {1} n2 (8 free)")
    @CsvSource({"1, higher", "2, higher"})
    void bestFitScorerPrefersTheFullerNode(int gpus, String relation) {
        Capacity c = capacity(NodeState.UP, "");
        BestFitScorer s = new BestFitScorer();
        long n1 = s.score(new NodeDemand(0, flavor(c, "v100-16g"), gpus, 0, 0, 0), c, 0);
        long n2 = s.score(new NodeDemand(0, flavor(c, "rtx2080ti-11g"), gpus, 0, 0, 0), c, 1);
        assertEquals(relation, n1 > n2 ? "higher" : "lower");
    }

    @ParameterizedTest(name = "fewest nodes: node {0} scores {1}")
    @CsvSource({"0, 2", "1, 8"})
    void fewestNodesScorerIsTheFreeGpuCount(int node, long score) {
        Capacity c = capacity(NodeState.UP, "");
        String flavor = node == 0 ? "v100-16g" : "rtx2080ti-11g";
        assertEquals(score, new FewestNodesScorer().score(new NodeDemand(0, flavor(c, flavor), 1, 0, 0, 0), c, node));
    }
}
