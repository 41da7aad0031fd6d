package fr.catie.vaniila.interactive;

import java.util.List;

/**
 * What an interactive allocation asks for, as {@code salloc}/{@code srun --pty} or the web terminal's form give it.
 * Null fields take the queue's defaults, as for a batch job.
 *
 * @param jobName   shown in squeue; null gives "interactive" (salloc) or the command's name (srun)
 * @param queue     partition; null gives the default queue
 * @param gpus      GPUs on the one node; null or 0 for none
 * @param flavor    GPU flavor, e.g. "v100-16g"; null for any
 * @param cores     CPU cores
 * @param memoryMb  memory in MB
 * @param walltime  Slurm format ("30", "01:00:00", "1-00:00:00")
 * @param command   the command run on the terminal, words as {@code srun} got them ({@code ["bash"]},
 *                  {@code ["python3", "-i"]}); null or empty for the user's shell ({@code /bin/bash})
 * @param program   which Slurm command's words report the waiting: {@code "salloc"} (the default: "Pending job
 *                  allocation", "Granted job allocation", "Relinquishing job allocation") or {@code "srun"}
 */
public record AllocationRequest(String jobName, String queue, Integer gpus, String flavor, Integer cores,
        Integer memoryMb, String walltime, List<String> command, String program) {

    /** Normalises the command to an immutable list and the program to salloc or srun. */
    public AllocationRequest {
        command = command == null ? List.of() : List.copyOf(command);
        if (program == null || program.isBlank()) {
            program = "salloc";
        }
        if (!program.equals("salloc") && !program.equals("srun")) {
            throw new IllegalArgumentException("program is salloc or srun, not '" + program + "'");
        }
    }

    /** A shell in the allocation, reported as {@code salloc} reports it (the web terminal's form). */
    public AllocationRequest(String jobName, String queue, Integer gpus, String flavor, Integer cores,
            Integer memoryMb, String walltime) {
        this(jobName, queue, gpus, flavor, cores, memoryMb, walltime, null, "salloc");
    }
}
