package fr.catie.vaniila.ssh;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.Terminal;
import fr.catie.vaniila.interactive.TerminalOutput;
import fr.catie.vaniila.interactive.TerminalSize;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Opens the cluster's command shell ({@link CommandShell}: the Slurm commands with line editing and
 * history, the same as {@code ssh host} gives) for front ends other than SSH, such as the web
 * terminal, with the {@link ForegroundCommands} when a bean provides them. Each shell runs on a thread of its own from this bean's pool, so a front end's I/O
 * thread only queues input. Thread-safe.
 */
@Component
public class CommandShells implements DisposableBean {

    private final SlurmCommands commands;
    private final AuditLog audit;
    private final ObjectProvider<ForegroundCommands> foreground;
    private final ExecutorService pool;

    public CommandShells(SlurmCommands commands, AuditLog audit, ObjectProvider<ForegroundCommands> foreground) {
        this.commands = commands;
        this.audit = audit;
        this.foreground = foreground;
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "command-shell-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a shell for the caller on a terminal (prompt, echo, line editing). Returns at once; the
     * banner and prompt then arrive through {@code output}, and {@code closed} when the user types
     * {@code exit} or Ctrl-D, or after {@link Terminal#close()}.
     *
     * @param address     the client's address, for the audit log
     * @param auditAction the audit log's action for each command line, e.g. {@code terminal.command}
     */
    public Terminal open(Caller caller, String address, String auditAction, TerminalSize size, TerminalOutput output) {
        CommandShell shell = new CommandShell(commands, audit, caller, address, auditAction, true, size, output, null,
                foreground.getIfAvailable());
        pool.execute(shell::run);
        return shell;
    }

    @Override
    public void destroy() {
        pool.shutdownNow();
    }
}
