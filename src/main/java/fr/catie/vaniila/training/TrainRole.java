package fr.catie.vaniila.training;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import fr.catie.vaniila.training.collective.CollectiveException;
import fr.catie.vaniila.training.collective.RankEnvironment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The {@code train} role of the jar: one rank of a data-parallel training job. The agent starts
 * one such process per GPU (or per CPU slot) with the launcher's environment; see the package
 * documentation.
 *
 * <p>Exit codes: 0 done; 2 the request or environment is wrong (the message says what to
 * change); 3 another rank failed or got stuck (the message names it); 1 anything else.
 */
public final class TrainRole {

    /** Exit code when the user's request, data or environment must be fixed. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code when a peer rank died or got stuck. */
    public static final int EXIT_RANK_FAILED = 3;

    private TrainRole() {
    }

    /**
     * Runs one rank with the arguments after the role name.
     *
     * @return the process exit code
     */
    public static int run(String[] args) {
        quietLibraries();
        System.setProperty("ai.djl.offline", "true");
        RankEnvironment env;
        WorkerOptions options;
        try {
            env = RankEnvironment.fromEnvironment(System.getenv());
            options = WorkerOptions.parse(Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            System.err.println("train: " + e.getMessage());
            return EXIT_BAD_INPUT;
        }
        limitThreads();
        Path workDir = Path.of("").toAbsolutePath();
        try {
            double accuracy = new TrainingWorker(options, env, workDir).run();
            if (env.rank() == 0) {
                System.out.printf(Locale.ROOT, "train: finished, test accuracy %.4f%n", accuracy);
            }
            return 0;
        } catch (CollectiveException e) {
            report(options, env, e.getMessage(), e.peerRank());
            return EXIT_RANK_FAILED;
        } catch (IllegalArgumentException e) {
            report(options, env, e.getMessage(), -1);
            return EXIT_BAD_INPUT;
        } catch (Exception e) {
            e.printStackTrace();
            report(options, env, e.toString(), -1);
            return 1;
        }
    }

    private static void report(WorkerOptions options, RankEnvironment env, String message, int peer) {
        System.err.println("train: rank " + env.rank() + " of " + env.worldSize() + " failed: " + message);
        if (env.rank() != 0) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", "failed");
        line.put("rank", env.rank());
        if (peer >= 0) {
            line.put("failed_rank", peer);
        }
        line.put("message", message);
        try (MetricsLog log = new MetricsLog(Path.of("").toAbsolutePath().resolve(options.metricsFile()))) {
            log.write(line);
        } catch (Exception ignored) {
            // the message is already on stderr, which the agent ships with the job's logs
        }
    }

    /**
     * PyTorch's default of one thread per core in every rank oversubscribes a node where several
     * ranks (or other jobs) share the cores, and its spinning worker threads then slow a step by
     * ten times. A rank takes {@code OMP_NUM_THREADS} threads when the launcher sets it (the usual
     * way to give a process its cores), and one thread otherwise: a rank per CPU slot.
     */
    private static void limitThreads() {
        String omp = System.getenv("OMP_NUM_THREADS");
        int threads = omp != null && omp.trim().matches("\\d+") && Integer.parseInt(omp.trim()) > 0
                ? Integer.parseInt(omp.trim()) : 1;
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** A rank's output is the job's log: the engine's debug chatter would drown the messages that matter. */
    private static void quietLibraries() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        }
    }
}
