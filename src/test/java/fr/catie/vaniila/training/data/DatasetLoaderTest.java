package fr.catie.vaniila.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {

    @TempDir
    Path dir;

    @Test
    void theBuiltInDigitsSetIsThe1797ImagesOfTenClasses() throws Exception {
        Examples digits = DatasetLoader.load("digits", dir, 28);
        assertEquals(1797, digits.size());
        assertEquals(10, digits.classes());
        assertArrayEquals(new long[] {1, 8, 8}, digits.sampleShape());
        assertEquals(0, digits.labels()[0]);
        assertEquals(5f, digits.features()[2]); // first row of digits.csv.gz: 0,0,5,13,...
    }

    @Test
    void csvWithAHeaderAndNamedLabelsIsRead() throws Exception {
        Files.writeString(dir.resolve("iris.csv"), "150,4,setosa,versicolor\n5.1,3.5,1.4,0.2,setosa\n"
                + "7.0,3.2,4.7,1.4,versicolor\n\n6.3,3.3,6.0,2.5,virginica\n");
        Examples e = DatasetLoader.load("iris.csv", dir, 28);
        assertEquals(3, e.size());
        assertEquals(List.of("setosa", "versicolor", "virginica"), e.classNames());
        assertArrayEquals(new int[] {0, 1, 2}, e.labels());
        assertArrayEquals(new long[] {4}, e.sampleShape());
    }

    @Test
    void csvMistakesNameTheLineAndWhatToChange() throws Exception {
        Files.writeString(dir.resolve("a.csv"), "1,2,0\n3,x,1\n");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> DatasetLoader.load("a.csv", dir, 28));
        assertTrue(bad.getMessage().contains("line 2: column 2 is not a number ('x')"), bad.getMessage());
        Files.writeString(dir.resolve("b.csv"), "1,2,0\n3,1\n");
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class, () -> DatasetLoader.load("b.csv", dir, 28));
        assertTrue(ragged.getMessage().contains("line 2 has 2 columns where the first data line has 3"), ragged.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> DatasetLoader.load("nope.csv", dir, 28));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Files.writeString(dir.resolve("c.txt"), "1,0\n");
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> DatasetLoader.load("c.txt", dir, 28));
        assertTrue(kind.getMessage().contains("neither a .csv/.csv.gz file nor a folder of images"), kind.getMessage());
    }

    @Test
    void anImageFolderGivesOneClassPerSubFolderResizedToRgb() throws Exception {
        for (String cls : List.of("cat", "dog")) {
            Files.createDirectories(dir.resolve("pets").resolve(cls));
            for (int i = 0; i < 2; i++) {
                BufferedImage image = new BufferedImage(10, 6, BufferedImage.TYPE_INT_RGB);
                int rgb = cls.equals("cat") ? 0xff0000 : 0x0000ff;
                for (int x = 0; x < 10; x++) {
                    for (int y = 0; y < 6; y++) {
                        image.setRGB(x, y, rgb);
                    }
                }
                ImageIO.write(image, "png", dir.resolve("pets").resolve(cls).resolve(i + ".png").toFile());
            }
        }
        Files.writeString(dir.resolve("pets/cat/README"), "not an image");
        Examples e = DatasetLoader.load("pets", dir, 4);
        assertEquals(4, e.size());
        assertEquals(List.of("cat", "dog"), e.classNames());
        assertArrayEquals(new long[] {3, 4, 4}, e.sampleShape());
        assertEquals(1f, e.features()[0]); // cat: red channel full
        assertEquals(0f, e.features()[2 * 16]); // cat: blue channel empty
        assertArrayEquals(new int[] {0, 0, 1, 1}, e.labels());
    }

    @Test
    void shardsOfOneEpochAreDisjointEqualAndChangeWithTheEpoch() throws Exception {
        TrainTestSplit split = TrainTestSplit.of(DatasetLoader.load("digits", dir, 28), 42, true);
        assertEquals(359, split.test().size());
        assertEquals(1438, split.train().size());
        Set<Integer> seen = new HashSet<>();
        for (int r = 0; r < 4; r++) {
            int[] shard = split.shard(42, 3, r, 4);
            assertEquals(359, shard.length);
            for (int i : shard) {
                assertTrue(seen.add(i), "index " + i + " given to two ranks");
            }
        }
        assertTrue(!Arrays.equals(split.shard(42, 3, 0, 4), split.shard(42, 4, 0, 4)));
        assertArrayEquals(split.shard(42, 3, 1, 4), split.shard(42, 3, 1, 4));
        // standardised with the training statistics: mean of a feature about 0 on the training set
        double mean = 0;
        for (int i = 0; i < split.train().size(); i++) {
            mean += split.train().features()[i * 64 + 20];
        }
        assertEquals(0, mean / split.train().size(), 1e-4);
    }
}
