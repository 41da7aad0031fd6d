package fr.catie.vaniila.interactive;

/**
 * One live terminal, whatever runs behind it (a PTY on a node, or the portal's command shell).
 * Input and size changes go in; output comes back through the {@link TerminalOutput} given when
 * it was opened. Implementations are thread-safe: the front end may call from any thread.
 */
public interface Terminal {

    /** Keystrokes (or pasted bytes) for the program in the terminal, in order. */
    void input(byte[] data);

    /** The window changed size; the program gets SIGWINCH where there is a PTY. */
    void resize(TerminalSize size);

    /** Ends the terminal (hang-up): the shell is stopped and, for an allocation, the job ends. Idempotent. */
    void close();
}
