package fr.catie.vaniila.agent;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.time.Instant;

/**
 * What the agent knows of one launch it accepted, from the moment it decides to start it until its exit is
 * reported and its logs are shipped. Persisted in the state file, so that a restarted agent adopts it. Mutable;
 * guarded by the owning {@link NodeAgent}'s lock.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
final class TrackedLaunch {

    /** Where a launch is in its life on this node. */
    enum Phase {
        /** Accepted and persisted; the process may or may not have been started (the agent stopped meanwhile). */
        SPAWNING,
        /** The job's processes run. */
        RUNNING,
        /** The job ended and its EXITED event is queued; its logs are still being shipped. */
        DRAINING
    }

    CommandId commandId;
    LaunchSpec spec;
    Phase phase;
    long wrapperPid;
    Instant wrapperStart;
    long jobPid;
    Instant jobStart;
    Instant startedAt;
    ExitReason killReason;
    Instant killAt;
    boolean termSent;
    boolean killSent;
    Integer exitCode;
    String signal;
    long stdoutOffset;
    boolean stdoutDone;
    long stderrOffset;
    boolean stderrDone;
    long metricsOffset;
    String cgroup;
    long maxRssMb;
    /** The CPU time its cgroup counted when it ended, sent once more as its usage; null without a cgroup. */
    Double finalCpuSeconds;
    boolean finalUsageSent;


    TrackedLaunch() {
        // for the state file reader
    }

    TrackedLaunch(CommandId commandId, LaunchSpec spec) {
        this.commandId = commandId;
        this.spec = spec;
        this.phase = Phase.SPAWNING;
    }

    LaunchId launchId() {
        return spec.launchId();
    }

    boolean sameStdoutAndStderr() {
        return spec.stdout().equals(spec.stderr());
    }
}
