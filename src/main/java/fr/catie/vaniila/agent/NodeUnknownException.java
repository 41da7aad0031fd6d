package fr.catie.vaniila.agent;

import java.io.IOException;

/** The portal does not know this node any more (HTTP 409/410 to a sync): the agent registers again. */
public final class NodeUnknownException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param message the portal's answer */
    public NodeUnknownException(String message) {
        super(message);
    }
}
