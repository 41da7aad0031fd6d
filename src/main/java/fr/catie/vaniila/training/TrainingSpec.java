package fr.catie.vaniila.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a user asks of a built-in training job: the {@code "training"} object of
 * {@code POST /api/v1/jobs} with {@code "type":"training"}. Every field but {@code dataset} is
 * optional (null means the default, which reaches about 97 % test accuracy on the built-in
 * digits set with an MLP).
 *
 * <p>Use: bind the JSON to this record, report {@link #problems()} to the user if not empty,
 * then have the agent run {@code java -jar vaniila.jar train} with
 * {@link #argv()} in the job directory (see the package documentation for the environment).
 *
 * <p>Immutable; the canonical constructor never throws so that all problems can be reported at
 * once.
 *
 * @param dataset         {@code "digits"} (built in), a CSV file ({@code .csv} or {@code .csv.gz}:
 *                        features then an integer label per line), or a directory of images with
 *                        one sub-directory per class; relative paths resolve against the job directory
 * @param model           {@code mlp} (default), {@code cnn} or {@code resnet}
 * @param epochs          passes over the training set (default {@value #DEFAULT_EPOCHS})
 * @param batchSize       examples per rank per step (default {@value #DEFAULT_BATCH_SIZE}); the global batch is this times the ranks
 * @param learningRate    Adam learning rate for one rank's batch (default {@value #DEFAULT_LEARNING_RATE}); {@code sync} scales it by the number of ranks
 * @param strategy        {@code sync} (default), {@code async}, {@code decentralized} or {@code local-sgd}
 * @param stalenessBound  {@code async} only: how many steps the fastest worker may run ahead of the slowest (default {@value #DEFAULT_STALENESS_BOUND})
 * @param averagingPeriod {@code local-sgd} only: H, the steps between two averagings (default {@value #DEFAULT_AVERAGING_PERIOD})
 * @param warmupEpochs    {@code sync} only: epochs of gradual learning-rate warm-up (default {@value #DEFAULT_WARMUP_EPOCHS})
 * @param seed            seed of the data split, shuffling and initial weights (default {@value #DEFAULT_SEED})
 * @param ranks           number of ranks on CPU slots when the job asks for no GPU (default 1); with GPUs, one rank per GPU
 * @param imageSize       image-folder datasets only: images are resized to this many pixels square (default {@value #DEFAULT_IMAGE_SIZE})
 */
public record TrainingSpec(String dataset, String model, Integer epochs, Integer batchSize, Double learningRate,
        String strategy, Integer stalenessBound, Integer averagingPeriod, Integer warmupEpochs, Long seed,
        Integer ranks, Integer imageSize) {

    /** Name of the built-in dataset. */
    public static final String DIGITS = "digits";
    /** Default number of epochs. */
    public static final int DEFAULT_EPOCHS = 30;
    /** Default per-rank batch size. */
    public static final int DEFAULT_BATCH_SIZE = 32;
    /** Default learning rate for one rank. */
    public static final double DEFAULT_LEARNING_RATE = 0.001;
    /** Default stale-synchronous bound of {@code async}. */
    public static final int DEFAULT_STALENESS_BOUND = 2;
    /** Default H of {@code local-sgd}. */
    public static final int DEFAULT_AVERAGING_PERIOD = 8;
    /** Default warm-up of {@code sync}. */
    public static final int DEFAULT_WARMUP_EPOCHS = 3;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;
    /** Default image side in pixels. */
    public static final int DEFAULT_IMAGE_SIZE = 28;
    /** Directory, relative to the job directory, where {@link #argv()} tells ranks to keep checkpoints. */
    public static final String CHECKPOINT_DIR = "checkpoints";
    /** File, relative to the job directory, where {@link #argv()} tells rank 0 to write metrics (JSON lines). */
    public static final String METRICS_FILE = "metrics.jsonl";

    /** A spec with only a dataset: every other field takes its default. */
    public static TrainingSpec of(String dataset) {
        return new TrainingSpec(dataset, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * @return every mistake in this request, each a sentence naming the field and what to change;
     *         empty when the request is valid
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (dataset == null || dataset.isBlank()) {
            problems.add("training.dataset is required: \"digits\" for the built-in set, a CSV file (.csv or .csv.gz) "
                    + "in your workspace, or a folder of images with one sub-folder per class");
        } else if (dataset.indexOf('\0') >= 0 || dataset.contains("\n")) {
            problems.add("training.dataset must be a plain path without control characters");
        }
        if (model != null && ModelArchitecture.fromWireName(model).isEmpty()) {
            problems.add("training.model '" + model + "' is unknown: use one of " + ModelArchitecture.choices());
        }
        if (strategy != null && Strategy.fromWireName(strategy).isEmpty()) {
            problems.add("training.strategy '" + strategy + "' is unknown: use one of " + Strategy.choices());
        }
        range(problems, "epochs", epochs, 1, 10_000);
        range(problems, "batchSize", batchSize, 1, 65_536);
        range(problems, "stalenessBound", stalenessBound, 0, 1_000);
        range(problems, "averagingPeriod", averagingPeriod, 1, 100_000);
        range(problems, "warmupEpochs", warmupEpochs, 0, 1_000);
        range(problems, "ranks", ranks, 1, 1_024);
        range(problems, "imageSize", imageSize, 4, 512);
        if (learningRate != null && !(learningRate > 0 && learningRate <= 10)) {
            problems.add("training.learningRate must be greater than 0 and at most 10 (typical: 0.0001 to 0.01), got "
                    + learningRate);
        }
        Strategy s = strategy == null ? Strategy.SYNC : Strategy.fromWireName(strategy).orElse(null);
        if (s != null && s != Strategy.ASYNC && stalenessBound != null) {
            problems.add("training.stalenessBound only applies to strategy \"async\": remove it or set the strategy to async");
        }
        if (s != null && s != Strategy.SYNC && warmupEpochs != null) {
            problems.add("training.warmupEpochs only applies to strategy \"sync\" (the only one whose learning rate "
                    + "is scaled with the global batch): remove it or set the strategy to sync");
        }
        if (s != null && s != Strategy.LOCAL_SGD && averagingPeriod != null) {
            problems.add("training.averagingPeriod only applies to strategy \"local-sgd\": remove it or set the strategy to local-sgd");
        }
        return problems;
    }

    private static void range(List<String> problems, String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            problems.add("training." + field + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    /**
     * @return this request with every default filled in
     * @throws IllegalArgumentException listing {@link #problems()} when the request is invalid
     */
    public TrainingSpec withDefaults() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new TrainingSpec(dataset.trim(), model == null ? ModelArchitecture.MLP.wireName() : model,
                epochs == null ? DEFAULT_EPOCHS : epochs, batchSize == null ? DEFAULT_BATCH_SIZE : batchSize,
                learningRate == null ? DEFAULT_LEARNING_RATE : learningRate,
                strategy == null ? Strategy.SYNC.wireName() : strategy,
                stalenessBound == null ? DEFAULT_STALENESS_BOUND : stalenessBound,
                averagingPeriod == null ? DEFAULT_AVERAGING_PERIOD : averagingPeriod,
                warmupEpochs == null ? DEFAULT_WARMUP_EPOCHS : warmupEpochs, seed == null ? DEFAULT_SEED : seed,
                ranks == null ? 1 : ranks, imageSize == null ? DEFAULT_IMAGE_SIZE : imageSize);
    }

    /** @return the strategy, default applied */
    public Strategy strategyOrDefault() {
        return strategy == null ? Strategy.SYNC : Strategy.fromWireName(strategy).orElseThrow();
    }

    /** @return the model architecture, default applied */
    public ModelArchitecture modelOrDefault() {
        return model == null ? ModelArchitecture.MLP : ModelArchitecture.fromWireName(model).orElseThrow();
    }

    /**
     * The arguments of the {@code train} role for this request (after the role name), with the
     * checkpoints in {@value #CHECKPOINT_DIR} and the metrics in {@value #METRICS_FILE}, both
     * relative to the working directory, which must be the job directory. The number of ranks
     * is not an argument: it comes from {@code WORLD_SIZE}.
     *
     * @throws IllegalArgumentException listing {@link #problems()} when the request is invalid
     */
    public List<String> argv() {
        TrainingSpec s = withDefaults();
        List<String> argv = new ArrayList<>(List.of("--dataset", s.dataset, "--model", s.model,
                "--epochs", s.epochs.toString(), "--batch-size", s.batchSize.toString(),
                "--learning-rate", String.format(Locale.ROOT, "%s", s.learningRate), "--strategy", s.strategy,
                "--seed", s.seed.toString(), "--image-size", s.imageSize.toString()));
        switch (s.strategyOrDefault()) {
            case SYNC -> argv.addAll(List.of("--warmup-epochs", s.warmupEpochs.toString()));
            case ASYNC -> argv.addAll(List.of("--staleness-bound", s.stalenessBound.toString()));
            case LOCAL_SGD -> argv.addAll(List.of("--averaging-period", s.averagingPeriod.toString()));
            case DECENTRALIZED -> {
                // no strategy-specific option
            }
        }
        argv.addAll(List.of("--checkpoint-dir", CHECKPOINT_DIR, "--metrics-file", METRICS_FILE));
        return List.copyOf(argv);
    }
}
