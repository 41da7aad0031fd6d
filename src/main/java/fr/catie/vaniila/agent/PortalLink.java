package fr.catie.vaniila.agent;

import fr.catie.vaniila.agent.AgentMessages.LogAck;
import fr.catie.vaniila.agent.AgentMessages.RegisterAnswer;
import fr.catie.vaniila.agent.AgentMessages.Registration;
import fr.catie.vaniila.agent.AgentMessages.SyncAnswer;
import fr.catie.vaniila.agent.AgentMessages.SyncRequest;
import java.io.IOException;

/**
 * The agent's way to the portal: the three calls of the agent protocol ({@code docs/agent-protocol.md}). The real
 * implementation is {@link HttpPortalLink}; the portal embeds agents with the same one, talking to its own port.
 *
 * <p>Every call may throw {@link PortalRefusedException} (wrong or revoked token: the agent stops),
 * {@link NodeUnknownException} (the portal forgot the node: the agent registers again) or another
 * {@link IOException} (the portal is unreachable or failing: the agent retries, its jobs keep running).
 * Implementations must be safe for use by two threads at once (the sync loop and the log shipper).
 */
public interface PortalLink {

    /** Registers the node and the launches it still runs; answers the highest event seq already applied. */
    RegisterAnswer register(Registration registration) throws IOException;

    /**
     * Sends events, usage and GPU samples; the portal answers with commands, holding the request up to
     * {@code waitSeconds} when it has none.
     */
    SyncAnswer sync(SyncRequest request, int waitSeconds) throws IOException;

    /**
     * Uploads the bytes {@code chunk[0..length)} of a launch's stream, which start at byte {@code offset} of it.
     *
     * @return the offset the portal expects next, and whether it keeps no more of this stream
     */
    LogAck uploadLog(LaunchId launchId, LogStream stream, long offset, byte[] chunk, int length) throws IOException;
}
