package fr.catie.vaniila.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GPU discovery against the real nvidia-smi output of an H100 machine, the flavor rule and virtual GPUs. */
class GpuDiscoveryTest {

    /** The field list that produced fixtures/gpu/h100-sxm-1gpu/query-gpu.csv (see its README). */
    private static final List<String> FIXTURE_FIELDS = List.of("index", "uuid", "name", "pci.bus_id", "memory.total",
            "memory.used", "memory.free", "utilization.gpu", "utilization.memory", "temperature.gpu", "power.draw",
            "power.limit", "compute_mode", "mig.mode.current");

    private static String fixture(String name) throws IOException {
        try (InputStream in = GpuDiscoveryTest.class.getResourceAsStream("/fixtures/gpu/h100-sxm-1gpu/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void realH100OutputGivesOneH100Of80G() throws IOException {
        List<NvidiaSmi.Row> rows = NvidiaSmi.parse(FIXTURE_FIELDS, fixture("query-gpu.csv"));
        List<GpuDevice> gpus = NvidiaSmi.devices(rows);

        assertEquals(List.of(new GpuDevice(0, "GPU-6923df71-aae9-053c-4564-bf4296e19ffa", "NVIDIA H100 80GB HBM3",
                "h100-80g", 81559, false)), gpus);
        assertEquals(List.of(new GpuSample(0, 0, 0)), NvidiaSmi.samples(rows));
        assertEquals("126.02", rows.get(0).text("power.draw"));
    }

    @Test
    void theAgentsOwnQueryReadsTheSameGpu() throws IOException {
        // The same real line, cut down to the columns the agent asks for, in the agent's order.
        NvidiaSmi.Row full = NvidiaSmi.parse(FIXTURE_FIELDS, fixture("query-gpu.csv")).get(0);
        String line = NvidiaSmi.FIELDS.stream().map(full::text).collect(Collectors.joining(", "));
        List<NvidiaSmi.Row> rows = NvidiaSmi.parse(NvidiaSmi.FIELDS, line + "\n" + line.replaceFirst("^0", "1"));

        assertEquals(2, NvidiaSmi.devices(rows).size());
        assertEquals("h100-80g", NvidiaSmi.devices(rows).get(1).flavor());
        assertEquals(1, NvidiaSmi.devices(rows).get(1).index());
    }

    @Test
    void notAvailableValuesReadAsAbsent() {
        List<NvidiaSmi.Row> rows = NvidiaSmi.parse(NvidiaSmi.FIELDS,
                "0, GPU-x, Tesla V100-SXM2-16GB, 16160, [N/A], [Not Supported]\n");
        assertEquals(List.of(new GpuSample(0, 0, 0)), NvidiaSmi.samples(rows));
        assertEquals("v100-16g", NvidiaSmi.devices(rows).get(0).flavor());
    }

    @Test
    void aLineWithTheWrongNumberOfValuesIsRefusedWithTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NvidiaSmi.parse(NvidiaSmi.FIELDS, "0, GPU-x, NVIDIA H100 80GB HBM3\n"));
        assertTrue(e.getMessage().contains("3 values, expected 6"), e.getMessage());
    }

    @Test
    void aMissingNvidiaSmiMeansNoGpu() throws IOException {
        assertEquals(List.of(), new NvidiaSmi("/nonexistent/nvidia-smi").query());
    }

    @ParameterizedTest
    @CsvSource({
        "NVIDIA H100 80GB HBM3, 81559, h100-80g",
        "NVIDIA GeForce RTX 2080 Ti, 11264, rtx2080ti-11g",
        "NVIDIA GeForce RTX 2080 Ti, 11019, rtx2080ti-11g",
        "Tesla V100-SXM2-16GB, 16160, v100-16g",
        "Tesla V100-PCIE-32GB, 32510, v100-32g",
        "NVIDIA A100-SXM4-40GB, 40960, a100-40g",
        "NVIDIA A100 80GB PCIe, 81920, a100-80g",
        "NVIDIA L40S, 46068, l40s-45g",
        "NVIDIA RTX A6000, 49140, rtxa6000-48g",
        "Tesla T4, 15360, t4-15g",
    })
    void flavorRule(String model, long memoryMb, String flavor) {
        assertEquals(flavor, GpuFlavors.flavorOf(model, memoryMb));
    }

    @Test
    void virtualGpusFromADeclaration() {
        List<String> flavors = VirtualGpus.parse("2x v100-16g, 1x rtx2080ti-11g");
        assertEquals(List.of("v100-16g", "v100-16g", "rtx2080ti-11g"), flavors);
        List<GpuDevice> gpus = VirtualGpus.devices("n1", flavors);
        assertEquals(new GpuDevice(2, "VIRTUAL-n1-2", "NVIDIA GeForce RTX 2080 Ti", "rtx2080ti-11g", 11264, true),
                gpus.get(2));
        assertEquals(16384, gpus.get(0).memoryMb());
        assertTrue(gpus.stream().allMatch(GpuDevice::virtual));
        assertFalse(Inventory.declared("n1", 8, 1024, flavors).hasRealGpus());
        assertEquals(List.of(), VirtualGpus.parse(" "));
    }

    @Test
    void aWrongDeclarationSaysHowToWriteIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VirtualGpus.parse("4 rtx2080ti"));
        assertTrue(e.getMessage().contains("'4 rtx2080ti' not understood"), e.getMessage());
        assertTrue(e.getMessage().contains("4x rtx2080ti-11g"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VirtualGpus.parse("0x v100-16g"));
    }

    @Test
    void memTotalFromMeminfo() {
        assertEquals(15_923, HostDiscovery.memTotalMb("MemTotal:       16305812 kB\nMemFree:  1 kB\n"));
    }

    @Test
    void inventoryRefusesDuplicateIndicesAndBadNames() {
        GpuDevice g = new GpuDevice(0, "u", "m", "f-1g", 1024, true);
        assertThrows(IllegalArgumentException.class, () -> new Inventory("n", null, null, 1, 1, List.of(g, g)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Inventory("bad name", null, null, 1, 1, List.of()));
        assertTrue(e.getMessage().contains("node name 'bad name' is not valid"));
    }
}
