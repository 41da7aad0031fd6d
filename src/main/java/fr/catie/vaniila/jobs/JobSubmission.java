package fr.catie.vaniila.jobs;

import java.util.Map;

/**
 * A job as a user submits it (REST body, web form, or sbatch over SSH). Every field but
 * {@code script} may be left out; the queue's defaults then apply.
 *
 * @param name         job name; defaults to the script's name or "job"
 * @param queue        queue (partition); the default queue when absent
 * @param type         {@code batch} (default), {@code training} or {@code interactive}
 * @param script       the batch script (bash); required for batch jobs
 * @param nodes        number of nodes (default 1)
 * @param gpusPerNode  GPUs on each node (default 0)
 * @param gpuFlavor    GPU flavor, e.g. {@code v100-16g}; any flavor when absent
 * @param minGpuMemoryMb  smallest GPU memory acceptable, instead of a flavor
 * @param tasksPerNode processes per node (default 1; ranks for multi-process jobs)
 * @param cpusPerGpu   cores per GPU
 * @param coresPerNode cores per node (for CPU jobs, or on top of cpusPerGpu)
 * @param memPerGpuMb  memory per GPU, MiB
 * @param memPerNodeMb memory per node, MiB
 * @param walltime     wall time: {@code 30} (minutes), {@code 01:30:00}, {@code 2h}...
 * @param array        job array: {@code 0-9}, {@code 1,3,5}, {@code 0-99%10}
 * @param dependency   {@code afterok:12}, {@code afterany:12:13}, {@code afternotok:14}
 * @param env          extra environment variables
 * @param hold         submit held (released later)
 * @param workdir      working directory inside the workspace (default: the workspace)
 * @param output       stdout file, with {@code %j} (job id), {@code %A} (array id), {@code %a} (index)
 * @param error        stderr file, likewise
 * @param requeue      whether the job may be requeued after a node failure (default true)
 * @param training     the training parameters of a training job
 * @param ranks        number of CPU ranks of a training job that asks for no GPU
 */
public record JobSubmission(String name, String queue, String type, String script, Integer nodes,
        Integer gpusPerNode, String gpuFlavor, Integer minGpuMemoryMb, Integer tasksPerNode, Integer cpusPerGpu,
        Integer coresPerNode, Long memPerGpuMb, Long memPerNodeMb, String walltime, String array, String dependency,
        Map<String, String> env, Boolean hold, String workdir, String output, String error, Boolean requeue,
        Map<String, Object> training, Integer ranks) {

    /** A plain batch script on the default queue. */
    public static JobSubmission batch(String script) {
        return new JobSubmission(null, null, null, script, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null);
    }
}
