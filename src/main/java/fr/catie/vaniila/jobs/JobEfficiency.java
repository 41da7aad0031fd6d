package fr.catie.vaniila.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a job used of what it was given, as Slurm's {@code seff} tells its users: its processes' CPU time against
 * its cores over its run time, and the most memory they held against its memory. From its nodes' agents: the CPU
 * time is the kernel's count for the job's cgroup, all of it once the job ended (on a node without cgroups, what its
 * process group showed at the last of the samples taken every few seconds); the memory is the peak of those samples,
 * so a job shorter than a sample has none. With several processes, the memory is the sum of each one's peak: an
 * estimate from above of what they held at once, as {@code seff} says of several tasks.
 *
 * @param processes    its processes (one per rank)
 * @param cores        cores given, all processes together
 * @param elapsed      its run time, so far while it runs
 * @param cpuSeconds   CPU time used, all processes together
 * @param peakMemoryMb the most memory held, MiB
 * @param memoryMb     memory given, MiB, all processes together
 */
public record JobEfficiency(int processes, int cores, Duration elapsed, double cpuSeconds, long peakMemoryMb,
        long memoryMb) {

    /** The job's efficiency; empty before it started or while nothing of it was measured. */
    public static Optional<JobEfficiency> of(JobView job, Instant now) {
        if (job.startedAt() == null || job.allocation().isEmpty()
                || job.allocation().stream().allMatch(p -> p.cpuSeconds() == null && p.maxRssMb() == null)) {
            return Optional.empty();
        }
        Instant end = job.endedAt() != null ? job.endedAt() : now;
        Duration elapsed = end.isAfter(job.startedAt()) ? Duration.between(job.startedAt(), end) : Duration.ZERO;
        int cores = 0;
        double cpu = 0;
        long peak = 0;
        long memory = 0;
        for (JobView.Placement p : job.allocation()) {
            cores += p.cores();
            cpu += p.cpuSeconds() == null ? 0 : p.cpuSeconds();
            peak += p.maxRssMb() == null ? 0 : p.maxRssMb();
            memory += p.memoryMb();
        }
        return Optional.of(new JobEfficiency(job.allocation().size(), cores, elapsed, cpu, peak, memory));
    }

    /**
     * Whether a memory sample was taken: a process always holds some memory, so a peak of 0 means that the job ended
     * before the agent's first sample (its CPU time, counted by its cgroup, is known all the same).
     */
    public boolean memoryMeasured() {
        return peakMemoryMb > 0;
    }

    /** Core-seconds given: its cores over its run time. */
    public double coreSeconds() {
        return cores * (double) elapsed.toMillis() / 1000.0;
    }

    /** CPU time used over core-seconds given, 0..1 (above 1 only when the node let it use more); 0 for no time. */
    public double cpuShare() {
        double given = coreSeconds();
        return given <= 0 ? 0 : cpuSeconds / given;
    }

    /** Peak memory over memory given, 0..1; 0 when no memory was given. */
    public double memoryShare() {
        return memoryMb <= 0 ? 0 : peakMemoryMb / (double) memoryMb;
    }

    /** CPU share as a whole percentage, for the pages. */
    public long cpuPercent() {
        return Math.round(cpuShare() * 100);
    }

    /** Memory share as a whole percentage, for the pages. */
    public long memoryPercent() {
        return Math.round(memoryShare() * 100);
    }
}
