package fr.catie.vaniila.agent;

import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Bench command: how fast the agent ships a job's log to the portal, against the same bytes uploaded by a bare
 * loop of 1 MiB chunks over the same HTTP link (the ceiling on this machine), measured in one run so that the
 * ratio holds on a shared, noisy machine. Run as root, it creates and removes the test account vaniila-t1.
 *
 * <p>Usage: {@code java -cp <test classpath> fr.catie.vaniila.agent.LogShippingBench [MEGABYTES] [ROUNDS]}
 * (defaults 200, 3). The command and numbers are in docs/benchmarks/agent.md.
 */
public final class LogShippingBench {

    private LogShippingBench() {
    }

    public static void main(String[] args) throws Exception {
        long bytes = (args.length > 0 ? Long.parseLong(args[0]) : 200) * 1_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path base = Files.createTempDirectory("agent-log-bench");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            for (int round = 1; round <= rounds; round++) {
                double agent = agentRound(base.resolve("r" + round), bytes, round);
                double bare = bareRound(base.resolve("r" + round), bytes);
                System.out.printf("round %d: agent %.1f MB/s, bare 1 MiB upload loop %.1f MB/s, ratio %.2f%n", round,
                        agent, bare, agent / bare);
            }
        } finally {
            NodeAgentIT.removeAccount(NodeAgentIT.USER);
            NodeAgentIT.deleteTree(base);
        }
    }

    /** The agent runs a job writing {@code bytes}; time from its start until the portal holds every byte. */
    private static double agentRound(Path dir, long bytes, int round) throws Exception {
        try (PortalHarness portal = new PortalHarness()) {
            Inventory node = Inventory.declared("bench-node", 2, 4096, List.of());
            AgentConfig config = AgentConfig.of(node, dir.resolve("state")).withWaits(1, 1)
                    .withMonitorInterval(Duration.ofMillis(200)).withCgroupRoot(null);
            NodeAgent agent = NodeAgent.start(config, new HttpPortalLink(portal.uri(), PortalHarness.TOKEN));
            try {
                // The log is written beforehand and the job only cats it (page cache), so that the round measures
                // shipping rather than the job's own writing competing for the two cores.
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                Path data = dir.resolve("data");
                writeLog(data, bytes);
                String ws = dir.resolve("home").toString();
                LaunchSpec spec = new LaunchSpec(new LaunchId("bench-" + round), new JobId(round), "bench",
                        LaunchKind.BATCH, new UserAccount(NodeAgentIT.USER, NodeAgentIT.UID, NodeAgentIT.UID, ws), ws,
                        ws + "/job", "#!/bin/bash\ncat " + data + "\n", null, ws + "/out", ws + "/err", 1, 1024, List.of(), 0, 1,
                        Map.of());
                long start = System.nanoTime();
                portal.send(PortalHarness.launchCommand("c-" + round, spec));
                while (portal.logSize(spec.launchId(), LogStream.STDOUT) < bytes) {
                    Thread.sleep(20);
                }
                return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
            } finally {
                agent.stop();
            }
        }
    }

    private static void writeLog(Path file, long bytes) throws Exception {
        byte[] line = "epoch 1 step 100 loss 0.3141 lr 0.001 throughput 1234 samples/s\n".getBytes();
        byte[] block = new byte[line.length * 16384];
        for (int i = 0; i < 16384; i++) {
            System.arraycopy(line, 0, block, i * line.length, line.length);
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long left = bytes;
            while (left > 0) {
                ByteBuffer buffer = ByteBuffer.wrap(block, 0, (int) Math.min(block.length, left));
                left -= out.write(buffer);
            }
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** The same file uploaded by a bare loop: read 1 MiB, POST it, repeat. */
    private static double bareRound(Path dir, long bytes) throws Exception {
        Path file = dir.resolve("home").resolve("out");
        try (PortalHarness portal = new PortalHarness();
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            HttpPortalLink link = new HttpPortalLink(portal.uri(), PortalHarness.TOKEN);
            byte[] chunk = new byte[NodeAgent.MAX_CHUNK];
            long start = System.nanoTime();
            long offset = 0;
            while (offset < bytes) {
                ByteBuffer buffer = ByteBuffer.wrap(chunk);
                int n = channel.read(buffer, offset);
                offset = link.uploadLog(new LaunchId("bare"), LogStream.STDOUT, offset, chunk, n).next();
            }
            return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
        }
    }
}
