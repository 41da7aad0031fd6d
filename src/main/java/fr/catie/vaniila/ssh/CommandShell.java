package fr.catie.vaniila.ssh;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.Terminal;
import fr.catie.vaniila.interactive.TerminalOutput;
import fr.catie.vaniila.interactive.TerminalSize;
import fr.catie.vaniila.platform.Problem;

/**
 * The cluster's command shell, whatever front end carries it (an SSH channel or the web terminal's
 * WebSocket): a prompt, line editing and history ({@link LineEditor}) on a terminal, plain lines
 * otherwise ({@code ssh host < commands}). Runs the Slurm commands of {@link SlurmCommands} as the
 * caller, plus the built-ins {@code history}, {@code clear}, {@code stty size}, {@code help} and
 * {@code exit}. No allocation: commands run inside the portal, as the caller, scoped to the caller's
 * organisation by the module APIs.
 *
 * <p>Input arrives as bytes in any chunks (a UTF-8 character may be split across two calls) and is
 * queued; one thread runs {@link #run()}, which decodes it, edits lines and runs commands, so a slow
 * command never blocks the front end's I/O thread. That thread alone writes to the
 * {@link TerminalOutput}, so output calls come in order and one at a time, and {@code closed} comes
 * exactly once, last. {@link #input}, {@link #resize}, {@link #endOfInput} and {@link #close} are
 * thread-safe.
 */
public final class CommandShell implements Terminal {

    /** How many input chunks may wait for the shell; a front end that outruns it is hung up. */
    static final int INBOX_CHUNKS = 1024;

    /** The shell's answer to {@code help}, after the Slurm commands'. */
    static final String BUILT_INS = "Shell: history, clear, stty size (rows and columns of this terminal), exit.\n";

    private static final Object END_OF_INPUT = new Object();
    private static final Object HANG_UP = new Object();

    /** What {@link #feed} returns when the shell ended while a command had the terminal. */
    private static final int ENDED_IN_FOREGROUND = Integer.MIN_VALUE;

    /** How long a hung-up shell waits for the command in the foreground to end, so that its end comes first. */
    private static final long FOREGROUND_GRACE_SECONDS = 10;

    /** A command that took the terminal over, whether its output may still reach the screen, and its end. */
    private static final class Foreground {
        final Object lock = new Object();
        final CompletableFuture<Integer> ended = new CompletableFuture<>();
        volatile Terminal terminal;
        boolean open = true; // guarded by lock
    }

    private final SlurmCommands commands;
    private final AuditLog audit;
    private final Caller caller;
    private final String address;
    private final String auditAction;
    private final boolean lineEditing;
    private final TerminalOutput output;
    private final Consumer<byte[]> errors;
    private final ForegroundCommands foregroundCommands;
    private volatile Foreground foreground;
    private final BlockingQueue<Object> inbox = new ArrayBlockingQueue<>(INBOX_CHUNKS);
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile TerminalSize size;
    private volatile String hangUpReason;

    // Owned by the thread in run().
    private CharBuffer decoded = CharBuffer.allocate(0);
    private boolean endedWithInput;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private final LineEditor editor = new LineEditor();
    private final StringBuilder plainLine = new StringBuilder();
    private final String prompt;

    /**
     * @param auditAction the audit log's action for each command line, e.g. {@code ssh.command}
     * @param lineEditing a terminal (prompt, echo, line editing, CR LF output) rather than plain lines
     * @param errors      where standard error goes when there is no terminal (null: with the output);
     *                    on a terminal, as on a PTY, errors and output share the screen
     * @param foregroundCommands the commands that take the terminal over ({@code srun --pty}); null for none
     */
    CommandShell(SlurmCommands commands, AuditLog audit, Caller caller, String address, String auditAction,
            boolean lineEditing, TerminalSize size, TerminalOutput output, Consumer<byte[]> errors,
            ForegroundCommands foregroundCommands) {
        this.commands = commands;
        this.audit = audit;
        this.caller = caller;
        this.address = address;
        this.auditAction = auditAction;
        this.lineEditing = lineEditing;
        this.size = size == null ? TerminalSize.DEFAULT : size;
        this.output = output;
        this.errors = errors;
        this.foregroundCommands = foregroundCommands;
        this.prompt = caller.username() + "@vaniila:~$ ";
    }

