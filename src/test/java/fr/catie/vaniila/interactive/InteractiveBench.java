package fr.catie.vaniila.interactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import fr.catie.vaniila.agent.TerminalFrames;
import fr.catie.vaniila.identity.Accounts;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.support.PortalIT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Bench command (not run by the build: its name ends in neither Test nor IT): how fast an interactive terminal
 * is through the whole relay (portal terminal, WebSocket to the in-process agent, pipes, the PTY relay, bash and
 * back), against the same PTY relay driven directly as the anchor, measured in the same run on the same
 * machine: the time to a shell, the keystroke echo round trip, and the output throughput.
 * docs/benchmarks/interactive.md has the command and the results. It asserts only that everything worked.
 */
class InteractiveBench extends PortalIT {

    static final int KEYSTROKES = 300;
    static final long OUTPUT_BYTES = 20_000_000;
    static final int ROUNDS = 3;

    @Autowired
    InteractiveAllocations allocations;

    @Autowired
    Accounts accounts;

    /** One terminal, whichever way it is reached: counts echoed keys and watches for a marker. */
    private static final class Screen {
        final Semaphore keys = new Semaphore(0);
        final StringBuilder tail = new StringBuilder();
        volatile String marker;
        volatile CompletableFuture<Long> markerSeen = new CompletableFuture<>();
        volatile long bytes;

        synchronized void received(byte[] data, int length) {
            bytes += length;
            for (int i = 0; i < length; i++) {
                if (data[i] == 'k') {
                    keys.release();
                }
            }
            tail.append(new String(data, 0, length, StandardCharsets.ISO_8859_1));
            if (tail.length() > 4096) {
                tail.delete(0, tail.length() - 256);
            }
            String m = marker;
            if (m != null && tail.indexOf(m) >= 0) {
                markerSeen.complete(System.nanoTime());
                marker = null;
                tail.setLength(0);
            }
        }

        synchronized CompletableFuture<Long> expect(String text) {
            markerSeen = new CompletableFuture<>();
            tail.setLength(0);
            marker = text;
            keys.drainPermits();
            return markerSeen;
        }
    }

    private record Figures(double toShellMs, double echoP50Ms, double echoP95Ms, double megabytesPerSecond) {
    }

    @Test
    void terminalLatencyAndThroughput() throws Exception {
        awaitNodes();
        String user = unique("b");
        orgWithUser(unique("bench"), user, "USER");
        Caller caller = accounts.caller(user).orElseThrow();
        Path relayProgram = Files.createTempFile("vaniila-pty", ".py");
        try (InputStream in = TerminalFrames.class.getResourceAsStream("vaniila-pty.py")) {
            Files.write(relayProgram, in.readAllBytes());
        }
        for (int round = 1; round <= ROUNDS; round++) {
            Figures portal = throughThePortal(caller);
            Figures direct = directly(relayProgram);
            System.out.printf(Locale.ROOT, "round %d portal: shell %.0f ms, echo p50 %.2f ms p95 %.2f ms, output %.1f MB/s%n",
                    round, portal.toShellMs(), portal.echoP50Ms(), portal.echoP95Ms(), portal.megabytesPerSecond());
            System.out.printf(Locale.ROOT, "round %d direct: shell %.0f ms, echo p50 %.2f ms p95 %.2f ms, output %.1f MB/s%n",
                    round, direct.toShellMs(), direct.echoP50Ms(), direct.echoP95Ms(), direct.megabytesPerSecond());
            System.out.printf(Locale.ROOT, "round %d ratio portal/direct: echo p50 %.1fx, output %.2fx%n", round,
                    portal.echoP50Ms() / direct.echoP50Ms(), portal.megabytesPerSecond() / direct.megabytesPerSecond());
        }
    }

    private Figures throughThePortal(Caller caller) throws Exception {
        Screen screen = new Screen();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        long start = System.nanoTime();
        CompletableFuture<Long> prompt = screen.expect("ready-42");
        Terminal terminal = allocations.open(caller, new AllocationRequest("bench", null, null, null, null, null, "10",
                List.of("bash", "--norc", "--noprofile"), "srun"), new TerminalSize(1000, 50), new TerminalOutput() {
                    @Override
                    public void output(byte[] data) {
                        screen.received(data, data.length);
                    }

                    @Override
                    public void closed(int exitCode, String why) {
                        closed.complete(exitCode);
                    }
                });
        terminal.input("echo ready-$((6*7))\r".getBytes(StandardCharsets.UTF_8));
        double toShell = (prompt.get(120, TimeUnit.SECONDS) - start) / 1e6;
        Figures f = measure(screen, toShell, bytes -> terminal.input(bytes));
        terminal.input("exit\r".getBytes(StandardCharsets.UTF_8));
        assertThat(closed.get(60, TimeUnit.SECONDS)).isZero();
        return f;
    }

    private Figures directly(Path relayProgram) throws Exception {
        Screen screen = new Screen();
        long start = System.nanoTime();
        CompletableFuture<Long> prompt = screen.expect("ready-42");
        Process relay = new ProcessBuilder("python3", relayProgram.toString(), "1000", "50", "bash", "--norc",
                "--noprofile").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = relay.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    screen.received(buffer, n);
                }
            } catch (IOException e) {
                // ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        OutputStream frames = relay.getOutputStream();
        Consumer<byte[]> type = bytes -> {
            try {
                frames.write(TerminalFrames.input(bytes, 0, bytes.length));
                frames.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
        type.accept("echo ready-$((6*7))\r".getBytes(StandardCharsets.UTF_8));
        double toShell = (prompt.get(60, TimeUnit.SECONDS) - start) / 1e6;
        Figures f = measure(screen, toShell, type);
        type.accept("exit\r".getBytes(StandardCharsets.UTF_8));
        assertThat(relay.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return f;
    }

    /** Keystroke echoes one at a time, then a large output, timed on the same terminal. */
    private static Figures measure(Screen screen, double toShell, Consumer<byte[]> type) throws Exception {
        screen.expect("never");
        List<Double> echoes = new ArrayList<>();
        byte[] key = {'k'};
        for (int i = 0; i < KEYSTROKES; i++) {
            long t0 = System.nanoTime();
            type.accept(key);
            if (!screen.keys.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new AssertionError("keystroke " + i + " was not echoed");
            }
            echoes.add((System.nanoTime() - t0) / 1e6);
        }
        type.accept(new byte[] {0x15}); // Ctrl-U: the line of k's is dropped
        Collections.sort(echoes);
        CompletableFuture<Long> end = screen.expect("END-2-MARK");
        long before = screen.bytes;
        long t0 = System.nanoTime();
        type.accept(("head -c " + OUTPUT_BYTES + " /dev/zero | tr '\\0' 'a'; echo END-$((1+1))-MARK\r")
                .getBytes(StandardCharsets.UTF_8));
        double seconds = (end.get(300, TimeUnit.SECONDS) - t0) / 1e9;
        long received = screen.bytes - before;
        assertThat(received).isGreaterThanOrEqualTo(OUTPUT_BYTES);
        return new Figures(toShell, echoes.get(echoes.size() / 2), echoes.get((int) (echoes.size() * 0.95)),
                received / 1e6 / seconds);
    }
}
