package fr.catie.vaniila.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PTY relay program ({@code vaniila-pty.py}) run as the agent runs it: frames on its standard input, the
 * terminal's output on its standard output, a real pseudo-terminal in between.
 */
class PtyRelayTest {

    private Path dir;
    private Process relay;
    private OutputStream frames;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("pty-relay");
        Path program = dir.resolve("vaniila-pty.py");
        try (InputStream in = JobLauncher.class.getResourceAsStream(JobLauncher.RELAY)) {
            Files.write(program, in.readAllBytes());
        }
        relay = new ProcessBuilder("python3", program.toString(), "100", "30", "/bin/bash", "--norc", "--noprofile")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        frames = relay.getOutputStream();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try (InputStream in = relay.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (screen) {
                        screen.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // the relay ended
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    @AfterEach
    void stop() throws IOException {
        relay.destroyForcibly();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void type(String keys) throws IOException {
        byte[] b = keys.getBytes(StandardCharsets.UTF_8);
        frames.write(TerminalFrames.input(b, 0, b.length));
        frames.flush();
    }

    private String awaitScreen(String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String text;
        do {
            synchronized (screen) {
                text = screen.toString(StandardCharsets.UTF_8);
            }
            if (text.contains(expected)) {
                return text;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the terminal never showed '" + expected + "'; it shows:\n" + text);
    }

    @Test
    void theShellHasARealTerminalOfTheGivenSizeAndFollowsResizes() throws Exception {
        type("tty; stty size\r");
        awaitScreen("30 100");
        assertThat(awaitScreen("/dev/pts/")).doesNotContain("not a tty");
        frames.write(TerminalFrames.resize(132, 43));
        type("stty size\r");
        awaitScreen("43 132");
        // A program in the foreground learns of the change by SIGWINCH, as under a real terminal emulator.
        type("trap 'echo got-winch' WINCH; sleep 5 & wait\r");
        Thread.sleep(500);
        frames.write(TerminalFrames.resize(90, 20));
        frames.flush();
        awaitScreen("got-winch");
        type("exit 3\r");
        assertThat(relay.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(relay.exitValue()).isEqualTo(3);
    }

    @Test
    void ctrlCInterruptsTheForegroundProgramAndTheShellSurvives() throws Exception {
        long start = System.nanoTime();
        type("sleep 100; echo not-$((1+1))-interrupted\r");
        Thread.sleep(700);
        type("\u0003");
        type("echo alive-$((6*7))\r");
        String text = awaitScreen("alive-42");
        assertThat(text).contains("^C").doesNotContain("not-2-interrupted");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        type("exit\r");
        assertThat(relay.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(relay.exitValue()).isZero();
    }

    @Test
    void aHangupOrTheEndOfInputEndsTheShellAsAClosedTerminalWould() throws Exception {
        type("echo ready\r");
        awaitScreen("ready");
        frames.write(TerminalFrames.hangup());
        frames.flush();
        assertThat(relay.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(relay.exitValue()).isEqualTo(128 + 1);
    }

    @Test
    void aMalformedFrameHangsUp() throws Exception {
        type("echo ready\r");
        awaitScreen("ready");
        frames.write(new byte[] {9, 0, 0, 0, 1, 0});
        frames.flush();
        assertThat(relay.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(relay.exitValue()).isEqualTo(129);
    }
}
