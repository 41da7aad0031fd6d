package fr.catie.vaniila.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bench command: what a launch's cgroups cost, on this machine's own hierarchy. Each launch of a job that exits at
 * once is timed twice: from {@code start} until its pid is known (the account, directories, files, the cgroups'
 * creation and limits, the process and the wrapper), then its end (the out-of-memory count, the CPU time, the kill
 * of what is left in its cgroup, the cgroup's removal). Launches with and without cgroups alternate in one run, so that the
 * ratio holds on a shared, noisy machine. Run as root, it creates and removes the test account vaniila-t1.
 *
 * <p>Usage: {@code java -cp <test classpath> fr.catie.vaniila.agent.LaunchCgroupBench [LAUNCHES] [ROUNDS]}
 * (defaults 40, 3). The command and numbers are in docs/benchmarks/agent.md.
 */
public final class LaunchCgroupBench {

    private LaunchCgroupBench() {
    }

    public static void main(String[] args) throws Exception {
        int launches = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        JobCgroups.Detection detection = JobCgroups.detect(Path.of("/sys/fs/cgroup"));
        JobCgroups cgroups = detection.usable().orElseThrow(() -> new IllegalStateException(
                "no cgroup the agent may use here: " + detection.unavailableBecause()));
        System.out.println("cgroups: " + cgroups);
        Path base = Files.createTempDirectory("agent-cgroup-bench");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        boolean root = JobLauncher.runningAsRoot();
        JobLauncher plain = new JobLauncher(root, Optional.empty(), List.of(), Map.of());
        JobLauncher limited = new JobLauncher(root, Optional.of(cgroups), List.of(), Map.of());
        try {
            launch(plain, cgroups, base, "warm", 0); // the account and the JIT, out of the measure
            for (int round = 1; round <= rounds; round++) {
                long[][] without = new long[2][launches];
                long[][] with = new long[2][launches];
                for (int i = 0; i < launches; i++) {
                    long[] a = launch(plain, cgroups, base, "p" + round + "-" + i, i);
                    long[] b = launch(limited, cgroups, base, "c" + round + "-" + i, i);
                    without[0][i] = a[0];
                    without[1][i] = a[1];
                    with[0][i] = b[0];
                    with[1][i] = b[1];
                }
                // The cgroups alone: created with their limits, then removed, without a process.
                long[] alone = new long[launches];
                for (int i = 0; i < launches; i++) {
                    long t = System.nanoTime();
                    JobCgroups.Placement p = cgroups.create(new LaunchId("bench-alone-" + round + "-" + i), 1, 1024, List.of());
                    cgroups.remove(p.saved());
                    alone[i] = System.nanoTime() - t;
                }
                System.out.printf("round %d: start p50 %.1f ms without cgroups, %.1f ms with (ratio %.2f); "
                        + "end p50 %.2f ms without, %.2f ms with; creating and removing the cgroups alone p50 %.2f ms%n",
                        round, p50(without[0]), p50(with[0]), p50(with[0]) / p50(without[0]), p50(without[1]),
                        p50(with[1]), p50(alone));
            }
        } finally {
            NodeAgentIT.removeAccount(NodeAgentIT.USER);
            NodeAgentIT.deleteTree(base);
        }
    }

    /** One launch: nanoseconds of its start (until its pid is known) and of its end (after it exited). */
    private static long[] launch(JobLauncher launcher, JobCgroups cgroups, Path base, String name, int job)
            throws Exception {
        String ws = base.resolve("home").toString();
        LaunchSpec spec = new LaunchSpec(new LaunchId("bench-" + name), new JobId(job + 1), "bench", LaunchKind.BATCH,
                new UserAccount(NodeAgentIT.USER, NodeAgentIT.UID, NodeAgentIT.UID, ws), ws, ws + "/jobs/" + name,
                "#!/bin/bash\nexit 0\n", null, ws + "/out", ws + "/err", 1, 1024, List.of(), 0, 1, Map.of());
        long t0 = System.nanoTime();
        JobLauncher.Spawned spawned = launcher.start(spec);
        long started = System.nanoTime() - t0;
        Path exit = Path.of(spec.jobDir(), JobLauncher.EXIT_CODE);
        while (!Files.exists(exit)) {
            Thread.sleep(1);
        }
        // What NodeAgent.finish and the end of draining do with the cgroup, and nothing without one.
        long t1 = System.nanoTime();
        if (spawned.cgroup() != null) {
            cgroups.oomKills(spawned.cgroup());
            cgroups.cpuSeconds(spawned.cgroup());
            cgroups.killAll(spec.launchId(), spawned.cgroup());
            while (!cgroups.remove(spawned.cgroup())) {
                Thread.sleep(1);
            }
        }
        return new long[] {started, System.nanoTime() - t1};
    }

    private static double p50(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }
}
