package fr.catie.vaniila.training.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Reads the datasets a training job accepts: the built-in digits set, CSV files (features then
 * label on each line, an optional header line) and image folders (one sub-folder per class).
 * Every problem a user can cause is reported as an {@link IllegalArgumentException} saying which
 * file and line, and what to change.
 *
 * <p>Stateless and thread-safe.
 */
public final class DatasetLoader {

    /** Classpath location of the built-in digits set (UCI optdigits test set, 1,797 samples of 8x8 pixels 0-16). */
    public static final String DIGITS_RESOURCE = "/datasets/digits.csv.gz";

    private DatasetLoader() {
    }

    /**
     * @param dataset   {@code "digits"}, a {@code .csv}/{@code .csv.gz} path or an image folder
     * @param base      directory relative paths resolve against (the job directory)
     * @param imageSize side, in pixels, images are resized to
     */
    public static Examples load(String dataset, Path base, int imageSize) throws IOException {
        if (dataset.equals("digits")) {
            try (InputStream in = DatasetLoader.class.getResourceAsStream(DIGITS_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the jar lacks " + DIGITS_RESOURCE + "; rebuild it");
                }
                return readCsv(new GZIPInputStream(in), "built-in digits", new long[] {1, 8, 8});
            }
        }
        Path path = base.resolve(dataset).normalize();
        if (Files.isDirectory(path)) {
            return readImageFolder(path, imageSize);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("dataset " + path + " does not exist: give \"digits\", a CSV file "
                    + "(.csv or .csv.gz) or a folder of images with one sub-folder per class");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".csv") && !name.endsWith(".csv.gz")) {
            throw new IllegalArgumentException("dataset " + path + " is neither a .csv/.csv.gz file nor a folder of images");
        }
        try (InputStream raw = Files.newInputStream(path)) {
            InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            return readCsv(in, path.toString(), null);
        }
    }

    /**
     * Reads comma-separated lines: numeric features, then the label (an integer class index, or a
     * class name). A first line that is not all numbers is taken as a header and skipped.
     *
     * @param shape the shape of one sample, or null for a flat vector of the column count
     */
    static Examples readCsv(InputStream in, String source, long[] shape) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int columns = -1;
        int lineNo = 0;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            float[] values = new float[cells.length - 1];
            String bad = null;
            for (int i = 0; i < values.length && bad == null; i++) {
                try {
                    values[i] = Float.parseFloat(cells[i].trim());
                    if (!Float.isFinite(values[i])) {
                        bad = "column " + (i + 1) + " is not a finite number ('" + cells[i].trim() + "')";
                    }
                } catch (NumberFormatException e) {
                    bad = "column " + (i + 1) + " is not a number ('" + cells[i].trim() + "')";
                }
            }
            if (bad != null) {
                if (rows.isEmpty() && columns < 0) {
                    columns = -2; // header seen: the next line fixes the column count
                    continue;
                }
                throw new IllegalArgumentException(source + " line " + lineNo + ": " + bad
                        + "; every line must hold numeric features then the label");
            }
            if (cells.length < 2) {
                throw new IllegalArgumentException(source + " line " + lineNo
                        + ": a line needs at least one feature and a label, separated by commas");
            }
            if (columns > 0 && cells.length != columns) {
                throw new IllegalArgumentException(source + " line " + lineNo + " has " + cells.length
                        + " columns where the first data line has " + columns + "; give every line the same columns");
            }
            columns = cells.length;
            rows.add(values);
            labels.add(cells[cells.length - 1].trim());
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no data lines");
        }
        int features = columns - 1;
        long[] sampleShape = shape != null ? shape : new long[] {features};
        if (shape != null && shape[0] * shape[1] * shape[2] != features) {
            throw new IllegalArgumentException(source + " has " + features + " features, expected "
                    + shape[0] * shape[1] * shape[2]);
        }
        float[] all = new float[rows.size() * features];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, all, i * features, features);
        }
        return labelled(all, labels, sampleShape, source);
    }

    private static Examples labelled(float[] features, List<String> labels, long[] shape, String source) {
        boolean numeric = labels.stream().allMatch(l -> l.matches("\\d+(\\.0+)?"));
        List<String> names = new ArrayList<>();
        int[] idx = new int[labels.size()];
        if (numeric) {
            int max = 0;
            for (int i = 0; i < idx.length; i++) {
                idx[i] = (int) Double.parseDouble(labels.get(i));
                max = Math.max(max, idx[i]);
            }
            if (max >= 10_000) {
                throw new IllegalArgumentException(source + ": label " + max + " is too large; labels are class indices "
                        + "0, 1, 2, ... (for a regression target, this job type does not apply)");
            }
            for (int c = 0; c <= max; c++) {
                names.add(Integer.toString(c));
            }
        } else {
            TreeMap<String, Integer> byName = new TreeMap<>();
            labels.forEach(l -> byName.put(l, 0));
            int c = 0;
            for (String name : byName.keySet()) {
                byName.put(name, c++);
                names.add(name);
            }
            for (int i = 0; i < idx.length; i++) {
                idx[i] = byName.get(labels.get(i));
            }
        }
        if (names.size() < 2) {
            throw new IllegalArgumentException(source + " has a single class; classification needs at least two");
        }
        return new Examples(features, idx, shape, names);
    }

    /** Reads {@code root/<class>/<image>} files (PNG, JPEG, GIF, BMP) as RGB, resized to {@code size} x {@code size}, scaled to [0, 1]. */
    static Examples readImageFolder(Path root, int size) throws IOException {
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        }
        if (classDirs.size() < 2) {
            throw new IllegalArgumentException("image folder " + root + " has " + classDirs.size()
                    + " sub-folder(s); put the images of each class in its own sub-folder (at least two classes)");
        }
        List<float[]> samples = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Path dir : classDirs) {
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                BufferedImage image = ImageIO.read(file.toFile());
                if (image == null) {
                    continue; // not an image (a README, a .DS_Store): skipped rather than failing the run
                }
                samples.add(pixels(image, size));
                labels.add(dir.getFileName().toString());
            }
        }
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("image folder " + root + " holds no readable image (PNG, JPEG, GIF or BMP)");
        }
        int len = 3 * size * size;
        float[] all = new float[samples.size() * len];
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i), 0, all, i * len, len);
        }
        List<String> names = classDirs.stream().map(d -> d.getFileName().toString()).toList();
        int[] idx = labels.stream().mapToInt(names::indexOf).toArray();
        return new Examples(all, idx, new long[] {3, size, size}, names);
    }

    private static float[] pixels(BufferedImage image, int size) {
        BufferedImage scaled = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, size, size, null);
        g.dispose();
        float[] chw = new float[3 * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = scaled.getRGB(x, y);
                chw[y * size + x] = ((rgb >> 16) & 0xff) / 255f;
                chw[size * size + y * size + x] = ((rgb >> 8) & 0xff) / 255f;
                chw[2 * size * size + y * size + x] = (rgb & 0xff) / 255f;
            }
        }
        return chw;
    }
}
