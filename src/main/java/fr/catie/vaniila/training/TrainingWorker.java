package fr.catie.vaniila.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import fr.catie.vaniila.training.collective.Collective;
import fr.catie.vaniila.training.collective.RankEnvironment;
import fr.catie.vaniila.training.data.DatasetLoader;
import fr.catie.vaniila.training.data.Examples;
import fr.catie.vaniila.training.data.TrainTestSplit;
import fr.catie.vaniila.training.model.Models;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One rank of a data-parallel training job: loads the data and takes its shard, builds the model,
 * joins the other ranks, starts from rank 0's weights (or the last checkpoint), and runs the
 * epochs with the job's {@link Strategy}. DJL computes each step's gradients; the exchange
 * between ranks happens between the backward pass and the optimizer step, because DJL has no
 * multi-process training of its own.
 *
 * <p>Not thread-safe: one instance per process, run once.
 */
final class TrainingWorker {

    private final WorkerOptions options;
    private final TrainingSpec spec;
    private final RankEnvironment env;
    private final Path workDir;

    private Collective collective;
    private Trainer trainer;
    private FlatParameters flat;
    private GradientBuckets buckets;
    /** All-reduces bucket k while the training thread copies bucket k+1 out of the engine; used when there are several buckets. */
    private ExecutorService communication;
    private ByteBuffer buffer;
    private MetricsLog metrics;
    private BufferedWriter digests;
    private ParameterServer server;
    private ParameterServer.Client serverClient;
    private long serverVersion;
    private long globalStep;
    private LearningRateSchedule schedule;

    TrainingWorker(WorkerOptions options, RankEnvironment env, Path workDir) {
        this.options = options;
        this.spec = options.spec();
        this.env = env;
        this.workDir = workDir;
    }

