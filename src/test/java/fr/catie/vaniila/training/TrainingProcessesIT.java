package fr.catie.vaniila.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.ObjectMapper;

/**
 * The {@code train} role end to end: real rank processes on this machine, the built-in digits set,
 * default hyperparameters (those a user gets without asking), the checks of issue 7.
 */
class TrainingProcessesIT {

    private static final long RUN_SECONDS = 300;

    @TempDir
    Path dir;

    private static List<String> args(String... extra) {
        List<String> argv = new java.util.ArrayList<>(TrainingSpec.of("digits").argv());
        argv.addAll(List.of(extra));
        return argv;
    }

    @Test
    void syncOnTwoAndFourRanksMatchesOneRankAndKeepsWeightsIdenticalAfterEveryStep() throws Exception {
        RankProcesses one = RankProcesses.start(dir.resolve("one"), 1, args());
        assertEquals(List.of(0), one.await(RUN_SECONDS), one.stderr(0));
        double single = one.finalAccuracy();
        assertTrue(single >= 0.97, "one rank reached " + single);
        assertEquals(TrainingSpec.DEFAULT_EPOCHS, one.testAccuracies().size(), "one test_accuracy per epoch");

        for (int ranks : new int[] {2, 4}) {
            Path jobDir = dir.resolve("sync" + ranks);
            // with 4 ranks, 16 KiB buckets: the 69 KB of gradients go in 5 buckets, pipelined with their extraction
            RankProcesses job = ranks == 2 ? RankProcesses.start(jobDir, ranks, args("--digest-file", "digest-{rank}.txt"))
                    : RankProcesses.start(jobDir, ranks, args("--digest-file", "digest-{rank}.txt", "--bucket-bytes", "16384"));
            assertEquals(java.util.Collections.nCopies(ranks, 0), job.await(RUN_SECONDS), job.stderr(0));
            double accuracy = job.finalAccuracy();
            assertTrue(accuracy >= single - 0.005, ranks + " sync ranks reached " + accuracy + ", one rank " + single);
            List<String> reference = Files.readAllLines(jobDir.resolve("digest-0.txt"));
            int steps = TrainingSpec.DEFAULT_EPOCHS * (1438 / ranks / TrainingSpec.DEFAULT_BATCH_SIZE);
            assertEquals(steps, reference.size(), "one weight digest per step");
            for (int r = 1; r < ranks; r++) {
                assertEquals(reference, Files.readAllLines(jobDir.resolve("digest-" + r + ".txt")),
                        "rank " + r + " weights differ from rank 0's");
            }
            // the linear scaling rule: after the warm-up, the rate is the base rate times the ranks
            List<Double> rates = job.numbers("learning_rate");
            assertEquals(TrainingSpec.DEFAULT_LEARNING_RATE * ranks, rates.get(rates.size() - 1), 1e-9);
            assertTrue(rates.get(0) < TrainingSpec.DEFAULT_LEARNING_RATE * ranks, "warm-up starts below the scaled rate");
            assertTrue(job.numbers("samples_per_s").stream().allMatch(v -> v > 0));
            ObjectMapper json = new ObjectMapper();
            for (String line : job.metrics()) {
                assertTrue(json.readTree(line).isObject(), "not a JSON object: " + line);
            }
            assertTrue(job.numbers("comm_share").stream().allMatch(v -> v > 0 && v < 1));
        }
    }

    @ParameterizedTest(name = "{0} on {1} ranks")
    @CsvSource({"async, 4", "decentralized, 4", "local-sgd, 2"})
    void theOtherStrategiesReach95Percent(String strategy, int ranks) throws Exception {
        List<String> argv = new TrainingSpec("digits", null, null, null, null, strategy, null, null, null, null, null, null)
                .argv();
        RankProcesses job = RankProcesses.start(dir, ranks, argv);
        assertEquals(java.util.Collections.nCopies(ranks, 0), job.await(RUN_SECONDS), job.stderr(0));
        double accuracy = job.finalAccuracy();
        assertTrue(accuracy >= 0.95, strategy + " on " + ranks + " ranks reached " + accuracy);
        if (strategy.equals("async")) {
            assertTrue(job.numbers("staleness").stream().anyMatch(s -> s > 0), "async with 4 workers must see stale gradients");
            assertTrue(job.numbers("staleness").stream().allMatch(s -> s <= 3 * TrainingSpec.DEFAULT_STALENESS_BOUND + 3));
        }
    }

