package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.session.ServerSession;

/**
 * What an SSH channel runs: one command line ({@code ssh host squeue}) or the interactive shell. The
 * work happens on a thread of the server's pool, never on an SSHD I/O thread. One per channel.
 */
abstract class SessionCommand implements Command {

    protected final SlurmCommands commands;
    protected final AuditLog audit;
    protected final InteractiveAllocations allocations;
    private final ExecutorService pool;
    protected InputStream in;
    protected OutputStream out;
    protected OutputStream err;
    private ExitCallback exit;
    private Future<?> running;

    SessionCommand(SlurmCommands commands, AuditLog audit, InteractiveAllocations allocations, ExecutorService pool) {
        this.commands = commands;
        this.audit = audit;
        this.allocations = allocations;
        this.pool = pool;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        ServerSession session = channel.getSession();
        Caller caller = session.getAttribute(SshServerLifecycle.CALLER);
        String address = address(session);
        running = pool.submit(() -> {
            int code;
            try {
                code = caller == null ? 1 : run(caller, address, env);
            } catch (Exception e) {
                code = 1;
                try {
                    err.write(("vaniila: internal error: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the client is gone: nobody to tell
                }
            }
            try {
                out.flush();
                err.flush();
            } catch (IOException ignored) {
                // the client is gone
            }
            exit.onExit(code);
        });
    }

    /** Runs the command; returns its exit code. */
    protected abstract int run(Caller caller, String address, Environment env) throws Exception;

    /** Runs one command line, recorded in the audit log. */
    protected int execute(Caller caller, String address, String line, List<String> argv, InputStream stdin,
            PrintStream stdout, PrintStream stderr) {
        if (argv.isEmpty()) {
            return 0;
        }
        audit.record(caller.username(), caller.organisationId().value(), "ssh.command", argv.get(0),
                line.length() > 500 ? line.substring(0, 500) : line, address);
        return commands.run(caller, argv, stdin, stdout, stderr);
    }

    /** Whether a command line opens an interactive allocation, relayed by {@link #interactive}. */
    static boolean isInteractive(List<String> argv) {
        return !argv.isEmpty() && (argv.get(0).equals("srun") || argv.get(0).equals("salloc"));
    }

    /** Runs {@code srun}/{@code salloc} on this channel's terminal, recorded in the audit log; the shell's exit code. */
    protected int interactive(Caller caller, String address, String line, List<String> argv, Environment env)
            throws InterruptedException {
        audit.record(caller.username(), caller.organisationId().value(), "ssh.command", argv.get(0),
                line.length() > 500 ? line.substring(0, 500) : line, address);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        return SshTerminal.run(allocations, caller, argv, env, in, out, stderr);
    }

    static String address(ServerSession session) {
        return session.getClientAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress()
                : String.valueOf(session.getClientAddress());
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (running != null) {
            running.cancel(true);
        }
    }
}
