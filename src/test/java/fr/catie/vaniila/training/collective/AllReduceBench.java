package fr.catie.vaniila.training.collective;

import java.io.File;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Bench command: times {@link Collective#allReduce} (SUM of floats) between N rank processes on
 * this machine, with the timing rule of {@code ../shared/bench/mpi-allreduce/allreduce_bench.c}
 * so that the two compare directly: warm-up, barrier, {@code iters} back-to-back calls, the
 * per-rank mean, the maximum over ranks; also the fastest single call (barrier before each).
 * {@code busbw = S/t * 2(n-1)/n} (nccl-tests). Correctness: rank r contributes r+1.
 *
 * <p>Usage: {@code java -cp <test classpath> fr.catie.vaniila.training.collective.AllReduceBench
 * RANKS [BYTES...]}; env {@code BENCH_ITERS_SCALE}, {@code BENCH_LABEL}, {@code BENCH_CHUNK_BYTES}.
 * Prints a table and {@code CSV,...} lines in the format of the MPI bench (for summarize.py).
 */
public final class AllReduceBench {

    private AllReduceBench() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getenv("RANK") != null) {
            rank(args);
            return;
        }
        int ranks = Integer.parseInt(args[0]);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<Process> processes = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin"
                    + File.separator + "java", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                    AllReduceBench.class.getName()));
            for (int i = 1; i < args.length; i++) {
                command.add(args[i]);
            }
            ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
            pb.environment().put("MASTER_ADDR", "127.0.0.1");
            pb.environment().put("MASTER_PORT", Integer.toString(port));
            pb.environment().put("WORLD_SIZE", Integer.toString(ranks));
            pb.environment().put("RANK", Integer.toString(r));
            processes.add(pb.start());
        }
        int failed = 0;
        for (Process p : processes) {
            failed += p.waitFor() == 0 ? 0 : 1;
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    private static int itersFor(long bytes, double scale) {
        int it = bytes <= (1 << 20) ? 200 : bytes <= (16 << 20) ? 30 : 10;
        return Math.max(2, (int) (it * scale));
    }

    private static void rank(String[] args) throws Exception {
        RankEnvironment env = RankEnvironment.fromEnvironment(System.getenv());
        double scale = Double.parseDouble(System.getenv().getOrDefault("BENCH_ITERS_SCALE", "1"));
        String label = System.getenv().getOrDefault("BENCH_LABEL", "java-ring");
        int chunk = Integer.parseInt(System.getenv().getOrDefault("BENCH_CHUNK_BYTES",
                Integer.toString(Collective.DEFAULT_CHUNK_BYTES)));
        long[] sizes = args.length == 0 ? new long[] {1 << 20, 16 << 20, 64 << 20}
                : java.util.Arrays.stream(args).mapToLong(Long::parseLong).toArray();
        int n = env.worldSize();
        try (Collective c = Collective.join(env, Duration.ofSeconds(60), Duration.ofSeconds(60), chunk)) {
            if (c.rank() == 0) {
                System.out.printf("# Vaniila ring all-reduce (Java NIO, chunk %d bytes)%n# ranks=%d label=%s%n", chunk, n, label);
                System.out.printf("# %-10s %9s %6s %12s %12s %12s %12s %5s%n", "bytes", "floats", "iters",
                        "time_us", "min_us", "algbw_GB/s", "busbw_GB/s", "ok");
            }
            ByteBuffer times = Collective.allocate(n);
            for (long bytes : sizes) {
                int count = (int) (bytes / 4);
                ByteBuffer data = Collective.allocate(count);
                fill(data, c.rank() + 1);
                int iters = itersFor(bytes, scale);
                int warm = Math.max(2, iters / 5);
                for (int i = 0; i < warm; i++) {
                    c.allReduce(data, Collective.Reduction.SUM);
                }
                c.barrier();
                long t0 = System.nanoTime();
                for (int i = 0; i < iters; i++) {
                    c.allReduce(data, Collective.Reduction.SUM);
                }
                double elapsed = (System.nanoTime() - t0) / 1e9 / iters;
                double tmax = maxOverRanks(c, times, elapsed);
                double best = Double.MAX_VALUE;
                for (int i = 0; i < Math.min(iters, 10); i++) {
                    c.barrier();
                    long a = System.nanoTime();
                    c.allReduce(data, Collective.Reduction.SUM);
                    best = Math.min(best, maxOverRanks(c, times, (System.nanoTime() - a) / 1e9));
                }
                fill(data, c.rank() + 1);
                c.allReduce(data, Collective.Reduction.SUM);
                float expect = n * (n + 1) / 2f;
                FloatBuffer f = Collective.floats(data);
                float ok = 1;
                for (int i = 0; i < count; i++) {
                    if (f.get(i) != expect) {
                        ok = 0;
                        break;
                    }
                }
                boolean allOk = maxOverRanks(c, times, 1 - ok) == 0;
                if (c.rank() == 0) {
                    double algbw = bytes / tmax / 1e9;
                    double busbw = algbw * 2.0 * (n - 1) / n;
                    System.out.printf(Locale.ROOT, "  %-10d %9d %6d %12.1f %12.1f %12.3f %12.3f %5s%n", bytes, count, iters,
                            tmax * 1e6, best * 1e6, algbw, busbw, allOk ? "yes" : "NO");
                    System.err.printf(Locale.ROOT, "CSV,%s,%d,%d,%d,%.3f,%.3f,%.4f,%.4f,%d%n", label, n, bytes, iters,
                            tmax * 1e6, best * 1e6, algbw, busbw, allOk ? 1 : 0);
                }
            }
        }
    }

    private static void fill(ByteBuffer data, float value) {
        FloatBuffer f = Collective.floats(data);
        for (int i = 0; i < f.capacity(); i++) {
            f.put(i, value);
        }
    }

    /** Max over ranks of a per-rank value, built from a SUM all-reduce with one slot per rank. */
    private static double maxOverRanks(Collective c, ByteBuffer slots, double value) {
        FloatBuffer f = Collective.floats(slots);
        for (int i = 0; i < f.capacity(); i++) {
            f.put(i, i == c.rank() ? (float) value : 0f);
        }
        c.allReduce(slots, Collective.Reduction.SUM);
        double max = 0;
        for (int i = 0; i < f.capacity(); i++) {
            max = Math.max(max, f.get(i));
        }
        return max;
    }
}
