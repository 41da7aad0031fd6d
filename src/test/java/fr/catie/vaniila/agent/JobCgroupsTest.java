package fr.catie.vaniila.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        for (String controller : List.of("memory", "cpu", "freezer", "cpuacct")) {
            Files.createDirectories(dir.resolve(controller).resolve("agent-slice"));
        }
        JobCgroups.Detection detection = CgroupV1.detect(dir,
                "5:cpuacct:/agent-slice\n4:memory:/agent-slice\n3:freezer:/agent-slice\n2:cpu:/agent-slice\n");
        assertNull(detection.unavailableBecause());
        JobCgroups.Placement placement = detection.cgroups().create(new LaunchId("l-1"), 3, 512);
        Path memory = dir.resolve("memory/agent-slice/vaniila/l-1");
        Path cpu = dir.resolve("cpu/agent-slice/vaniila/l-1");
        Path freezer = dir.resolve("freezer/agent-slice/vaniila/l-1");
        Path cpuacct = dir.resolve("cpuacct/agent-slice/vaniila/l-1");
        assertEquals(List.of(memory, cpu, freezer, cpuacct), JobCgroups.dirs(placement.saved()));
        assertEquals(List.of(memory.resolve("cgroup.procs"), cpu.resolve("cgroup.procs"),
                freezer.resolve("cgroup.procs"), cpuacct.resolve("cgroup.procs")), placement.procs());
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
        JobCgroups.Placement placement = detection.cgroups().create(new LaunchId("l-2"), 1, 0);
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
}
