package fr.catie.vaniila.agent;

/** What a launch runs. */
public enum LaunchKind {
    /** The user's {@code script}, run with {@code /bin/bash}. */
    BATCH,
    /** The jar's {@code train} role with {@code argv}, one process per rank on this node. */
    TRAINING,
    /**
     * A terminal: {@code script} runs by {@code bash -c} on a new PTY, relayed to the portal
     * ({@code /agent/v1/terminals/{launchId}}).
     */
    INTERACTIVE
}