    @Test
    void killingOneRankFailsTheJobWithin30SecondsNamingIt() throws Exception {
        RankProcesses job = RankProcesses.start(dir, 3, args("--epochs", "2000", "--log-every", "1"));
        try {
            long waitUntil = System.nanoTime() + 180_000_000_000L;
            while (job.numbers("loss").size() < 20) {
                assertTrue(System.nanoTime() < waitUntil, "training did not start: " + job.stderr(0));
                assertTrue(job.processes().stream().allMatch(Process::isAlive), "a rank exited early: " + job.stderr(0));
                Thread.sleep(200);
            }
            long killed = System.nanoTime();
            job.processes().get(2).destroyForcibly();
            List<Integer> codes = job.await(60);
            double seconds = (System.nanoTime() - killed) / 1e9;
            assertTrue(seconds < 30, "the job took " + seconds + " s to fail");
            assertEquals(TrainRole.EXIT_RANK_FAILED, codes.get(0), job.stderr(0));
            assertEquals(TrainRole.EXIT_RANK_FAILED, codes.get(1), job.stderr(1));
            String failed = job.metrics().stream().filter(l -> l.contains("\"event\":\"failed\"")).findFirst().orElse("");
            assertTrue(failed.contains("rank 2") && failed.contains("\"failed_rank\":2"), failed + "\n" + job.stderr(0));
        } finally {
            job.killAll();
        }
    }

