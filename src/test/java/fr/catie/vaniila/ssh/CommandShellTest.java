package fr.catie.vaniila.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import fr.catie.vaniila.identity.AccountId;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.OrganisationId;
import fr.catie.vaniila.identity.Role;
import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.interactive.Terminal;
import fr.catie.vaniila.interactive.TerminalOutput;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.interactive.TerminalSize;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shell's own behaviour, without the Slurm commands (which need the modules: SshIT and
 * WebTerminalIT run those): built-ins, decoding of split input, the terminal's size, and how it ends.
 */
class CommandShellTest {

    private static final Caller ALICE = new Caller(new AccountId(7), "alice", new OrganisationId(3), "acme", Role.USER,
            20007);

    /** What the shell wrote, and how it ended, in order. */
    static final class Screen implements TerminalOutput {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final List<String> events = new ArrayList<>();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();

        @Override
        public synchronized void output(byte[] data) {
            bytes.writeBytes(data);
            events.add("output");
            notifyAll();
        }

        @Override
        public synchronized void closed(int exitCode, String why) {
            events.add("closed " + exitCode + " " + why);
            exit.complete(exitCode);
            notifyAll();
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        synchronized List<String> events() {
            return List.copyOf(events);
        }

        /** Waits until the screen shows the text; returns the whole screen. */
        synchronized String await(String expected) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!text().contains(expected)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the shell never wrote '" + expected + "'; it wrote: " + text());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return text();
        }
    }

    private final Screen screen = new Screen();
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private Thread thread;

    private CommandShell start(boolean lineEditing) {
        return start(lineEditing, null);
    }

