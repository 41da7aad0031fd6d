package fr.catie.vaniila.agent;

import java.io.IOException;

/**
 * The portal has no terminal waiting for an interactive launch (the user left before the shell started, or the
 * terminal is held by another portal): trying again would not help, the launch's terminal is hung up.
 */
public class TerminalRefusedException extends IOException {

    public TerminalRefusedException(String message) {
        super(message);
    }
}
