package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.AllocationRequest;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import fr.catie.vaniila.interactive.Terminal;
import fr.catie.vaniila.interactive.TerminalOutput;
import fr.catie.vaniila.interactive.TerminalSize;
import fr.catie.vaniila.platform.Problem;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.SignalListener;

/**
 * {@code srun --pty} and {@code salloc} on an SSH channel: opens an interactive allocation and relays the channel
 * to it, the client's window size and its changes included, until the shell ends; the exit code is the shell's.
 * The channel's input is read on the calling thread, without reading ahead, so that the portal's own shell gets
 * back what is typed after the allocation ends. One per command; not shared.
 */
final class SshTerminal {

    private static final int POLL_MS = 5;

    private SshTerminal() {
    }

    /**
     * Runs {@code srun}/{@code salloc} with its words.
     *
     * @return the shell's exit code; 1 when the allocation could not be made or ended without one
     */
    static int run(InteractiveAllocations allocations, Caller caller, List<String> argv, Environment env,
            InputStream in, OutputStream out, PrintStream err) throws InterruptedException {
        String program = argv.get(0);
        List<String> args = argv.subList(1, argv.size());
        if (args.contains("--help") || args.contains("--usage")) {
            err.print(Srun.usage(program));
            err.flush();
            return 0;
        }
        AllocationRequest request;
        try {
            request = Srun.request(program, args);
        } catch (CommandLine.UsageError e) {
            err.println(e.getMessage());
            err.flush();
            return 1;
        } catch (Problem p) {
            err.println(program + ": error: " + p.getMessage());
            err.flush();
            return 1;
        }
        CompletableFuture<Integer> ended = new CompletableFuture<>();
        TerminalOutput output = new TerminalOutput() {
            @Override
            public void output(byte[] data) {
                try {
                    out.write(data);
                    out.flush();
                } catch (IOException e) {
                    // The client went away: the channel's end closes the terminal.
                }
            }

            @Override
            public void closed(int exitCode, String why) {
                ended.complete(exitCode);
            }
        };
        Terminal terminal;
        try {
            terminal = allocations.open(caller, request, size(env), output);
        } catch (Problem p) {
            err.println(program + ": error: " + p.getMessage());
            err.flush();
            return 1;
        }
        SignalListener winch = (channel, signal) -> terminal.resize(size(env));
        env.addSignalListener(winch, Signal.WINCH);
        byte[] buffer = new byte[8192];
        try {
            while (!ended.isDone()) {
                int available = in.available();
                if (available > 0) {
                    int n = in.read(buffer, 0, Math.min(available, buffer.length));
                    if (n > 0) {
                        terminal.input(Arrays.copyOf(buffer, n));
                    }
                } else {
                    try {
                        ended.get(POLL_MS, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        // keep relaying
                    }
                }
            }
            int code = ended.get();
            return code < 0 ? 1 : code;
        } catch (IOException e) {
            terminal.close();
            return 1;
        } catch (InterruptedException e) {
            // The channel closed (the client went away): hang up, which ends the job.
            terminal.close();
            throw e;
        } catch (ExecutionException e) {
            return 1;
        } finally {
            env.removeSignalListener(winch);
        }
    }

    /** The client's window, or the usual 80x24 when it gave none (no terminal asked, or zero sizes). */
    static TerminalSize size(Environment env) {
        try {
            int columns = Integer.parseInt(env.getEnv().getOrDefault(Environment.ENV_COLUMNS, "0"));
            int rows = Integer.parseInt(env.getEnv().getOrDefault(Environment.ENV_LINES, "0"));
            if (columns >= 1 && columns <= 1000 && rows >= 1 && rows <= 1000) {
                return new TerminalSize(columns, rows);
            }
        } catch (NumberFormatException e) {
            // a client sending nonsense gets the default
        }
        return TerminalSize.DEFAULT;
    }
}
