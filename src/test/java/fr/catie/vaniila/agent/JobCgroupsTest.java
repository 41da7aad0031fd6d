package fr.catie.vaniila.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobCgroupsTest {

    @TempDir
    Path dir;

    @Test
    void theAgentsOwnPlaceInEachV1HierarchyIsReadFromProcSelfCgroup() {
        String self = String.join("\n", "12:pids:/system.slice/vaniila-agent.service",
                "4:memory:/process_api/e794", "2:cpu,cpuacct:/", "1:name=systemd:/system.slice/x.service",
                "0::/system.slice/vaniila-agent.service", "");
        assertEquals("/process_api/e794", CgroupV1.ownPath(self, "memory"));
        assertEquals("/", CgroupV1.ownPath(self, "cpu"));
        assertEquals("/", CgroupV1.ownPath(self, "freezer"), "a controller no line names: the root");
    }

    @Test
    void aV1LaunchGetsADirectoryBelowTheAgentsOwnInEachHierarchyWithItsLimits() throws Exception {
        // Hierarchies laid out as plain directories: the agent's writes land in files, checked below.
        for (String controller : List.of("memory", "cpu", "freezer", "cpuacct", "devices")) {
            Files.createDirectories(dir.resolve(controller).resolve("agent-slice"));
        }
        JobCgroups.Detection detection = CgroupV1.detect(dir, "6:devices:/agent-slice\n5:cpuacct:/agent-slice\n"
                + "4:memory:/agent-slice\n3:freezer:/agent-slice\n2:cpu:/agent-slice\n");
        assertNull(detection.unavailableBecause());
        assertTrue(detection.cgroups().confinesDevices());
        JobCgroups.Placement placement = detection.cgroups().create(new LaunchId("l-1"), 3, 512,
                List.of(new GpuDeviceNumbers.CharDevice(195, 0), new GpuDeviceNumbers.CharDevice(195, 3)));
        Path memory = dir.resolve("memory/agent-slice/vaniila/l-1");
        Path cpu = dir.resolve("cpu/agent-slice/vaniila/l-1");
        Path freezer = dir.resolve("freezer/agent-slice/vaniila/l-1");
        Path cpuacct = dir.resolve("cpuacct/agent-slice/vaniila/l-1");
        Path devices = dir.resolve("devices/agent-slice/vaniila/l-1");
        assertEquals(List.of(memory, cpu, freezer, cpuacct, devices), JobCgroups.dirs(placement.saved()));
        assertEquals(List.of(memory.resolve("cgroup.procs"), cpu.resolve("cgroup.procs"),
                freezer.resolve("cgroup.procs"), cpuacct.resolve("cgroup.procs"), devices.resolve("cgroup.procs")),
                placement.procs());
        assertEquals("c 195:0 rwm\nc 195:3 rwm\n", Files.readString(devices.resolve("devices.deny")));
        assertTrue(detection.cgroups().cpuSeconds(placement.saved()).isEmpty(), "nothing counted yet");
        Files.writeString(cpuacct.resolve("cpuacct.usage"), "1500000000\n");
        assertEquals(1.5, detection.cgroups().cpuSeconds(placement.saved()).getAsDouble());
        assertEquals(String.valueOf(512L * 1024 * 1024), Files.readString(memory.resolve("memory.limit_in_bytes")));
        assertEquals("300000", Files.readString(cpu.resolve("cpu.cfs_quota_us")));
        assertEquals("100000", Files.readString(cpu.resolve("cpu.cfs_period_us")));
    }

    @Test
    void cpuAndCpuacctMountedTogetherGiveOneDirectory() throws Exception {
        // As systemd mounts them: cpu,cpuacct, with cpuacct's files in the cpu directory.
        Files.createDirectories(dir.resolve("memory"));
        Files.createDirectories(dir.resolve("cpu"));
        Files.writeString(dir.resolve("cpu").resolve("cpuacct.usage"), "0\n");
        Files.createSymbolicLink(dir.resolve("cpuacct"), dir.resolve("cpu"));
        JobCgroups.Detection detection = CgroupV1.detect(dir, "3:memory:/\n2:cpu,cpuacct:/\n");
        assertFalse(detection.cgroups().confinesDevices(), "no devices hierarchy");
        JobCgroups.Placement placement = detection.cgroups().create(new LaunchId("l-2"), 1, 0, List.of());
        assertEquals(List.of(dir.resolve("memory/vaniila/l-2"), dir.resolve("cpu/vaniila/l-2")),
                JobCgroups.dirs(placement.saved()));
    }

    @Test
    void withoutAMemoryHierarchyV1IsNotUsedAndTheReasonSaysWhere() throws Exception {
        Files.createDirectories(dir.resolve("cpu"));
        JobCgroups.Detection detection = CgroupV1.detect(dir, "2:cpu:/\n");
        assertTrue(detection.usable().isEmpty());
        assertTrue(detection.unavailableBecause().contains("memory cgroup " + dir.resolve("memory")),
                detection.unavailableBecause());
    }

    @Test
    void theKernelsOomKillsAreCountedFromTheKeyedFile() throws Exception {
        Path control = Files.writeString(dir.resolve("memory.oom_control"),
                "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertEquals(2, JobCgroups.keyed(control, "oom_kill"));
        assertEquals(0, JobCgroups.keyed(control, "oom_group_kill"));
        assertEquals(0, JobCgroups.keyed(dir.resolve("gone"), "oom_kill"));
    }

    @Test
    void aHalfMadeCgroupIsRemovedRatherThanLeftWithoutSomeOfItsLimits() throws Exception {
        Files.createDirectories(dir.resolve("memory"));
        Files.createDirectories(dir.resolve("cpu"));
        JobCgroups.Detection detection = CgroupV1.detect(dir, "3:memory:/\n2:cpu:/\n");
        // The cpu directory's limit file cannot be written: a directory stands in its place. (No memory limit, so
        // that the memory directory stays empty: a plain directory, unlike a cgroup's, is removed only empty.)
        Files.createDirectories(dir.resolve("cpu/vaniila/l-3/cpu.cfs_period_us"));
        assertThrows(IOException.class,
                () -> detection.cgroups().create(new LaunchId("l-3"), 1, 0, List.of()));
        assertFalse(Files.exists(dir.resolve("memory/vaniila/l-3")), "the memory half was left behind");
    }

    @Test
    void eachGpusDeviceMinorIsReadFromTheDriverByUuid() throws Exception {
        // As the driver writes it (/proc/driver/nvidia/gpus/0000:3b:00.0/information), trimmed.
        Path board0 = Files.createDirectories(dir.resolve("gpus/0000:3b:00.0"));
        Files.writeString(board0.resolve("information"), String.join("\n", "Model: \t\t Tesla V100-SXM2-16GB",
                "IRQ:   \t\t 86", "GPU UUID: \t GPU-aaaa", "Video BIOS: \t 88.00.4f.00.09", "Bus Type: \t PCIe",
                "Bus Location: \t 0000:3b:00.0", "Device Minor: \t 2", ""));
        Path board1 = Files.createDirectories(dir.resolve("gpus/0000:86:00.0"));
        Files.writeString(board1.resolve("information"), "GPU UUID: \t GPU-bbbb\nDevice Minor: \t 0\n");
        var minors = GpuDeviceNumbers.minorsByUuid(dir.resolve("gpus"));
        assertEquals(Map.of("GPU-aaaa", 2, "GPU-bbbb", 0), minors);
        assertTrue(GpuDeviceNumbers.minorsByUuid(dir.resolve("no-driver")).isEmpty());

        GpuDevice a = new GpuDevice(0, "GPU-aaaa", "Tesla V100-SXM2-16GB", "v100-16g", 16384, false);
        GpuDevice b = new GpuDevice(1, "GPU-bbbb", "Tesla V100-SXM2-16GB", "v100-16g", 16384, false);
        GpuDevice unknown = new GpuDevice(2, "GPU-cccc", "Tesla V100-SXM2-16GB", "v100-16g", 16384, false);
        GpuDevice virtual = new GpuDevice(3, "VIRTUAL-n-3", "virtual", "v100-16g", 16384, true);
        // The index is nvidia-smi's; the minor is the driver's, and may differ.
        assertEquals(Map.of(0, new GpuDeviceNumbers.CharDevice(195, 2),
                1, new GpuDeviceNumbers.CharDevice(195, 0)),
                GpuDeviceNumbers.devicesByIndex(List.of(a, b, virtual), minors).orElseThrow());
        assertTrue(GpuDeviceNumbers.devicesByIndex(List.of(a, unknown), minors).isEmpty(),
                "a GPU without a known device cannot be withheld");
    }
}
