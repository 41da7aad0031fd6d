package fr.catie.vaniila.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in catie inventory and the messages of a wrong cluster file. */
class ClusterFileTest {

    @Test
    void catieHasTheDemoInventory() {
        ClusterFile catie = ClusterFile.load("catie");
        assertEquals("catie", catie.name());
        assertEquals(7, catie.nodes().size());
        assertEquals(140, catie.nodes().stream().mapToInt(Node::cores).sum());
        assertEquals(25, catie.gpuCount());
        assertEquals(1200, catie.nodes().stream().mapToLong(Node::memoryMb).sum() / 1024);
        assertEquals(328, catie.nodes().stream().flatMap(n -> n.gpus().stream()).mapToInt(GpuFlavor::memoryGb).sum());
        assertEquals(List.of("catie-rtx-1", "catie-rtx-2", "catie-rtx-3", "catie-rtx-4", "catie-v100-1",
                "catie-v100-2", "catie-titan-1"), catie.nodes().stream().map(n -> n.name().value()).toList());
        assertEquals(GpuFlavor.parse("v100-16g"), catie.nodes().get(4).gpus().get(0));
        assertEquals(List.of("gpu", "interactive", "scavenger", "cpu"),
                catie.queues().stream().map(q -> q.name().value()).toList());
        assertEquals(1, catie.queues().get(1).maxGpusPerJob());
    }

    @Test
    void flavorsParseFromTheModelMemoryForm() {
        assertEquals(new GpuFlavor("rtx2080ti-11g", 11 * 1024), GpuFlavor.parse("RTX2080Ti-11g"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuFlavor.parse("v100"));
        assertEquals("GPU flavor 'v100' is not of the form model-NNg (e.g. v100-16g: model v100 with 16 GB)",
                e.getMessage());
    }

    @Test
    void wrongFilesSayWhatToChange(@TempDir Path dir) throws Exception {
        assertEquals("no built-in cluster 'nope'; the built-in one is 'catie', or give the path of a .yml file",
                assertThrows(IllegalArgumentException.class, () -> ClusterFile.load("nope")).getMessage());
        Path f = dir.resolve("c.yml");
        Files.writeString(f,
                "nodes:\n  - name: a\n    cores: 8\n    memory_gb: 16\n    gpus: 2\n    flavour: v100-16g\n");
        assertEquals(f + ": unknown key 'flavour' in nodes[0]; known keys: cores, count, flavor, gpus, memory_gb, "
                + "name, prefix, state", assertThrows(IllegalArgumentException.class, () -> ClusterFile.load(f))
                .getMessage());
        Files.writeString(f, "nodes:\n  - name: a\n    cores: many\n    memory_gb: 16\n");
        assertEquals(f + ": nodes[0].cores must be a whole number >= 0, got 'many'",
                assertThrows(IllegalArgumentException.class, () -> ClusterFile.load(f)).getMessage());
        Files.writeString(f, "nodes:\n  - name: a\n    cores: 8\n    memory_gb: 16\nqueues:\n  - name: q\n"
                + "    max_walltime: 3 weeks\n    max_gpus_per_job: 1\n");
        assertEquals(f + ": queues[0].max_walltime '3 weeks' is not a duration such as 30s, 15m, 4h or 7d",
                assertThrows(IllegalArgumentException.class, () -> ClusterFile.load(f)).getMessage());
    }
}
