package fr.catie.vaniila.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import org.apache.sshd.server.Environment;

/**
 * The interactive shell of {@code ssh host}: a prompt, line editing and history ({@link LineEditor})
 * when the client asked for a terminal, plain lines otherwise ({@code ssh host < commands}). Runs the
 * cluster's commands plus {@code history}, {@code clear} and {@code exit}.
 */
final class SlurmShell extends SessionCommand {

    SlurmShell(SlurmCommands commands, AuditLog audit, InteractiveAllocations allocations, ExecutorService pool) {
        super(commands, audit, allocations, pool);
    }

    @Override
    protected int run(Caller caller, String address, Environment env) throws IOException, InterruptedException {
        boolean terminal = env.getEnv().containsKey(Environment.ENV_TERM) || !env.getPtyModes().isEmpty();
        // Decoded without reading ahead: srun and salloc take the channel's bytes that follow their line.
        Utf8Input reader = new Utf8Input(in);
        String prompt = caller.username() + "@vaniila:~$ ";
        write(terminal, "Vaniila GPU cluster: Slurm commands (sbatch, squeue, sinfo, sacct...). Type 'help'.\n");
        LineEditor editor = new LineEditor();
        StringBuilder echo = new StringBuilder();
        if (terminal) {
            write(true, prompt);
        }
        StringBuilder plain = new StringBuilder();
        int c;
        while ((c = reader.read()) >= 0) {
            String entered = null;
            if (terminal) {
                echo.setLength(0);
                LineEditor.Event event = editor.feed((char) c, echo);
                raw(echo.toString());
                if (event instanceof LineEditor.EndOfInput) {
                    raw("logout\r\n");
                    return 0;
                }
                if (event instanceof LineEditor.Interrupt) {
                    raw(prompt);
                    continue;
                }
                if (event instanceof LineEditor.Line l) {
                    entered = l.text();
                }
            } else if (c == '\n') {
                entered = plain.toString();
                plain.setLength(0);
            } else if (c != '\r') {
                plain.append((char) c);
            }
            if (entered == null) {
                continue;
            }
            String line = entered.strip();
            if (line.equals("exit") || line.equals("logout")) {
                return 0;
            }
            runLine(caller, address, line, editor, terminal, env);
            if (terminal) {
                raw(prompt);
            }
        }
        return 0;
    }

    private void runLine(Caller caller, String address, String line, LineEditor editor, boolean terminal,
            Environment env) throws IOException, InterruptedException {
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
                if (isInteractive(argv)) {
                    interactive(caller, address, line, argv, env);
                    return;
                }
                execute(caller, address, line, argv, null, stdout, stderr);
            } catch (CommandLine.UsageError u) {
                stderr.println("vaniila: " + u.getMessage());
            }
        }
        stdout.flush();
        stderr.flush();
        write(terminal, o.toString(StandardCharsets.UTF_8), out);
        write(terminal, e.toString(StandardCharsets.UTF_8), err);
    }

    private void write(boolean terminal, String text) throws IOException {
        write(terminal, text, out);
    }

    /** A terminal in raw mode does not turn LF into CR LF: the shell does. */
    private static void write(boolean terminal, String text, OutputStream to) throws IOException {
        if (text.isEmpty()) {
            return;
        }
        String t = terminal ? text.replace("\r\n", "\n").replace("\n", "\r\n") : text;
        to.write(t.getBytes(StandardCharsets.UTF_8));
        to.flush();
    }

    private void raw(String text) throws IOException {
        if (!text.isEmpty()) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** UTF-8 characters read from the channel one byte at a time, so that nothing is read ahead. */
    private static final class Utf8Input {

        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final ByteBuffer bytes = ByteBuffer.allocate(4);
        private final CharBuffer chars = CharBuffer.allocate(2);

        Utf8Input(InputStream in) {
            this.in = in;
            chars.flip();
        }

        /** The next character (a surrogate pair comes as two), or -1 at the end. */
        int read() throws IOException {
            while (!chars.hasRemaining()) {
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
                bytes.put((byte) b);
                bytes.flip();
                chars.clear();
                decoder.decode(bytes, chars, false);
                chars.flip();
                bytes.compact();
                if (bytes.position() == 4) {
                    // Not UTF-8: give the byte as it is rather than stall.
                    bytes.clear();
                    return b;
                }
            }
            return chars.get();
        }
    }
}
