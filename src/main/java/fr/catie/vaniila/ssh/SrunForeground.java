package fr.catie.vaniila.ssh;

import java.util.List;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import fr.catie.vaniila.interactive.Terminal;
import fr.catie.vaniila.interactive.TerminalOutput;
import fr.catie.vaniila.interactive.TerminalSize;
import org.springframework.stereotype.Component;

/**
 * {@code srun} and {@code salloc} typed in the portal's command shell (SSH's interactive session or
 * the web terminal): the allocation's terminal takes the shell's screen over until it ends.
 * Thread-safe.
 */
@Component
public class SrunForeground implements ForegroundCommands {

    private final InteractiveAllocations allocations;

    public SrunForeground(InteractiveAllocations allocations) {
        this.allocations = allocations;
    }

    @Override
    public Terminal open(Caller caller, List<String> argv, TerminalSize size, TerminalOutput output) {
        if (!SessionCommand.isInteractive(argv)) {
            return null;
        }
        List<String> args = argv.subList(1, argv.size());
        if (args.contains("--help") || args.contains("--usage")) {
            throw new CommandLine.UsageError(Srun.usage(argv.get(0)));
        }
        return allocations.open(caller, Srun.request(argv.get(0), args), size, output);
    }
}
