package fr.catie.vaniila.jobs;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import fr.catie.vaniila.wording.Phrase;

/**
 * A job as its owner (or an admin of its organisation) sees it.
 *
 * @param reason         why it is pending, as a sentence; null once it runs
 * @param reasonCode     the reason's enum name (PRIORITY, RESOURCES, QUOTA...)
 * @param position       its place in its queue, 1 first, while pending
 * @param estimatedStart when it should start, when the scheduler can tell
 * @param reasonPhrase   the job-specific part of the reason (after its code), as a phrase for the pages that say it
 *                       in the user's language; null when it exists in English only; not part of the REST API,
 *                       whose {@code reason} is the whole sentence in English
 * @param endReason      why its last run ended, in English; null while it has not ended
 * @param endPhrase      why it ended, as a phrase for the pages that say it in the user's language; null for jobs
 *                       that ended before it was kept and for reasons that exist in English only; not part of the
 *                       REST API, whose {@code endReason} stays the English
 */
public record JobView(long id, String name, String organisation, String user, String queue, String type, String state,
        String reason, String reasonCode, Integer position, Instant estimatedStart, Long priority, Instant submittedAt,
        Instant startedAt, Instant endedAt, Integer exitCode, String endReason, int nodes, int gpusPerNode,
        int tasksPerNode, String gpuFlavor, long walltimeSeconds, Long arrayParent, Integer arrayIndex,
        String dependency, boolean held, String workdir, String stdout, String stderr, int run,
        List<Placement> allocation, Map<String, Object> training, @JsonIgnore Phrase reasonPhrase,
        @JsonIgnore Phrase endPhrase) {

    /**
     * One process of the job: where it runs and on which GPUs, and what it used as its node's agent last measured
     * (every few seconds while it runs, and the CPU time once more when it ended).
     *
     * @param cpuSeconds CPU time of its processes; null until measured
     * @param maxRssMb   the most resident memory its processes held together, MiB; null until measured
     */
    public record Placement(String node, int nodeRank, int rank, List<Integer> gpus, int cores, long memoryMb,
            String flavor, String state, Integer exitCode, Double cpuSeconds, Long maxRssMb) {
    }
}
