package fr.catie.vaniila.agent;

/** What a launch runs. */
public enum LaunchKind {
    /** The user's {@code script}, run with {@code /bin/bash}. */
    BATCH,
    /** The jar's {@code train} role with {@code argv}, one process per rank on this node. */
    TRAINING,
    /** An interactive session: not supported by this agent version; such a launch fails with a message. */
    INTERACTIVE
}