    @Test
    void aStuckRankFailsTheJobAfterTheTimeoutNamingIt() throws Exception {
        RankProcesses job = RankProcesses.start(dir, 3, args("--epochs", "2000", "--log-every", "1", "--comm-timeout", "5"));
        try {
            long waitUntil = System.nanoTime() + 180_000_000_000L;
            while (job.numbers("loss").size() < 20) {
                assertTrue(System.nanoTime() < waitUntil, "training did not start: " + job.stderr(0));
                assertTrue(job.processes().stream().allMatch(Process::isAlive), "a rank exited early: " + job.stderr(0));
                Thread.sleep(200);
            }
            long stopped = System.nanoTime();
            // SIGSTOP: the process and its sockets stay open, it just never answers again
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(job.processes().get(2).pid())).start();
            assertEquals(0, stop.waitFor());
            for (int r = 0; r < 2; r++) {
                Process p = job.processes().get(r);
                assertTrue(p.waitFor(30 - (System.nanoTime() - stopped) / 1_000_000_000L, TimeUnit.SECONDS),
                        "rank " + r + " still running 30 s after rank 2 stopped: " + job.stderr(r));
                assertEquals(TrainRole.EXIT_RANK_FAILED, p.exitValue(), job.stderr(r));
            }
            String failed = job.metrics().stream().filter(l -> l.contains("\"event\":\"failed\"")).findFirst().orElse("");
            assertTrue(failed.contains("rank 2") && failed.contains("for 5 s"), failed + "\n" + job.stderr(0));
        } finally {
            job.killAll();
        }
    }

    @Test
    void aPreemptedRunResumesFromItsLastCheckpointAndReachesTheSameAccuracy() throws Exception {
        RankProcesses first = RankProcesses.start(dir, 2, args());
        Path checkpoints = dir.resolve(TrainingSpec.CHECKPOINT_DIR);
        try {
            long waitUntil = System.nanoTime() + 180_000_000_000L;
            while (!Files.exists(checkpoints.resolve("epoch-0005.ckpt"))) {
                assertTrue(System.nanoTime() < waitUntil, "no checkpoint: " + first.stderr(0));
                assertTrue(first.processes().stream().allMatch(Process::isAlive), "a rank exited early: " + first.stderr(0));
                Thread.sleep(50);
            }
            // preemption: the agent sends SIGTERM to every rank
            first.processes().forEach(Process::destroy);
            first.await(60);
        } finally {
            first.killAll();
        }
        int epochsBefore = first.testAccuracies().size();
        assertTrue(epochsBefore >= 5 && epochsBefore < TrainingSpec.DEFAULT_EPOCHS, "preempted after " + epochsBefore + " epochs");
        String lastCheckpoint;
        try (Stream<Path> s = Files.list(checkpoints)) {
            lastCheckpoint = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()).get(1);
        }
        int resumeEpoch = Integer.parseInt(lastCheckpoint.replaceAll("\\D", ""));

        RankProcesses second = RankProcesses.start(dir, 2, args());
        assertEquals(List.of(0, 0), second.await(RUN_SECONDS), second.stderr(0));
        List<String> lines = second.metrics();
        String resumed = lines.stream().filter(l -> l.contains("\"event\":\"resumed\"")).findFirst().orElseThrow();
        assertTrue(resumed.contains("\"epoch\":" + resumeEpoch + ","), resumed);
        List<Double> accuracies = second.testAccuracies();
        // epochs before the preemption, then the resumed ones: no epoch is trained from scratch again
        assertEquals(epochsBefore + TrainingSpec.DEFAULT_EPOCHS - resumeEpoch, accuracies.size());
        double accuracy = second.finalAccuracy();
        assertTrue(accuracy >= 0.97, "resumed run reached " + accuracy);
    }

    @Test
    void convolutionalModelsTrainOnTheDigitsImages() throws Exception {
        for (String model : List.of("cnn", "resnet")) {
            RankProcesses job = RankProcesses.start(dir.resolve(model), 1, new TrainingSpec("digits", model, 8, null, 0.003,
                    null, null, null, null, null, null, null).argv());
            assertEquals(List.of(0), job.await(RUN_SECONDS), job.stderr(0));
            assertTrue(job.finalAccuracy() >= 0.9, model + " reached " + job.finalAccuracy());
        }
    }

    @Test
    void aFolderOfImagesTrainsAConvolutionalModel() throws Exception {
        // two classes a CNN must tell apart by shape, not by brightness: horizontal and vertical bars
        Random random = new Random(1);
        for (String cls : List.of("horizontal", "vertical")) {
            Path folder = Files.createDirectories(dir.resolve("bars").resolve(cls));
            for (int i = 0; i < 60; i++) {
                BufferedImage image = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
                int line = 2 + random.nextInt(8);
                for (int a = 0; a < 12; a++) {
                    for (int b = 0; b < 12; b++) {
                        boolean on = cls.equals("horizontal") ? b == line : a == line;
                        int v = on ? 200 + random.nextInt(56) : random.nextInt(60);
                        image.setRGB(a, b, v << 16 | v << 8 | v);
                    }
                }
                ImageIO.write(image, "png", folder.resolve(i + ".png").toFile());
            }
        }
        RankProcesses job = RankProcesses.start(dir.resolve("job"), 2, new TrainingSpec("../bars", "cnn", 8, 8, 0.003,
                null, null, null, null, null, null, 12).argv());
        assertEquals(List.of(0, 0), job.await(RUN_SECONDS), job.stderr(0));
        assertTrue(job.finalAccuracy() >= 0.9, "image folder cnn reached " + job.finalAccuracy());
    }

    @Test
    void aRequestTheDataCannotSatisfyExitsWithAMessageSayingWhatToChange() throws Exception {
        Files.writeString(dir.resolve("five.csv"), "1,2,3,4,5,0\n5,4,3,2,1,1\n1,1,1,1,1,0\n2,2,2,2,2,1\n3,3,3,3,3,0\n");
        RankProcesses cnn = RankProcesses.start(dir.resolve("cnn"), 1,
                List.of("--dataset", "../five.csv", "--model", "cnn", "--batch-size", "2"));
        assertEquals(List.of(TrainRole.EXIT_BAD_INPUT), cnn.await(120));
        assertTrue(cnn.stderr(0).contains("model \"cnn\" needs images: the dataset has 5 features"), cnn.stderr(0));
        RankProcesses big = RankProcesses.start(dir.resolve("big"), 1, List.of("--dataset", "../five.csv", "--batch-size", "64"));
        assertEquals(List.of(TrainRole.EXIT_BAD_INPUT), big.await(120));
        assertTrue(big.stderr(0).contains("batchSize 64 is larger than the 4 training examples"), big.stderr(0));
        RankProcesses typo = RankProcesses.start(dir.resolve("typo"), 1, List.of("--dataset", "digits", "--strategy", "sink"));
        assertEquals(List.of(TrainRole.EXIT_BAD_INPUT), typo.await(120));
        assertTrue(typo.stderr(0).contains("--strategy 'sink' is unknown: use one of sync, async"), typo.stderr(0));
    }
}
