package fr.catie.vaniila.ssh;

import java.util.List;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.Terminal;
import fr.catie.vaniila.interactive.TerminalOutput;
import fr.catie.vaniila.interactive.TerminalSize;

/**
 * Command lines that take the terminal over until they end, such as {@code srun --pty bash} and
 * {@code salloc}: the {@link CommandShell} hands them its keystrokes, its window size and its screen,
 * and prints its prompt again when their terminal closes. Implemented by the module that opens
 * interactive allocations; without an implementation, such lines run as ordinary commands.
 * Implementations are thread-safe.
 */
public interface ForegroundCommands {

    /**
     * Opens the terminal the command line runs in, or returns null when the line is not one of these
     * commands. The terminal's output and end arrive through {@code output}; {@code closed} ends the
     * takeover.
     *
     * @param argv the words, the command's name first
     * @throws fr.catie.vaniila.platform.Problem when the request is invalid or cannot be satisfied:
     *         the shell prints {@code <command>: error: <message>}
     * @throws CommandLine.UsageError when the options are malformed: the shell prints the message
     */
    Terminal open(Caller caller, List<String> argv, TerminalSize size, TerminalOutput output);
}
