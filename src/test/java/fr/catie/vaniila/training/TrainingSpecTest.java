package fr.catie.vaniila.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingSpecTest {

    @Test
    void aDatasetAloneIsAValidRequestWithDefaults() {
        TrainingSpec spec = TrainingSpec.of("digits");
        assertEquals(List.of(), spec.problems());
        TrainingSpec full = spec.withDefaults();
        assertEquals("mlp", full.model());
        assertEquals("sync", full.strategy());
        assertEquals(TrainingSpec.DEFAULT_EPOCHS, full.epochs());
        assertEquals(TrainingSpec.DEFAULT_BATCH_SIZE, full.batchSize());
        assertEquals(1, full.ranks());
    }

    @Test
    void everyMistakeIsReportedWithTheFieldAndWhatToChange() {
        TrainingSpec bad = new TrainingSpec(" ", "transformer", 0, 100_000, -1.0, "gossip", null, null, null, null, 0, null);
        List<String> problems = bad.problems();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("training.dataset is required")), problems.toString());
        assertTrue(problems.contains("training.model 'transformer' is unknown: use one of mlp, cnn, resnet"), problems.toString());
        assertTrue(problems.contains("training.strategy 'gossip' is unknown: use one of sync, async, decentralized, local-sgd"),
                problems.toString());
        assertTrue(problems.contains("training.epochs must be between 1 and 10000, got 0"), problems.toString());
        assertTrue(problems.contains("training.batchSize must be between 1 and 65536, got 100000"), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("training.learningRate must be greater than 0")), problems.toString());
        assertTrue(problems.contains("training.ranks must be between 1 and 1024, got 0"), problems.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::argv);
        assertTrue(e.getMessage().contains("training.epochs"), e.getMessage());
    }

    @Test
    void strategySpecificOptionsAreRefusedForOtherStrategies() {
        TrainingSpec spec = new TrainingSpec("digits", null, null, null, null, "sync", 3, 4, null, null, null, null);
        assertEquals(List.of(
                "training.stalenessBound only applies to strategy \"async\": remove it or set the strategy to async",
                "training.averagingPeriod only applies to strategy \"local-sgd\": remove it or set the strategy to local-sgd"),
                spec.problems());
    }

    @Test
    void argvRoundTripsThroughTheWorkerCommandLine() {
        for (String strategy : List.of("sync", "async", "decentralized", "local-sgd")) {
            TrainingSpec spec = new TrainingSpec("data/train.csv.gz", "cnn", 12, 16, 0.002, strategy, null, null, null, 7L,
                    null, null);
            List<String> argv = spec.argv();
            assertEquals("--checkpoint-dir", argv.get(argv.size() - 4));
            WorkerOptions options = WorkerOptions.parse(argv);
            TrainingSpec parsed = options.spec();
            TrainingSpec expected = spec.withDefaults();
            assertEquals(expected.dataset(), parsed.dataset());
            assertEquals(expected.model(), parsed.model());
            assertEquals(expected.epochs(), parsed.epochs());
            assertEquals(expected.batchSize(), parsed.batchSize());
            assertEquals(expected.learningRate(), parsed.learningRate());
            assertEquals(expected.strategy(), parsed.strategy());
            assertEquals(expected.stalenessBound(), parsed.stalenessBound());
            assertEquals(expected.averagingPeriod(), parsed.averagingPeriod());
            assertEquals(expected.warmupEpochs(), parsed.warmupEpochs());
            assertEquals(expected.seed(), parsed.seed());
            assertEquals(Path.of(TrainingSpec.CHECKPOINT_DIR), options.checkpointDir());
            assertEquals(Path.of(TrainingSpec.METRICS_FILE), options.metricsFile());
        }
    }

    @Test
    void badCommandLinesNameTheOptionToFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkerOptions.parse(List.of("--dataset", "digits", "--batch-size", "x", "--bogus", "1", "--epochs", "0")));
        assertTrue(e.getMessage().contains("--batch-size needs a number, got 'x'"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown option --bogus"), e.getMessage());
        assertTrue(e.getMessage().contains("--epochs must be between 1 and 10000, got 0"), e.getMessage());
    }
}
