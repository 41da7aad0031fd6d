package fr.catie.vaniila.training;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The state a training run needs to resume after a preemption or requeue: the weights after a
 * completed epoch, how far the run got, and (for {@code async}) the parameter server's optimizer
 * state. Written by rank 0 at the end of every epoch into the checkpoint directory as
 * {@code epoch-NNNN.ckpt}, atomically (a temporary file then a rename), keeping the last two.
 *
 * <p>The fingerprint ties a checkpoint to a model and dataset shape so that a job directory
 * reused for another model is reported, not silently loaded.
 *
 * @param epochsDone  epochs completed (the run resumes at this epoch index)
 * @param globalStep  steps taken over the whole run, for the learning-rate schedule
 * @param fingerprint model architecture, dataset and parameter count
 * @param weights     flat weights, in structural parameter order
 * @param optimizer   the parameter server's Adam state, or null for strategies whose optimizer lives in DJL
 */
record Checkpoint(int epochsDone, long globalStep, String fingerprint, float[] weights, OptimizerState optimizer) {

    private static final int MAGIC = 0x564e434b; // "VNCK"
    private static final int FORMAT = 1;

    /**
     * Adam moments and counters of the parameter server.
     *
     * @param mean     first moment
     * @param variance second moment
     * @param steps    Adam's update count (for bias correction)
     * @param version  updates applied to the weights
     */
    record OptimizerState(float[] mean, float[] variance, long steps, long version) {
    }

    /** Writes this checkpoint into {@code dir} and deletes all but the two newest. */
    void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(String.format("epoch-%04d.ckpt", epochsDone));
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (OutputStream raw = Files.newOutputStream(tmp);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(epochsDone);
            out.writeLong(globalStep);
            out.writeUTF(fingerprint);
            writeFloats(out, weights);
            out.writeBoolean(optimizer != null);
            if (optimizer != null) {
                writeFloats(out, optimizer.mean());
                writeFloats(out, optimizer.variance());
                out.writeLong(optimizer.steps());
                out.writeLong(optimizer.version());
            }
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        List<Path> all = list(dir);
        for (int i = 0; i < all.size() - 2; i++) {
            Files.deleteIfExists(all.get(i));
        }
    }

    /** @return the newest checkpoint in {@code dir}, if any */
    static Optional<Checkpoint> latest(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> all = list(dir);
        if (all.isEmpty()) {
            return Optional.empty();
        }
        Path newest = all.get(all.size() - 1);
        try (InputStream raw = Files.newInputStream(newest);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IllegalArgumentException(newest + " is not a Vaniila training checkpoint of this version; "
                        + "remove the checkpoint directory to start afresh");
            }
            int epochs = in.readInt();
            long step = in.readLong();
            String fingerprint = in.readUTF();
            float[] weights = readFloats(in);
            OptimizerState state = null;
            if (in.readBoolean()) {
                state = new OptimizerState(readFloats(in), readFloats(in), in.readLong(), in.readLong());
            }
            return Optional.of(new Checkpoint(epochs, step, fingerprint, weights, state));
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("epoch-\\d{4,}\\.ckpt")).sorted().toList();
        }
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        out.writeInt(values.length);
        for (float v : values) {
            out.writeFloat(v);
        }
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        float[] values = new float[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readFloat();
        }
        return values;
    }
}
