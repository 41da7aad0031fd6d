package fr.catie.vaniila.simulator;

import fr.catie.vaniila.scheduler.JobShape;

/**
 * One job of a trace. Immutable; thread safe.
 *
 * @param line      its line in the file (1 is the header), also its job id in the simulation
 * @param submitS   submit time, seconds (epoch seconds for Philly, trace seconds otherwise)
 * @param durationS run time, seconds, not negative
 * @param shape     its GPUs
 * @param org       its organisation
 * @param queue     its queue, empty for the default queue
 * @param wallTimeS its wall-time limit, at least {@code durationS} (the run time when the trace gives none)
 */
public record TraceJob(int line, long submitS, long durationS, JobShape shape, String org, String queue,
        long wallTimeS) {
}