    /** Runs the job to the end; returns the final test accuracy (meaningful on rank 0). */
    double run() throws Exception {
        Examples all = DatasetLoader.load(spec.dataset(), workDir, spec.imageSize());
        boolean images = all.sampleShape().length == 3 && !spec.dataset().equals(TrainingSpec.DIGITS);
        TrainTestSplit split = TrainTestSplit.of(all, spec.seed(), !images);
        int perRank = split.train().size() / env.worldSize();
        if (perRank < spec.batchSize()) {
            throw new IllegalArgumentException("batchSize " + spec.batchSize() + " is larger than the " + perRank
                    + " training examples each of the " + env.worldSize() + " ranks gets: lower batchSize to at most "
                    + Math.max(1, perRank) + ", or use fewer ranks");
        }
        int stepsPerEpoch = perRank / spec.batchSize();
        Models.BuiltModel built = Models.build(spec.modelOrDefault(), all.sampleShape(), all.classes());
        Strategy strategy = spec.strategyOrDefault();
        // Only sync averages gradients over the global batch; the other strategies step on one rank's batch.
        float scale = strategy == Strategy.SYNC ? env.worldSize() : 1;
        schedule = new LearningRateSchedule(spec.learningRate().floatValue(), scale,
                strategy == Strategy.SYNC && scale > 1 ? spec.warmupEpochs() * stepsPerEpoch : 0);

        Engine engine = Engine.getInstance();
        engine.setRandomSeed((int) spec.seed().longValue());
        Device device = device(engine);
        try (Collective c = Collective.join(env, options.joinTimeout(), options.commTimeout());
             Model model = Model.newInstance("vaniila-" + spec.modelOrDefault().wireName(), device)) {
            collective = c;
            model.setBlock(built.block());
            Optimizer optimizer = Optimizer.adam()
                    // the step counter, not DJL's per-parameter update count, survives a resume
                    .optLearningRateTracker((ParameterTracker) (parameterId, update) -> schedule.rateAt(globalStep))
                    .build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer).optDevices(new Device[] {device});
            try (Trainer t = model.newTrainer(config)) {
                trainer = t;
                trainer.initialize(new Shape(1).addAll(built.inputShape()));
                flat = new FlatParameters(built.block());
                buffer = Collective.allocate(flat.size());
                buckets = GradientBuckets.pack(flat.parameterSizes(), options.bucketBytes() / Float.BYTES);
                String fingerprint = spec.modelOrDefault().wireName() + " " + describe(all) + " " + flat.size() + " parameters";
                int startEpoch = start(fingerprint, strategy);
                if (env.rank() == 0) {
                    metrics = new MetricsLog(workDir.resolve(options.metricsFile()));
                    Map<String, Object> started = new LinkedHashMap<>();
                    started.put("event", startEpoch > 0 ? "resumed" : "started");
                    started.put("epoch", startEpoch);
                    started.put("step", globalStep);
                    started.put("ranks", env.worldSize());
                    started.put("strategy", strategy.wireName());
                    started.put("parameters", flat.size());
                    started.put("train_examples", split.train().size());
                    started.put("test_examples", split.test().size());
                    metrics.write(started);
                }
                if (options.digestFile() != null) {
                    Path file = workDir.resolve(options.digestFile().toString().replace("{rank}", Integer.toString(env.rank())));
                    digests = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                }
                double accuracy = Double.NaN;
                for (int epoch = startEpoch; epoch < spec.epochs(); epoch++) {
                    accuracy = epoch(split, epoch, stepsPerEpoch, strategy, built.inputShape(), fingerprint);
                }
                if (server != null) {
                    server.close(); // its serving threads end with the workers' final messages
                }
                if (startEpoch >= spec.epochs() && env.rank() == 0) {
                    accuracy = evaluate(split.test(), built.inputShape());
                }
                collective.barrier();
                return accuracy;
            } finally {
                if (metrics != null) {
                    metrics.close();
                }
                if (communication != null) {
                    communication.shutdownNow();
                }
                if (digests != null) {
                    digests.close();
                }
            }
        }
    }

    /**
     * The rank's GPU when there is one: the agent normally shows each rank only its own GPU
     * ({@code CUDA_VISIBLE_DEVICES}), which is then GPU 0; when it shows a node's ranks all of the
     * node's GPUs, rank {@code LOCAL_RANK} takes the GPU of that index.
     */
    private static Device device(Engine engine) {
        int gpus = engine.getGpuCount();
        if (gpus == 0) {
            return Device.cpu();
        }
        String local = System.getenv("LOCAL_RANK");
        int localRank = local != null && local.trim().matches("\\d+") ? Integer.parseInt(local.trim()) : 0;
        return Device.gpu(localRank % gpus);
    }

    private static String describe(Examples all) {
        StringBuilder b = new StringBuilder("input");
        for (long d : all.sampleShape()) {
            b.append('x').append(d);
        }
        return b.append(' ').append(all.classes()).append(" classes").toString();
    }

    /** Loads the last checkpoint on rank 0 and gives every rank its weights and position. */
    private int start(String fingerprint, Strategy strategy) throws IOException {
        ByteBuffer position = ByteBuffer.allocateDirect(16);
        Checkpoint checkpoint = null;
        if (env.rank() == 0) {
            checkpoint = Checkpoint.latest(workDir.resolve(options.checkpointDir())).orElse(null);
            if (checkpoint != null) {
                if (!checkpoint.fingerprint().equals(fingerprint)) {
                    throw new IllegalArgumentException("the checkpoint directory " + options.checkpointDir()
                            + " holds a checkpoint of another model (" + checkpoint.fingerprint() + ", this job trains "
                            + fingerprint + "): use a fresh job directory or remove the checkpoints");
                }
                FlatParameters.fromArray(checkpoint.weights(), buffer);
                flat.writeValues(buffer, trainer.getManager());
                position.putInt(0, checkpoint.epochsDone()).putLong(8, checkpoint.globalStep());
            }
            flat.readValues(buffer);
        }
        collective.broadcast(position);
        collective.broadcast(buffer);
        if (env.rank() != 0) {
            flat.writeValues(buffer, trainer.getManager());
        }
        globalStep = position.getLong(8);
        int startEpoch = position.getInt(0);
        if (strategy == Strategy.ASYNC && startEpoch < spec.epochs()) {
            FlatAdam adam = new FlatAdam(flat.size());
            serverVersion = 0;
            if (checkpoint != null && checkpoint.optimizer() != null) {
                Checkpoint.OptimizerState s = checkpoint.optimizer();
                adam = new FlatAdam(s.mean(), s.variance(), s.steps());
                serverVersion = s.version();
            }
            if (env.rank() == 0) {
                server = new ParameterServer(collective, FlatParameters.toArray(buffer), adam, serverVersion, schedule,
                        spec.stalenessBound(), options.commTimeout());
                server.start();
            }
            serverClient = new ParameterServer.Client(collective, server, flat.size());
        }
        return startEpoch;
    }

    private double epoch(TrainTestSplit split, int epoch, int steps, Strategy strategy, Shape inputShape,
            String fingerprint) throws Exception {
        int[] shard = split.shard(spec.seed(), epoch, env.rank(), env.worldSize());
        Examples train = split.train();
        int batch = spec.batchSize();
        int length = train.sampleLength();
        long intervalStart = System.nanoTime();
        long commNanos = 0;
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        int intervalSteps = 0;
        boolean lastEpoch = epoch == spec.epochs() - 1;
        for (int s = 0; s < steps; s++) {
            float[] features = new float[batch * length];
            float[] labels = new float[batch];
            for (int i = 0; i < batch; i++) {
                int index = shard[s * batch + i];
                System.arraycopy(train.features(), index * length, features, i * length, length);
                labels[i] = train.labels()[index];
            }
            try (NDManager step = trainer.getManager().newSubManager()) {
                NDList data = new NDList(step.create(features, new Shape(batch).addAll(inputShape)));
                NDList label = new NDList(step.create(labels, new Shape(batch)));
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDList prediction = trainer.forward(data, label);
                    NDArray loss = trainer.getLoss().evaluate(label, prediction);
                    collector.backward(loss);
                    lossSum += loss.getFloat();
                    long[] predicted = prediction.singletonOrThrow().argMax(1).toLongArray();
                    for (int i = 0; i < batch; i++) {
                        if (predicted[i] == (long) labels[i]) {
                            correct++;
                        }
                    }
                }
                seen += batch;
                commNanos += exchange(strategy, step, lastEpoch && s == steps - 1);
            }
            globalStep++;
            intervalSteps++;
            if (digests != null) {
                digests.write(globalStep + " " + Long.toHexString(flat.digest()));
                digests.newLine();
                digests.flush();
            }
            if (metrics != null && (globalStep % options.logEvery() == 0 || s == steps - 1)) {
                long now = System.nanoTime();
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("step", globalStep);
                line.put("epoch", epoch + (s + 1) / (double) steps);
                line.put("loss", lossSum / intervalSteps);
                line.put("accuracy", correct / (double) seen);
                line.put("samples_per_s", seen * (double) env.worldSize() / ((now - intervalStart) / 1e9));
                line.put("comm_share", commNanos / (double) (now - intervalStart));
                line.put("staleness", server == null ? 0.0 : server.drainStaleness()[0]);
                line.put("learning_rate", (double) schedule.rateAt(globalStep - 1));
                line.put("rank", env.rank());
                metrics.write(line);
                intervalStart = now;
                commNanos = 0;
                lossSum = 0;
                correct = 0;
                seen = 0;
                intervalSteps = 0;
            }
        }
        if (env.rank() != 0) {
            endOfEpoch(strategy);
            return Double.NaN;
        }
        double accuracy = evaluate(split.test(), inputShape);
        float[] weights = new float[flat.size()];
        Checkpoint.OptimizerState state = null;
        if (server != null) {
            state = server.snapshot(weights);
        } else {
            flat.readValues(buffer);
            weights = FlatParameters.toArray(buffer);
        }
        new Checkpoint(epoch + 1, globalStep, fingerprint, weights, state).save(workDir.resolve(options.checkpointDir()));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", globalStep);
        line.put("epoch", epoch + 1);
        line.put("test_accuracy", accuracy);
        line.put("rank", env.rank());
        if (lastEpoch) {
            line.put("event", "finished");
        }
        metrics.write(line);
        endOfEpoch(strategy);
        return accuracy;
    }

    /**
     * Rank 0 evaluates and writes the checkpoint alone; the others wait here with the join
     * timeout's patience rather than in the next exchange, whose timeout is meant for stuck peers.
     * Not for {@code async}: its workers run unsynchronised and the star links belong to the
     * parameter server.
     */
    private void endOfEpoch(Strategy strategy) {
        if (strategy != Strategy.ASYNC) {
            collective.barrier(options.joinTimeout());
        }
    }

    /**
     * The strategy's exchange for one step, between the backward pass and the update.
     *
     * @return nanoseconds spent communicating (in collective operations or waiting on the parameter server)
     */
    private long exchange(Strategy strategy, NDManager step, boolean finalStep) {
        long comm = 0;
        switch (strategy) {
            case SYNC -> {
                comm += allReduceGradients(step);
                trainer.step();
            }
            case LOCAL_SGD -> {
                trainer.step();
                if ((globalStep + 1) % spec.averagingPeriod() == 0 || finalStep) {
                    comm += averageWeights(step);
                }
            }
            case DECENTRALIZED -> {
                trainer.step();
                flat.readValues(buffer);
                long start = System.nanoTime();
                collective.neighbourAverage(buffer);
                comm += System.nanoTime() - start;
                flat.writeValues(buffer, step);
                if (finalStep) {
                    comm += averageWeights(step); // D-PSGD's consensus model: the mean of all ranks' models
                }
            }
            case ASYNC -> {
                flat.readGradients(buffer);
                flat.zeroGradients();
                float[] gradient = FlatParameters.toArray(buffer);
                long start = System.nanoTime();
                ParameterServer.Reply reply = serverClient.push(gradient, serverVersion);
                if (finalStep) {
                    reply = serverClient.finish();
                }
                comm += System.nanoTime() - start;
                serverVersion = reply.version();
                FlatParameters.fromArray(reply.parameters(), buffer);
                flat.writeValues(buffer, step);
            }
        }
        return comm;
    }

    /**
     * Averages the gradients bucket by bucket, in the fixed bucket order. With several buckets,
     * bucket k is on the wire (communication thread) while this thread copies bucket k+1 out of
     * the engine; results are written back in order as they complete.
     *
     * @return nanoseconds spent in all-reduce calls
     */
    private long allReduceGradients(NDManager step) {
        List<GradientBuckets.Bucket> all = buckets.buckets();
        if (all.size() == 1) {
            flat.readGradients(buffer);
            long start = System.nanoTime();
            collective.allReduce(buffer, Collective.Reduction.AVERAGE);
            long comm = System.nanoTime() - start;
            flat.writeGradients(buffer, step);
            return comm;
        }
        if (communication == null) {
            communication = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "gradient-all-reduce");
                t.setDaemon(true);
                return t;
            });
        }
        List<Future<Long>> inFlight = new ArrayList<>();
        for (GradientBuckets.Bucket bucket : all) {
            flat.readGradients(buffer, bucket.firstParameter(), bucket.endParameter());
            ByteBuffer slice = buffer.slice(bucket.offset() * Float.BYTES, bucket.length() * Float.BYTES)
                    .order(buffer.order());
            inFlight.add(communication.submit(() -> {
                long start = System.nanoTime();
                collective.allReduce(slice, Collective.Reduction.AVERAGE);
                return System.nanoTime() - start;
            }));
        }
        long comm = 0;
        for (int i = 0; i < all.size(); i++) {
            try {
                comm += inFlight.get(i).get();
            } catch (ExecutionException e) {
                inFlight.forEach(f -> f.cancel(true));
                if (e.getCause() instanceof RuntimeException failure) {
                    throw failure;
                }
                throw new IllegalStateException("gradient all-reduce failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while averaging gradients", e);
            }
            GradientBuckets.Bucket bucket = all.get(i);
            flat.writeGradients(buffer, bucket.firstParameter(), bucket.endParameter(), step);
        }
        return comm;
    }

    private long averageWeights(NDManager step) {
        flat.readValues(buffer);
        long start = System.nanoTime();
        collective.allReduce(buffer, Collective.Reduction.AVERAGE);
        long comm = System.nanoTime() - start;
        flat.writeValues(buffer, step);
        return comm;
    }

    private double evaluate(Examples test, Shape inputShape) {
        int length = test.sampleLength();
        long correct = 0;
        int chunk = 256;
        for (int from = 0; from < test.size(); from += chunk) {
            int n = Math.min(chunk, test.size() - from);
            float[] features = new float[n * length];
            System.arraycopy(test.features(), from * length, features, 0, n * length);
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDArray out = trainer.evaluate(new NDList(m.create(features, new Shape(n).addAll(inputShape))))
                        .singletonOrThrow();
                long[] predicted = out.argMax(1).toLongArray();
                for (int i = 0; i < n; i++) {
                    if (predicted[i] == test.labels()[from + i]) {
                        correct++;
                    }
                }
            }
        }
        return correct / (double) test.size();
    }
}
