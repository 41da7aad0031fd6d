package fr.catie.vaniila.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsAndCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void metricsAreOneJsonObjectPerLineAppendedAcrossRuns() throws Exception {
        Path file = dir.resolve("sub/metrics.jsonl");
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", 10L);
        line.put("loss", 0.25);
        line.put("accuracy", Double.NaN);
        line.put("message", "rank \"2\"\nleft");
        try (MetricsLog log = new MetricsLog(file)) {
            log.write(line);
        }
        try (MetricsLog log = new MetricsLog(file)) {
            log.write(Map.of("epoch", 1));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(List.of("{\"step\":10,\"loss\":0.250000,\"accuracy\":null,\"message\":\"rank \\\"2\\\"\\nleft\"}",
                "{\"epoch\":1}"), lines);
    }

    @Test
    void checkpointsRoundTripAndOnlyTheLastTwoAreKept() throws Exception {
        for (int epoch = 1; epoch <= 3; epoch++) {
            Checkpoint.OptimizerState state = epoch == 3
                    ? new Checkpoint.OptimizerState(new float[] {1, 2}, new float[] {3, 4}, 7, 9) : null;
            new Checkpoint(epoch, epoch * 10L, "mlp x", new float[] {epoch, -epoch}, state).save(dir);
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of("epoch-0002.ckpt", "epoch-0003.ckpt"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Checkpoint latest = Checkpoint.latest(dir).orElseThrow();
        assertEquals(3, latest.epochsDone());
        assertEquals(30L, latest.globalStep());
        assertEquals("mlp x", latest.fingerprint());
        assertArrayEquals(new float[] {3, -3}, latest.weights());
        assertArrayEquals(new float[] {3, 4}, latest.optimizer().variance());
        assertEquals(9, latest.optimizer().version());
        assertTrue(Checkpoint.latest(dir.resolve("none")).isEmpty());
    }

    @Test
    void flatAdamTakesAStepOfTheLearningRateAgainstTheGradientSign() {
        FlatAdam adam = new FlatAdam(2);
        float[] w = {1f, 1f};
        adam.apply(w, new float[] {0.5f, -2f}, 0.1f);
        // first Adam step: m/sqrt(v) after bias correction is sign(g)
        assertEquals(0.9f, w[0], 1e-5);
        assertEquals(1.1f, w[1], 1e-5);
        assertEquals(1, adam.steps());
    }
}