    @Override
    public void input(byte[] data) {
        if (ended.get() || hangUpReason != null || data.length == 0) {
            return;
        }
        try {
            if (!inbox.offer(data.clone(), 30, TimeUnit.SECONDS)) {
                hangUp("input arrived faster than the shell could read it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void resize(TerminalSize size) {
        this.size = size;
        Foreground f = foreground;
        Terminal t = f == null ? null : f.terminal;
        if (t != null) {
            t.resize(size);
        }
    }

    /** The window's size as the shell knows it: what {@code stty size} prints. */
    public TerminalSize size() {
        return size;
    }

    /** The input ends (the client closed its side): what was typed before still runs, then the shell exits. */
    public void endOfInput() {
        if (!ended.get()) {
            try {
                inbox.put(END_OF_INPUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        hangUp("the terminal was closed");
    }

    private void hangUp(String why) {
        if (hangUpReason == null) {
            hangUpReason = why;
        }
        inbox.clear();
        // Wakes the shell up; should a racing writer have filled the queue, the shell sees the reason
        // set at its next item anyway.
        inbox.offer(HANG_UP);
    }

    /**
     * Runs the shell until the user leaves ({@code exit}, Ctrl-D, end of input) or the terminal is
     * closed; tells the output {@code closed} and returns the exit code. Called once, on the thread
     * that is to run the commands.
     */
    public int run() {
        int code = -1;
        String why = "the terminal was closed";
        try {
            write("Vaniila GPU cluster: Slurm commands (sbatch, squeue, sinfo, sacct...). Type 'help'.\n");
            if (lineEditing) {
                raw(prompt);
            }
            while (true) {
                Object item = inbox.take();
                if (item == HANG_UP || hangUpReason != null) {
                    why = hangUpReason;
                    break;
                }
                if (item == END_OF_INPUT) {
                    code = 0;
                    why = "end of input";
                    break;
                }
                if (!(item instanceof byte[] bytes)) {
                    continue; // the end of a command that had the terminal, already seen
                }
                Integer exit = feed(bytes);
                if (exit != null && exit == ENDED_IN_FOREGROUND) {
                    code = endedWithInput ? 0 : -1;
                    why = endedWithInput ? "end of input" : hangUpReason;
                    break;
                }
                if (exit != null) {
                    code = exit;
                    why = "logout";
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "the terminal was closed";
        } catch (RuntimeException e) {
            why = "internal error: " + e.getMessage();
            code = 1;
        } finally {
            ended.set(true);
            inbox.clear();
            output.closed(code, why);
        }
        return code;
    }

    /** Decodes a chunk and feeds its characters; returns the exit code when the user left, else null. */
    private Integer feed(byte[] data) {
        ByteBuffer in = ByteBuffer.allocate(pending.remaining() + data.length);
        in.put(pending).put(data).flip();
        CharBuffer chars = CharBuffer.allocate(in.remaining());
        decoder.decode(in, chars, false);
        // A character split across chunks waits for its other bytes.
        pending = in.slice();
        chars.flip();
        decoded = chars;
        while (decoded.hasRemaining()) {
            Integer exit = feed(decoded.get());
            if (exit != null) {
                return exit;
            }
        }
        return null;
    }

    private Integer feed(char c) {
        String entered = null;
        if (lineEditing) {
            StringBuilder echo = new StringBuilder();
            LineEditor.Event event = editor.feed(c, echo);
            raw(echo.toString());
            if (event instanceof LineEditor.EndOfInput) {
                raw("logout\r\n");
                return 0;
            }
            if (event instanceof LineEditor.Interrupt) {
                raw(prompt);
                return null;
            }
            if (event instanceof LineEditor.Line l) {
                entered = l.text();
            }
        } else if (c == '\n') {
            entered = plainLine.toString();
            plainLine.setLength(0);
        } else if (c != '\r') {
            plainLine.append(c);
        }
        if (entered == null) {
            return null;
        }
        String line = entered.strip();
        if (line.equals("exit") || line.equals("logout")) {
            return 0;
        }
        Takeover takeover = runForeground(line);
        if (takeover == Takeover.ENDED) {
            return ENDED_IN_FOREGROUND;
        }
        if (takeover == Takeover.NONE) {
            runLine(line);
        }
        if (lineEditing) {
            raw(prompt);
        }
        return null;
    }

    /** What became of a line given to the {@link ForegroundCommands}. */
    private enum Takeover {
        /** not one of them: the shell runs the line itself */
        NONE,
        /** it ran (or was refused with a message) and the shell has the terminal back */
        RETURNED,
        /** the shell was hung up, or its input ended, while the command had the terminal */
        ENDED
    }

    /**
     * Runs the line in the foreground when it is one of the {@link ForegroundCommands}: relays the
     * keystrokes and the window's size to its terminal, and its output to the screen, until it ends.
     */
    private Takeover runForeground(String line) {
        if (foregroundCommands == null) {
            return Takeover.NONE;
        }
        List<String> argv;
        try {
            argv = CommandLine.split(line);
        } catch (CommandLine.UsageError u) {
            return Takeover.NONE;
        }
        if (argv.isEmpty()) {
            return Takeover.NONE;
        }
        Foreground f = new Foreground();
        TerminalOutput relay = new TerminalOutput() {
            @Override
            public void output(byte[] data) {
                synchronized (f.lock) {
                    if (f.open) {
                        output.output(data);
                    }
                }
            }

            @Override
            public void closed(int exitCode, String why) {
                f.ended.complete(exitCode);
                // Wakes the shell up, should it wait for input.
                inbox.offer(f);
            }
        };
        Terminal t;
        try {
            t = foregroundCommands.open(caller, argv, size, relay);
        } catch (CommandLine.UsageError u) {
            write(u.getMessage().stripTrailing() + "\n");
            return Takeover.RETURNED;
        } catch (Problem p) {
            write(argv.get(0) + ": error: " + p.getMessage() + "\n");
            return Takeover.RETURNED;
        }
        if (t == null) {
            return Takeover.NONE;
        }
        audit.record(caller.username(), caller.organisationId().value(), auditAction, argv.get(0),
                line.length() > 500 ? line.substring(0, 500) : line, address);
        f.terminal = t;
        foreground = f;
        try {
            // What was typed after the line already belongs to the command.
            byte[] ahead = typedAhead();
            if (ahead.length > 0) {
                t.input(ahead);
            }
            while (!f.ended.isDone()) {
                Object item = inbox.take();
                if (item == HANG_UP || item == END_OF_INPUT || hangUpReason != null) {
                    endedWithInput = item == END_OF_INPUT && hangUpReason == null;
                    t.close();
                    awaitEnd(f);
                    return Takeover.ENDED;
                }
                if (item instanceof byte[] bytes) {
                    t.input(bytes);
                }
            }
            return Takeover.RETURNED;
        } catch (InterruptedException e) {
            t.close();
            Thread.currentThread().interrupt();
            return Takeover.ENDED;
        } finally {
            synchronized (f.lock) {
                f.open = false;
            }
            foreground = null;
        }
    }

    /** Gives a hung-up foreground command a moment to end, so that its last output comes before the shell's end. */
    private static void awaitEnd(Foreground f) {
        try {
            f.ended.get(FOREGROUND_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // It did not say: its output is cut off below anyway.
        }
    }

    /** The input decoded or received after the line just entered, as bytes, taken from the shell. */
    private byte[] typedAhead() {
        ByteBuffer chars = StandardCharsets.UTF_8.encode(decoded);
        decoded = CharBuffer.allocate(0);
        byte[] ahead = new byte[chars.remaining() + pending.remaining()];
        int n = chars.remaining();
        chars.get(ahead, 0, n);
        pending.get(ahead, n, pending.remaining());
        pending = ByteBuffer.allocate(0);
        decoder.reset();
        return ahead;
    }

    private void runLine(String line) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        PrintStream stdout = new PrintStream(o, true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(e, true, StandardCharsets.UTF_8);
        if (line.equals("history")) {
            List<String> h = editor.history();
            for (int i = 0; i < h.size(); i++) {
                stdout.printf("%5d  %s%n", i + 1, h.get(i));
            }
        } else if (line.equals("clear")) {
            stdout.print("\u001b[H\u001b[2J");
        } else {
            try {
                List<String> argv = CommandLine.split(line);
                if (!argv.isEmpty() && argv.get(0).equals("stty")) {
                    stty(argv, stdout, stderr);
                } else if (!argv.isEmpty()) {
                    audit.record(caller.username(), caller.organisationId().value(), auditAction, argv.get(0),
                            line.length() > 500 ? line.substring(0, 500) : line, address);
                    commands.run(caller, argv, null, stdout, stderr);
                    if (argv.get(0).equals("help")) {
                        stdout.print(BUILT_INS);
                    }
                }
            } catch (CommandLine.UsageError u) {
                stderr.println("vaniila: " + u.getMessage());
            }
        }
        stdout.flush();
        stderr.flush();
        write(o.toString(StandardCharsets.UTF_8));
        String err = e.toString(StandardCharsets.UTF_8);
        if (errors == null || lineEditing) {
            write(err);
        } else if (!err.isEmpty()) {
            errors.accept(err.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@code stty size} as on a PTY: "rows columns"; nothing else of stty has a meaning here. */
    private void stty(List<String> argv, PrintStream stdout, PrintStream stderr) {
        if (argv.size() == 2 && argv.get(1).equals("size")) {
            TerminalSize s = size;
            stdout.println(s.rows() + " " + s.columns());
        } else {
            stderr.println("stty: only 'stty size' is available in this shell");
        }
    }

    /** A terminal in raw mode does not turn LF into CR LF: the shell does. */
    private void write(String text) {
        if (!text.isEmpty()) {
            raw(lineEditing ? text.replace("\r\n", "\n").replace("\n", "\r\n") : text);
        }
    }

    private void raw(String text) {
        if (!text.isEmpty()) {
            output.output(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
