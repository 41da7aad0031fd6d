package fr.catie.vaniila.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;

import fr.catie.vaniila.identity.AccountId;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.OrganisationId;
import fr.catie.vaniila.identity.Role;
import fr.catie.vaniila.platform.VaniilaProperties;
import org.springframework.util.unit.DataSize;

/**
 * Bench command for the Files module on this machine's disk, each figure next to its ceiling measured in
 * the same round: an upload stored by {@link UserFiles#upload} (quota walk, hidden temporary file opened
 * through the folder, rename) against a plain stream copy of the same bytes; a download read through
 * {@link UserFiles#open} against {@code Files.newInputStream}; a folder zipped by {@link UserFiles#zip}
 * (incompressible and text-like data, at the level it uses and at the default level) against reading the
 * same bytes. Also the heap in use after an
 * upload, to show the file never sits in memory. Usage: {@code UserFilesBench [MiB] [rounds]}.
 */
public final class UserFilesBench {

    private UserFilesBench() {
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "files-bench-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        try {
            VaniilaProperties properties = new VaniilaProperties(dir, null, null, null,
                    new VaniilaProperties.Workspaces(dir.resolve("ws")), null, null, null, null, null, null, null);
            Workspaces workspaces = new Workspaces(properties);
            UserFiles files = new UserFiles(workspaces, DataSize.ofGigabytes(64));
            Caller caller = new Caller(new AccountId(1), "bench", new OrganisationId(1), "bench", Role.USER, -1);
            Path workspace = workspaces.create(caller);

            Path source = dir.resolve("source.bin");
            write(source, mib, false);
            Path logs = workspace.resolve("logs");
            Path weights = workspace.resolve("weights");
            Files.createDirectories(logs);
            Files.createDirectories(weights);
            int parts = Math.max(1, mib / 4);
            for (int i = 0; i < parts; i++) {
                write(weights.resolve("shard-" + i + ".bin"), 4, false);
                write(logs.resolve("rank-" + i + ".log"), 4, true);
            }
            long bytes = (long) mib << 20;
            System.out.printf("%d MiB upload, %d x 4 MiB per zipped folder, %d rounds%n", mib, parts, rounds);
            System.out.println("round | upload MB/s | stream copy MB/s | ratio | download MB/s | newInputStream MB/s | ratio"
                    + " | zip weights MB/s (fastest / default level) | zip logs MB/s (fastest / default)"
                    + " | logs zip MiB (fastest / default) | read MB/s | heap after upload MiB");
            for (int r = 1; r <= rounds; r++) {
                long t0 = System.nanoTime();
                files.upload(caller, "", List.of(new UserFiles.Upload("model.bin", Files.size(source),
                        () -> Files.newInputStream(source))));
                double upload = rate(bytes, System.nanoTime() - t0);
                long heap = heapMib();
                t0 = System.nanoTime();
                try (InputStream in = Files.newInputStream(source);
                        OutputStream out = Files.newOutputStream(workspace.resolve("copy.bin"))) {
                    in.transferTo(out);
                }
                double copy = rate(bytes, System.nanoTime() - t0);

                t0 = System.nanoTime();
                try (InputStream in = files.open(caller, "model.bin").content()) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                double download = rate(bytes, System.nanoTime() - t0);
                t0 = System.nanoTime();
                try (InputStream in = Files.newInputStream(workspace.resolve("model.bin"))) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                double plain = rate(bytes, System.nanoTime() - t0);

                long folderBytes = (long) parts << 22;
                double[] zipWeights = new double[2];
                double[] zipLogs = new double[2];
                long[] logsZipped = new long[2];
                int[] levels = {UserFiles.ZIP_LEVEL, java.util.zip.Deflater.DEFAULT_COMPRESSION};
                for (int l = 0; l < 2; l++) {
                    t0 = System.nanoTime();
                    files.zip(caller, "weights", OutputStream.nullOutputStream(), levels[l]);
                    zipWeights[l] = rate(folderBytes, System.nanoTime() - t0);
                    CountingStream counted = new CountingStream();
                    t0 = System.nanoTime();
                    files.zip(caller, "logs", counted, levels[l]);
                    zipLogs[l] = rate(folderBytes, System.nanoTime() - t0);
                    logsZipped[l] = counted.count;
                }
                t0 = System.nanoTime();
                try (var list = Files.list(weights)) {
                    for (Path p : (Iterable<Path>) list::iterator) {
                        try (InputStream in = Files.newInputStream(p)) {
                            in.transferTo(OutputStream.nullOutputStream());
                        }
                    }
                }
                double read = rate(folderBytes, System.nanoTime() - t0);
                System.out.printf("%d | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f | %.0f / %.0f | %.0f / %.0f | %d / %d | %.0f | %d%n",
                        r, upload, copy, upload / copy, download, plain, download / plain, zipWeights[0], zipWeights[1],
                        zipLogs[0], zipLogs[1], logsZipped[0] >> 20, logsZipped[1] >> 20, read, heap);
                files.delete(caller, "model.bin");
                Files.delete(workspace.resolve("copy.bin"));
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static final String LOG_CHARACTERS = "step loss=0.123456 acc 0123456789 \n";

    private static void write(Path file, int mib, boolean text) throws IOException {
        Random random = new Random(file.getFileName().toString().hashCode());
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                if (text) {
                    for (int j = 0; j < block.length; j++) {
                        // Log-like: digits, spaces and a few words, as a training log is.
                        block[j] = (byte) LOG_CHARACTERS.charAt(random.nextInt(LOG_CHARACTERS.length()));
                    }
                } else {
                    random.nextBytes(block);
                }
                out.write(block);
            }
        }
    }

    /** Counts what a zip writes, to compare sizes across levels. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    private static double rate(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    private static long heapMib() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }
}
