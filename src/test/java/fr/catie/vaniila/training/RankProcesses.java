package fr.catie.vaniila.training;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test harness: starts the ranks of a training job as separate JVMs running
 * {@code fr.catie.vaniila.Vaniila train}, the way an agent does (environment variables per rank,
 * working directory = the job directory), and reads back what they wrote.
 */
final class RankProcesses {

    private final Path jobDir;
    private final List<Process> processes = new ArrayList<>();

    private RankProcesses(Path jobDir) {
        this.jobDir = jobDir;
    }

    /** Starts {@code ranks} rank processes in {@code jobDir} with the {@code train} arguments {@code args}. */
    static RankProcesses start(Path jobDir, int ranks, List<String> args) throws IOException {
        Files.createDirectories(jobDir);
        RankProcesses job = new RankProcesses(jobDir);
        int port = freePort();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (int r = 0; r < ranks; r++) {
            List<String> command = new ArrayList<>(List.of(
                    System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                    "-Xmx512m",
                    "-cp", classpath, "fr.catie.vaniila.Vaniila", "train"));
            command.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(command).directory(jobDir.toFile())
                    .redirectOutput(jobDir.resolve("rank" + r + ".out").toFile())
                    .redirectError(jobDir.resolve("rank" + r + ".err").toFile());
            Map<String, String> env = pb.environment();
            if (ranks > 1) {
                env.put("MASTER_ADDR", "127.0.0.1");
                env.put("MASTER_PORT", Integer.toString(port));
                env.put("WORLD_SIZE", Integer.toString(ranks));
                env.put("RANK", Integer.toString(r));
                env.put("LOCAL_RANK", Integer.toString(r));
                env.put("LOCAL_WORLD_SIZE", Integer.toString(ranks));
            }
            env.put("CUDA_VISIBLE_DEVICES", "");
            job.processes.add(pb.start());
        }
        return job;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    List<Process> processes() {
        return processes;
    }

    /** Waits for every rank and returns the exit codes; kills them all and fails if one overruns. */
    List<Integer> await(long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Integer> codes = new ArrayList<>();
        for (Process p : processes) {
            long left = deadline - System.nanoTime();
            if (!p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                processes.forEach(Process::destroyForcibly);
                throw new AssertionError("ranks still running after " + seconds + " s; rank 0 stderr:\n" + stderr(0));
            }
            codes.add(p.exitValue());
        }
        return codes;
    }

    /** Kills every rank still running (cleanup after a failed assertion). */
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    String stderr(int rank) throws IOException {
        Path file = jobDir.resolve("rank" + rank + ".err");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    List<String> metrics() throws IOException {
        Path file = jobDir.resolve(TrainingSpec.METRICS_FILE);
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    /** @return the test_accuracy of every end-of-epoch line, in order */
    List<Double> testAccuracies() throws IOException {
        return numbers("test_accuracy");
    }

    /** @return the values of a numeric field over the metrics lines that have it */
    List<Double> numbers(String field) throws IOException {
        Pattern p = Pattern.compile("\"" + field + "\":([-0-9.eE+]+)");
        List<Double> out = new ArrayList<>();
        for (String line : metrics()) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                out.add(Double.parseDouble(m.group(1)));
            }
        }
        return out;
    }

    double finalAccuracy() throws IOException {
        List<Double> acc = testAccuracies();
        if (acc.isEmpty()) {
            throw new AssertionError("no test_accuracy in the metrics; rank 0 stderr:\n" + stderr(0));
        }
        return acc.get(acc.size() - 1);
    }
}
