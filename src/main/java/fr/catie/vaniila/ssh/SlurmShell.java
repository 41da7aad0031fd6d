package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import fr.catie.vaniila.interactive.TerminalOutput;
import fr.catie.vaniila.interactive.TerminalSize;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;

/**
 * The interactive shell of {@code ssh host}: the {@link CommandShell} carried by an SSH channel. With
 * a PTY (the client asked for a terminal) it edits lines and follows the window's size changes;
 * without, it reads plain lines ({@code ssh host < commands}) and keeps standard error apart.
 */
final class SlurmShell extends SessionCommand {

    private final ExecutorService pool;
    private final ForegroundCommands foreground;
    private volatile CommandShell shell;

    /** @param foreground the commands that take the terminal over ({@code srun --pty}); null for none */
    SlurmShell(SlurmCommands commands, AuditLog audit, InteractiveAllocations allocations, ForegroundCommands foreground,
            ExecutorService pool) {
        super(commands, audit, allocations, pool);
        this.pool = pool;
        this.foreground = foreground;
    }

    @Override
    protected int run(Caller caller, String address, Environment env) throws IOException {
        boolean terminal = env.getEnv().containsKey(Environment.ENV_TERM) || !env.getPtyModes().isEmpty();
        OutputStream stdout = out;
        OutputStream stderr = err;
        CommandShell s = new CommandShell(commands, audit, caller, address, "ssh.command", terminal,
                size(env.getEnv()), new TerminalOutput() {
                    @Override
                    public void output(byte[] data) {
                        send(stdout, data);
                    }

                    @Override
                    public void closed(int exitCode, String why) {
                        // The channel's exit status says it; SessionCommand sends it.
                    }
                }, data -> send(stderr, data), foreground);
        shell = s;
        env.addSignalListener((channel, signal) -> s.resize(size(env.getEnv())), Signal.WINCH);
        InputStream input = in;
        pool.execute(() -> pump(input, s));
        int code = s.run();
        return Math.max(code, 0);
    }

    /** Reads what the client types and hands it to the shell until the channel's input ends. */
    private static void pump(InputStream input, CommandShell s) {
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = input.read(buffer)) >= 0) {
                if (n > 0) {
                    s.input(java.util.Arrays.copyOf(buffer, n));
                }
            }
            s.endOfInput();
        } catch (IOException e) {
            s.close();
        }
    }

    /** The window size the client gave (at the PTY request, then with each window change). */
    private static TerminalSize size(Map<String, String> env) {
        try {
            int columns = Integer.parseInt(env.getOrDefault(Environment.ENV_COLUMNS, "80"));
            int rows = Integer.parseInt(env.getOrDefault(Environment.ENV_LINES, "24"));
            return new TerminalSize(columns, rows);
        } catch (IllegalArgumentException e) {
            return TerminalSize.DEFAULT;
        }
    }

    private static void send(OutputStream to, byte[] data) {
        try {
            to.write(data);
            to.flush();
        } catch (IOException e) {
            // The client is gone: the channel's close ends the shell.
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        CommandShell s = shell;
        if (s != null) {
            s.close();
        }
        super.destroy(channel);
    }
}
