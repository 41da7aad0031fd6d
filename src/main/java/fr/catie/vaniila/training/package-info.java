/**
 * The built-in training job: DJL data-parallel training over the ranks the scheduler allocates
 * (role {@code train}, one JVM per GPU or per CPU slot), with the project's own collective layer
 * ({@link fr.catie.vaniila.training.collective}).
 *
 * <h2>For the portal and the agents</h2>
 * <ol>
 *   <li>Bind the {@code "training"} object of a job request to {@link fr.catie.vaniila.training.TrainingSpec};
 *   reject it with {@link fr.catie.vaniila.training.TrainingSpec#problems()} when not empty.
 *   Ranks: one per allocated GPU; with no GPU, {@code TrainingSpec.withDefaults().ranks()} CPU slots.</li>
 *   <li>On each node, for each rank: working directory = the job directory, command
 *   {@code java -jar <vaniila.jar> train <TrainingSpec.argv()...>} (the
 *   Spring Boot jar keeps its classes nested: {@code java -cp vaniila.jar fr.catie.vaniila.Vaniila} does not find
 *   them; from an exploded classpath, {@code java -cp <classpath> fr.catie.vaniila.Vaniila train ...} works too), environment
 *   {@code MASTER_ADDR} (host of rank 0, reachable from every node), {@code MASTER_PORT} (a free port on it),
 *   {@code WORLD_SIZE}, {@code RANK}, {@code LOCAL_RANK}, {@code LOCAL_WORLD_SIZE}, {@code CUDA_VISIBLE_DEVICES} (the rank's GPU), and {@code OMP_NUM_THREADS}
 *   (the CPU threads of one rank; 1 when unset, a rank per CPU slot).
 *   A single rank needs none of the four rendezvous variables.</li>
 *   <li>Exit codes: 0 finished; 2 the request, data or environment is wrong (stderr says what to change);
 *   3 a peer rank died or got stuck (stderr names it: the first rank to notice names the culprit, its
 *   neighbours then report that rank stopping); 1 anything else. Any non-zero exit fails the job: stop
 *   the other ranks. A rank never hangs: a silent peer is cut off after 20 s ({@code --comm-timeout}).</li>
 *   <li>Requeue or preemption: run the same command in the same job directory. Rank 0 resumes from the
 *   newest checkpoint in {@code checkpoints/} (one per epoch, {@code epoch-NNNN.ckpt}, the last two kept),
 *   so at most one epoch of work is lost. The learning-rate schedule, data order and (for {@code async})
 *   the parameter server's Adam state resume exactly; the Adam moments of the other strategies live inside
 *   DJL's optimizer, which cannot export them, and restart from zero.</li>
 * </ol>
 *
 * <h2>Metrics file</h2>
 * Rank 0 appends one JSON object per line to {@code metrics.jsonl} in the job directory, flushed per
 * line (tail it; a resumed run appends to the same file). Kinds of lines:
 * <ul>
 *   <li>progress, every 10 steps and at the end of each epoch:
 *   {@code {"step":40,"epoch":1.8182,"loss":0.21,"accuracy":0.94,"samples_per_s":5234.1,"comm_share":0.12,
 *   "staleness":0.0,"learning_rate":0.002,"rank":0}}: {@code step} counts steps over the whole run,
 *   {@code epoch} is fractional; {@code loss} and {@code accuracy} are rank 0's training mini-batch means
 *   over the interval; {@code samples_per_s} is the global rate (all ranks); {@code comm_share} the share
 *   of rank 0's wall time spent in collective operations or waiting on the parameter server;
 *   {@code staleness} the mean staleness of the updates the parameter server applied in the interval
 *   ({@code async}; 0 otherwise);</li>
 *   <li>end of epoch: {@code {"step":44,"epoch":1,"test_accuracy":0.9582,"rank":0}}, plus
 *   {@code "event":"finished"} on the last epoch, whose {@code test_accuracy} is the final model's;</li>
 *   <li>events: {@code {"event":"started"|"resumed","epoch":..,"step":..,"ranks":..,"strategy":..,
 *   "parameters":..,"train_examples":..,"test_examples":..}} and, when rank 0 fails,
 *   {@code {"event":"failed","rank":0,"failed_rank":2,"message":"..."}}.</li>
 * </ul>
 * Numbers are JSON numbers; a value that is not finite is written as {@code null}.
 *
 * <h2>Strategies</h2>
 * <ul>
 *   <li>{@code sync}: gradients averaged by ring all-reduce each step (packed in the parameters' fixed
 *   structural order into buckets of 4 MiB, {@code --bucket-bytes}; with several buckets, one is on the wire
 *   while the next is copied out of the engine), then the same Adam step on every rank:
 *   all ranks hold bit-identical weights after every step. The learning rate is scaled by the number of
 *   ranks (linear scaling rule) with a linear warm-up ({@link fr.catie.vaniila.training.LearningRateSchedule}).</li>
 *   <li>{@code async}: a parameter server on rank 0 (not sharded) applies every worker's gradient on arrival;
 *   stale-synchronous parallel with a bound on how far the fastest worker may run ahead.</li>
 *   <li>{@code decentralized}: D-PSGD, a local step then averaging with the ring neighbours, no global
 *   barrier; the models are averaged over all ranks at the end.</li>
 *   <li>{@code local-sgd}: local steps, models averaged over all ranks every H steps and at the end.</li>
 * </ul>
 * For {@code decentralized} and {@code local-sgd}, the per-epoch test accuracy and checkpoints are rank 0's
 * model (a resume starts every rank from it); the final one is the averaged model.
 * At the end of each epoch rank 0 evaluates the test set and writes the checkpoint alone; the other
 * ranks of {@code sync}, {@code decentralized} and {@code local-sgd} wait for it at a barrier (with the
 * join timeout's patience, 180 s), the only global synchronisation {@code decentralized} has. The
 * {@code async} workers do not stop, but cannot get more than the staleness bound ahead of rank 0:
 * there, evaluation and checkpoint must take less than the communication timeout.
 *
 * <h2>Data</h2>
 * Every rank reads the dataset, splits it with the job's seed (20 % held out for the test), standardises
 * features with the training statistics, and trains on its own shard of each epoch's shuffle (all shards
 * the same length). Datasets: {@code digits} (built in, 1,797 8x8 images), CSV files (numeric features then
 * the label on each line; a header line is skipped), folders of images (one sub-folder per class, resized
 * to {@code imageSize}). Models: {@code mlp}, {@code cnn}, {@code resnet} (the last two need images or a
 * square number of features).
 */
package fr.catie.vaniila.training;