    private CommandShell start(boolean lineEditing, ForegroundCommands foreground) {
        CommandShell shell = new CommandShell(null, null, ALICE, "127.0.0.1", "test.command", lineEditing,
                new TerminalSize(80, 24), screen, errors::writeBytes, foreground);
        thread = new Thread(shell::run, "shell-under-test");
        thread.start();
        return shell;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (thread != null) {
            thread.interrupt();
            thread.join(5000);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void sttySizeFollowsTheWindow() throws Exception {
        CommandShell shell = start(true);
        screen.await("alice@vaniila:~$ ");
        shell.input(utf8("stty size\r"));
        screen.await("24 80\r\n");
        assertThat(screen.await("24 80\r\nalice@vaniila:~$ ")).contains("stty size\r\n24 80\r\n");
        shell.resize(new TerminalSize(132, 43));
        shell.input(utf8("stty size\r"));
        screen.await("43 132\r\n");
        assertThat(shell.size()).isEqualTo(new TerminalSize(132, 43));
        shell.input(utf8("stty -a\r"));
        screen.await("stty: only 'stty size' is available in this shell\r\n");
    }

    @Test
    void aCharacterSplitAcrossTwoChunksArrivesWhole() throws Exception {
        CommandShell shell = start(true);
        screen.await("$ ");
        byte[] e = utf8("é");
        shell.input(new byte[] {'s', e[0]});
        shell.input(new byte[] {e[1], '!'});
        assertThat(screen.await("sé!")).doesNotContain("\uFFFD");
        // Ctrl-C drops the line, which never reaches the commands.
        shell.input(new byte[] {0x03});
        screen.await("sé!^C\r\nalice@vaniila:~$ ");
    }

    @Test
    void exitEndsTheShellOnceAndLast() throws Exception {
        CommandShell shell = start(true);
        screen.await("$ ");
        shell.input(utf8("exit\r"));
        assertThat(screen.exit.get(10, TimeUnit.SECONDS)).isZero();
        shell.input(utf8("history\r"));
        shell.close();
        thread.join(5000);
        List<String> events = screen.events();
        assertThat(events.get(events.size() - 1)).isEqualTo("closed 0 logout");
        assertThat(events).filteredOn(s -> s.startsWith("closed")).hasSize(1);
        assertThat(screen.text()).doesNotContain("history");
    }

    @Test
    void ctrlDOnAnEmptyLineLogsOut() throws Exception {
        CommandShell shell = start(true);
        screen.await("$ ");
        shell.input(new byte[] {0x04});
        assertThat(screen.exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(screen.text()).endsWith("logout\r\n");
    }

    @Test
    void closingHangsUpWithoutRunningWhatIsQueued() throws Exception {
        CommandShell shell = start(true);
        screen.await("$ ");
        shell.close();
        shell.input(utf8("history\r"));
        assertThat(screen.exit.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(screen.events()).last().isEqualTo("closed -1 the terminal was closed");
        assertThat(screen.text()).doesNotContain("history");
    }

    @Test
    void withoutATerminalLinesArePlainAndErrorsApart() throws Exception {
        CommandShell shell = start(false);
        shell.input(utf8("stty size\nstty wrong\n"));
        shell.input(utf8("history\n"));
        shell.endOfInput();
        assertThat(screen.exit.get(10, TimeUnit.SECONDS)).isZero();
        String text = screen.text();
        assertThat(text).doesNotContain("$ ").doesNotContain("\r\n").contains("24 80\n");
        // No line editing, so no history either: only the terminal's editor keeps one.
        assertThat(text).doesNotContain("stty wrong");
        assertThat(errors.toString(StandardCharsets.UTF_8)).isEqualTo("stty: only 'stty size' is available in this shell\n");
        assertThat(screen.events()).last().isEqualTo("closed 0 end of input");
    }

    // ------------------------------------------------------------------ a command that takes the terminal over

    /**
     * Stands for {@code srun --pty}: answers each input in brackets, ends on 'x' with exit code 3,
     * records the sizes it is given; refuses {@code srun --gpus=99}.
     */
    static final class Bracketing implements ForegroundCommands {
        final List<TerminalSize> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile TerminalOutput output;

        @Override
        public Terminal open(Caller caller, List<String> argv, TerminalSize size, TerminalOutput output) {
            if (!argv.get(0).equals("srun")) {
                return null;
            }
            if (argv.contains("--gpus=99")) {
                throw Problem.unprocessable("no node has 99 GPUs");
            }
            opened.add(caller.username() + " " + String.join(" ", argv));
            sizes.add(size);
            this.output = output;
            return new Terminal() {
                private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

                @Override
                public void input(byte[] data) {
                    String typed = new String(data, StandardCharsets.UTF_8);
                    if (typed.contains("x") && ended.compareAndSet(false, true)) {
                        output.output(utf8("[bye]\r\n"));
                        output.closed(3, "the shell exited");
                    } else if (!ended.get()) {
                        output.output(utf8("[" + typed + "]"));
                    }
                }

                @Override
                public void resize(TerminalSize s) {
                    sizes.add(s);
                }

                @Override
                public void close() {
                    if (ended.compareAndSet(false, true)) {
                        output.output(utf8("[hung up]"));
                        output.closed(-1, "hung up");
                    }
                }
            };
        }
    }

    /** Records the commands, as the audit log would; only the foreground commands reach it here. */
    static AuditLog audit(List<String> recorded) {
        return new AuditLog(null) {
            @Override
            public void record(String actor, Long organisationId, String action, String target, String detail,
                    String address) {
                recorded.add(action + " " + detail);
            }
        };
    }

    @Test
    void aForegroundCommandHasTheTerminalUntilItEnds() throws Exception {
        Bracketing srun = new Bracketing();
        List<String> audited = new java.util.concurrent.CopyOnWriteArrayList<>();
        CommandShell shell = new CommandShell(null, audit(audited), ALICE, "127.0.0.1", "test.command", true,
                new TerminalSize(80, 24), screen, null, srun);
        thread = new Thread(shell::run, "shell-under-test");
        thread.start();
        screen.await("$ ");
        // What is typed after the line, in the same chunk, is the command's already.
        shell.input(utf8("srun --pty bash\rls"));
        screen.await("[ls]");
        shell.input(utf8("pwd"));
        screen.await("[pwd]");
        shell.resize(new TerminalSize(100, 50));
        shell.input(utf8("x"));
        screen.await("[bye]\r\nalice@vaniila:~$ ");
        assertThat(srun.opened).containsExactly("alice srun --pty bash");
        assertThat(srun.sizes).containsExactly(new TerminalSize(80, 24), new TerminalSize(100, 50));
        assertThat(audited).containsExactly("test.command srun --pty bash");

        // The shell has the terminal back, with the size it was given meanwhile.
        shell.input(utf8("stty size\r"));
        screen.await("50 100\r\n");
        shell.input(utf8("srun --gpus=99 --pty bash\r"));
        screen.await("srun: error: no node has 99 GPUs\r\nalice@vaniila:~$ ");
        assertThat(screen.events()).noneMatch(e -> e.startsWith("closed"));
    }

    @Test
    void hangingUpEndsTheForegroundCommandFirst() throws Exception {
        Bracketing srun = new Bracketing();
        CommandShell shell = new CommandShell(null, audit(new ArrayList<>()), ALICE, "127.0.0.1", "test.command", true,
                new TerminalSize(80, 24), screen, null, srun);
        thread = new Thread(shell::run, "shell-under-test");
        thread.start();
        screen.await("$ ");
        shell.input(utf8("srun --pty bash\r"));
        shell.input(utf8("sleep"));
        screen.await("[sleep]");
        shell.close();
        assertThat(screen.exit.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(screen.text()).endsWith("[sleep][hung up]");
        assertThat(screen.events()).last().isEqualTo("closed -1 the terminal was closed");
        // Whatever the command writes after the shell ended never reaches the screen.
        srun.output.output(utf8("late"));
        assertThat(screen.text()).doesNotContain("late");
    }
}
