package fr.catie.vaniila.agent;

import java.io.IOException;

/** The portal refused this agent's credentials (HTTP 401/403): retrying cannot help, the agent stops. */
public final class PortalRefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param message what was refused and what to change */
    public PortalRefusedException(String message) {
        super(message);
    }
}
