package fr.catie.vaniila.agent;

/**
 * A command from the portal to this node, answered by an event ({@code STARTED}/{@code LAUNCH_FAILED} for a launch,
 * {@code EXITED} for a stop). Executed at most once per {@link CommandId}.
 */
public sealed interface Command {

    /** The command's identity. */
    CommandId commandId();

    /**
     * Start a launch.
     *
     * @param commandId the command's identity
     * @param launch    what to start
     */
    record Launch(CommandId commandId, LaunchSpec launch) implements Command {
    }

    /**
     * Stop a launch: SIGTERM to its process group, {@code graceSeconds}, SIGKILL.
     *
     * @param commandId    the command's identity
     * @param launchId     the launch to stop
     * @param jobId        the launch's job, when the portal says it (to answer a stop of a launch this agent never
     *                     had); may be null
     * @param reason       the reason the {@code EXITED} event will carry ({@code CANCELLED} unless the portal says
     *                     otherwise)
     * @param graceSeconds seconds between SIGTERM and SIGKILL
     */
    record Stop(CommandId commandId, LaunchId launchId, JobId jobId, ExitReason reason, int graceSeconds) implements Command {
    }

    /**
     * A command this agent could not read (an unknown type, a launch with a malformed field). When it names a
     * launch, the agent answers {@code LAUNCH_FAILED} with {@code problem}, so that the job does not wait forever.
     *
     * @param commandId the command's identity
     * @param launchId  the launch it names, or null
     * @param jobId     the job it names, or null
     * @param problem   what could not be read
     */
    record Unreadable(CommandId commandId, LaunchId launchId, JobId jobId, String problem) implements Command {
    }
}
