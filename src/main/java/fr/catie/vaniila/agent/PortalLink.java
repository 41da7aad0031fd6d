package fr.catie.vaniila.agent;

import fr.catie.vaniila.agent.AgentMessages.LogAck;
import fr.catie.vaniila.agent.AgentMessages.RegisterAnswer;
import fr.catie.vaniila.agent.AgentMessages.Registration;
import fr.catie.vaniila.agent.AgentMessages.SyncAnswer;
import fr.catie.vaniila.agent.AgentMessages.SyncRequest;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The agent's way to the portal: the three calls of the agent protocol ({@code docs/agent-protocol.md}). The real
 * implementation is {@link HttpPortalLink}; the portal embeds agents with the same one, talking to its own port.
 *
 * <p>Every call may throw {@link PortalRefusedException} (wrong or revoked token: the agent stops),
 * {@link NodeUnknownException} (the portal forgot the node: the agent registers again) or another
 * {@link IOException} (the portal is unreachable or failing: the agent retries, its jobs keep running).
 * Implementations must be safe for use by several threads at once (the sync loop, the log shipper, the relays of
 * interactive launches).
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

    /**
     * Opens the relay of an interactive launch's terminal to the portal ({@code /agent/v1/terminals/{launchId}}):
     * frames for the terminal ({@link TerminalFrames}) arrive through {@code fromPortal}, the terminal's output goes
     * back through the returned stream.
     *
     * @throws TerminalRefusedException when no terminal waits for this launch on the portal
     * @throws IOException               when the portal cannot be reached (the agent may try again)
     */
    TerminalStream openTerminal(LaunchId launchId, TerminalInput fromPortal) throws IOException;

    /** The agent's end of one relayed terminal. Thread-safe. */
    interface TerminalStream {

        /** Sends what the terminal showed, {@code data[offset..offset+length)}, in order. */
        void output(byte[] data, int offset, int length) throws IOException;

        /** Says how the terminal's command ended (null when it could not be learnt), then closes the stream. */
        void exited(Integer exitCode) throws IOException;

        /** Closes the stream without an exit status (the agent stops). Idempotent. */
        void abort();
    }

    /** What the portal sends to a terminal. Calls arrive in order, from one thread at a time. */
    interface TerminalInput {

        /** Bytes of frames ({@link TerminalFrames}), possibly split anywhere. */
        void frames(ByteBuffer bytes);

        /** The portal closed the stream (the user went away) or it broke; {@code why} says which. Once, last. */
        void closed(String why);
    }
}
