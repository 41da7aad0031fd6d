package fr.catie.vaniila.training;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The command line of the {@code train} role: a {@link TrainingSpec} plus where this rank keeps
 * its files and how long it waits on peers.
 *
 * @param spec          the job's request, defaults applied
 * @param checkpointDir where rank 0 writes a checkpoint per epoch and every rank looks for one to resume from
 * @param metricsFile   where rank 0 appends metrics (JSON lines)
 * @param digestFile    when not null, every rank appends "step crc32-of-weights" lines here after each step
 *                      ({@code {rank}} in the name is replaced by the rank), to check that ranks agree
 * @param logEvery      steps between two metrics lines
 * @param bucketBytes   {@code sync}: most bytes of gradient in one all-reduce bucket
 * @param joinTimeout   how long ranks wait for each other at start-up
 * @param commTimeout   how long any rank waits on a silent peer before failing the job
 */
public record WorkerOptions(TrainingSpec spec, Path checkpointDir, Path metricsFile, Path digestFile, int logEvery,
        int bucketBytes, Duration joinTimeout, Duration commTimeout) {

    /** Default time a rank waits on a silent peer: a stuck rank fails the job within 30 s. */
    public static final Duration DEFAULT_COMM_TIMEOUT = Duration.ofSeconds(20);
    /** Default size of a gradient bucket, as in PyTorch DDP's order of magnitude: small models fit in one. */
    public static final int DEFAULT_BUCKET_BYTES = 4 * 1024 * 1024;
    /** Default time ranks wait for each other at start-up (JVM start and engine unpacking included). */
    public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(180);

    /**
     * Parses the arguments of the {@code train} role (those of {@link TrainingSpec#argv()} plus
     * {@code --digest-file}, {@code --log-every}, {@code --bucket-bytes}, {@code --join-timeout} and {@code --comm-timeout},
     * the last two in seconds).
     *
     * @throws IllegalArgumentException naming the option to fix
     */
    public static WorkerOptions parse(List<String> args) {
        String dataset = null;
        String model = null;
        String strategy = null;
        Integer epochs = null;
        Integer batch = null;
        Double rate = null;
        Integer bound = null;
        Integer period = null;
        Integer warmup = null;
        Long seed = null;
        Integer imageSize = null;
        Path checkpoints = Path.of(TrainingSpec.CHECKPOINT_DIR);
        Path metrics = Path.of(TrainingSpec.METRICS_FILE);
        Path digest = null;
        int logEvery = 10;
        int bucketBytes = DEFAULT_BUCKET_BYTES;
        Duration join = DEFAULT_JOIN_TIMEOUT;
        Duration comm = DEFAULT_COMM_TIMEOUT;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (!option.startsWith("--")) {
                problems.add("unexpected argument '" + option + "': options start with --");
                continue;
            }
            if (i + 1 >= args.size()) {
                problems.add(option + " needs a value");
                break;
            }
            String value = args.get(++i);
            try {
                switch (option) {
                    case "--dataset" -> dataset = value;
                    case "--model" -> model = value;
                    case "--strategy" -> strategy = value;
                    case "--epochs" -> epochs = Integer.parseInt(value);
                    case "--batch-size" -> batch = Integer.parseInt(value);
                    case "--learning-rate" -> rate = Double.parseDouble(value);
                    case "--staleness-bound" -> bound = Integer.parseInt(value);
                    case "--averaging-period" -> period = Integer.parseInt(value);
                    case "--warmup-epochs" -> warmup = Integer.parseInt(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--image-size" -> imageSize = Integer.parseInt(value);
                    case "--checkpoint-dir" -> checkpoints = Path.of(value);
                    case "--metrics-file" -> metrics = Path.of(value);
                    case "--digest-file" -> digest = Path.of(value);
                    case "--log-every" -> logEvery = Integer.parseInt(value);
                    case "--bucket-bytes" -> bucketBytes = Integer.parseInt(value);
                    case "--join-timeout" -> join = Duration.ofSeconds(Long.parseLong(value));
                    case "--comm-timeout" -> comm = Duration.ofSeconds(Long.parseLong(value));
                    default -> problems.add("unknown option " + option + "; see TrainingSpec.argv() for the accepted ones");
                }
            } catch (NumberFormatException e) {
                problems.add(option + " needs a number, got '" + value + "'");
            }
        }
        TrainingSpec spec = new TrainingSpec(dataset, model, epochs, batch, rate, strategy, bound, period, warmup, seed,
                null, imageSize);
        problems.addAll(spec.problems().stream().map(WorkerOptions::asOption).toList());
        if (logEvery < 1) {
            problems.add("--log-every must be at least 1");
        }
        if (bucketBytes < Float.BYTES) {
            problems.add("--bucket-bytes must be at least " + Float.BYTES + " (one float)");
        }
        if (comm.isNegative() || comm.isZero() || join.isNegative() || join.isZero()) {
            problems.add("--join-timeout and --comm-timeout must be positive numbers of seconds");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new WorkerOptions(spec.withDefaults(), checkpoints, metrics, digest, logEvery, bucketBytes, join, comm);
    }

    /** Rewrites "training.batchSize" in a request problem as the command-line option "--batch-size". */
    private static String asOption(String problem) {
        return Pattern.compile("training\\.(\\w+)").matcher(problem)
                .replaceAll(m -> "--" + m.group(1).replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT));
    }
}
