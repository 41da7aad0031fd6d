package fr.catie.vaniila.agent;

import java.time.Instant;
import java.util.List;

/** The bodies of the agent protocol's requests and answers ({@code docs/agent-protocol.md}). All immutable. */
public final class AgentMessages {

    private AgentMessages() {
    }

    /** {@code POST /agent/v1/register}: who the node is and what it still runs. */
    public record Registration(String node, String hostname, String address, String agentVersion, int cores,
            long memoryMb, List<GpuDevice> gpus, List<RunningLaunch> running, String jobLimits, String gpuIsolation) {

        /** {@link #jobLimits}: each job in a cgroup v2 with its memory and cores. */
        public static final String LIMITS_CGROUP_V2 = "cgroup-v2";
        /** {@link #jobLimits}: each job in cgroup v1 hierarchies with its memory and cores. */
        public static final String LIMITS_CGROUP_V1 = "cgroup-v1";
        /** {@link #jobLimits}: jobs run without memory or CPU limits (the agent's log says why). */
        public static final String LIMITS_NONE = "none";
        /** {@link #gpuIsolation}: a job may open only its own GPUs' device files. */
        public static final String GPUS_DEVICE_CGROUP = "device-cgroup";
        /** {@link #gpuIsolation}: only {@code CUDA_VISIBLE_DEVICES} steers jobs to their GPUs. */
        public static final String GPUS_VISIBLE_DEVICES = "cuda-visible-devices";
    }

    /** A launch the agent still runs, listed at registration so that the portal reconciles. */
    public record RunningLaunch(LaunchId launchId, JobId jobId, long pid, Instant startedAt) {
    }

    /** The answer to a registration. */
    public record RegisterAnswer(String node, int heartbeatSeconds, long ackSeq) {
    }

    /** {@code POST /agent/v1/sync}: events not yet acknowledged, usage and GPU samples. */
    public record SyncRequest(String node, List<AgentEvent> events, List<LaunchUsage> usage, List<GpuSample> gpus) {
    }

    /**
     * Resource use of one launch: while it runs, of its cgroup (every process it ran) or, without one, summed over
     * its process group; once more after it ended, with the cgroup's final CPU time.
     */
    public record LaunchUsage(LaunchId launchId, JobId jobId, double cpuSeconds, long maxRssMb,
            List<GpuSample> gpus) {
    }

    /** The answer to a sync: the highest event seq the portal applied, and the commands for this node. */
    public record SyncAnswer(long ackSeq, List<Command> commands) {
    }

    /** The answer to a log upload: the offset the portal expects next; {@code truncated} when it keeps no more. */
    public record LogAck(long next, boolean truncated) {
    }
}
