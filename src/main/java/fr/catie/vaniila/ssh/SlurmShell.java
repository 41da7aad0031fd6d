package fr.catie.vaniila.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import org.apache.sshd.server.Environment;

/**
 * The interactive shell of {@code ssh host}: a prompt, line editing and history ({@link LineEditor})
 * when the client asked for a terminal, plain lines otherwise ({@code ssh host < commands}). Runs the
 * cluster's commands plus {@code history}, {@code clear} and {@code exit}.
 */
final class SlurmShell extends SessionCommand {

    SlurmShell(SlurmCommands commands, AuditLog audit, ExecutorService pool) {
        super(commands, audit, pool);
    }

    @Override
    protected int run(Caller caller, String address, Environment env) throws IOException {
        boolean terminal = env.getEnv().containsKey(Environment.ENV_TERM) || !env.getPtyModes().isEmpty();
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
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
            runLine(caller, address, line, editor, terminal);
            if (terminal) {
                raw(prompt);
            }
        }
        return 0;
    }

    private void runLine(Caller caller, String address, String line, LineEditor editor, boolean terminal)
            throws IOException {
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
}
