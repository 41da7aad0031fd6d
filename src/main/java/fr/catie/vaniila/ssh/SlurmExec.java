package fr.catie.vaniila.ssh;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import org.apache.sshd.server.Environment;

/** One command line given to {@code ssh host CMD}: its output on stdout and stderr, its exit code Slurm's. */
final class SlurmExec extends SessionCommand {

    private final String line;

    SlurmExec(String line, SlurmCommands commands, AuditLog audit, InteractiveAllocations allocations,
            ExecutorService pool) {
        super(commands, audit, allocations, pool);
        this.line = line;
    }

    @Override
    protected int run(Caller caller, String address, Environment env) throws InterruptedException {
        PrintStream stdout = new PrintStream(out, false, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, false, StandardCharsets.UTF_8);
        try {
            List<String> argv;
            try {
                argv = CommandLine.split(line.strip());
            } catch (CommandLine.UsageError e) {
                stderr.println("vaniila: " + e.getMessage());
                return 2;
            }
            if (isInteractive(argv)) {
                return interactive(caller, address, line, argv, env);
            }
            return execute(caller, address, line, argv, in, stdout, stderr);
        } finally {
            stdout.flush();
            stderr.flush();
        }
    }
}
