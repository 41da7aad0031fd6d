package fr.catie.vaniila.interactive;

/**
 * What an interactive allocation asks for, as {@code salloc}/{@code srun --pty} or the web
 * terminal's form give it. Null fields take the queue's defaults, as for a batch job.
 *
 * @param jobName   shown in squeue; null gives "interactive"
 * @param queue     partition; null gives the default queue
 * @param gpus      GPUs on the one node; null or 0 for none
 * @param flavor    GPU flavor, e.g. "v100-16g"; null for any
 * @param cores     CPU cores
 * @param memoryMb  memory in MB
 * @param walltime  Slurm format ("30", "01:00:00", "1-00:00:00")
 */
public record AllocationRequest(String jobName, String queue, Integer gpus, String flavor, Integer cores,
        Integer memoryMb, String walltime) {
}
