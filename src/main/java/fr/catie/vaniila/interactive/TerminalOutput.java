package fr.catie.vaniila.interactive;

/**
 * Where a terminal's output goes. Calls arrive in order, from one thread at a time, and
 * {@link #closed} comes exactly once, last.
 */
public interface TerminalOutput {

    /** Bytes the program wrote to the terminal (UTF-8 text with escape sequences). */
    void output(byte[] data);

    /**
     * The terminal ended.
     *
     * @param exitCode the shell's exit code, or a negative number when it did not exit by itself
     * @param why      one sentence for the user, e.g. "the job reached its wall time"
     */
    void closed(int exitCode, String why);
}
