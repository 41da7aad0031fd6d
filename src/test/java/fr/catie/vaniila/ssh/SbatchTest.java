package fr.catie.vaniila.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import fr.catie.vaniila.jobs.JobSubmission;
import fr.catie.vaniila.platform.Problem;
import org.junit.jupiter.api.Test;

class SbatchTest {

    private static JobSubmission submit(String script, String... commandLine) {
        return Sbatch.invocation(script, "job.sh", Sbatch.SPEC.parse(List.of(commandLine), true)).submission();
    }

    @Test
    void directivesBeforeTheFirstCommandAreRead() {
        JobSubmission s = submit("""
                #!/bin/bash
                #SBATCH --job-name=train --partition gpu
                #SBATCH -N 2 --ntasks-per-node=4   # four ranks per node
                # a plain comment
                #SBATCH --gres=gpu:v100-16g:2 --cpus-per-gpu=3 --mem-per-gpu=8G --time=01:30:00
                #SBATCH --array=0-9%2 --dependency=afterok:12 -o out-%j.txt -e err-%j.txt -D runs
                #SBATCH --export=ALL,EPOCHS=10,LR=0.1 --hold --no-requeue
                python train.py
                #SBATCH --job-name=ignored
                """);
        assertThat(s.name()).isEqualTo("train");
        assertThat(s.queue()).isEqualTo("gpu");
        assertThat(s.nodes()).isEqualTo(2);
        assertThat(s.tasksPerNode()).isEqualTo(4);
        assertThat(s.gpusPerNode()).isEqualTo(2);
        assertThat(s.gpuFlavor()).isEqualTo("v100-16g");
        assertThat(s.cpusPerGpu()).isEqualTo(3);
        assertThat(s.memPerGpuMb()).isEqualTo(8192L);
        assertThat(s.walltime()).isEqualTo("01:30:00");
        assertThat(s.array()).isEqualTo("0-9%2");
        assertThat(s.dependency()).isEqualTo("afterok:12");
        assertThat(s.output()).isEqualTo("out-%j.txt");
        assertThat(s.error()).isEqualTo("err-%j.txt");
        assertThat(s.workdir()).isEqualTo("runs");
        assertThat(s.env()).isEqualTo(Map.of("EPOCHS", "10", "LR", "0.1"));
        assertThat(s.hold()).isTrue();
        assertThat(s.requeue()).isFalse();
        assertThat(s.type()).isEqualTo("batch");
    }

    @Test
    void theCommandLineWinsOverDirectives() {
        JobSubmission s = submit("#!/bin/bash\n#SBATCH --gres=gpu:1 --time=00:05:00 -J a\nhostname\n", "--time=10",
                "-J", "b", "--gpus-per-node=3");
        assertThat(s.walltime()).isEqualTo("10");
        assertThat(s.name()).isEqualTo("b");
        assertThat(s.gpusPerNode()).isEqualTo(3); // the command line's GPU option replaces the directive's --gres
        assertThat(submit("#!/bin/sh\n#SBATCH --gres=gpu:v100-16g:2\n", "--time=5").gpuFlavor()).isEqualTo("v100-16g");
        assertThat(submit("#!/bin/sh\nhostname\n").name()).isEqualTo("job.sh");
    }

    @Test
    void gpuOptionsInEveryForm() {
        assertThat(submit("#!/bin/sh\n#SBATCH --gres=gpu:4\n").gpusPerNode()).isEqualTo(4);
        assertThat(submit("#!/bin/sh\n#SBATCH --gres=gpu\n").gpusPerNode()).isEqualTo(1);
        assertThat(submit("#!/bin/sh\n#SBATCH --gres=gpu:a100-80g\n").gpuFlavor()).isEqualTo("a100-80g");
        JobSubmission spread = submit("#!/bin/sh\n#SBATCH -N 2 --gpus=8\n");
        assertThat(spread.gpusPerNode()).isEqualTo(4);
        assertThat(submit("#!/bin/sh\n#SBATCH -G v100-16g:2\n").gpuFlavor()).isEqualTo("v100-16g");
        assertThat(submit("#!/bin/sh\n#SBATCH --ntasks=6 -N 3 -c 2\n").coresPerNode()).isEqualTo(4);
        assertThatThrownBy(() -> submit("#!/bin/sh\n#SBATCH -N 2 --gpus=3\n")).isInstanceOf(Problem.class)
                .hasMessageContaining("does not spread evenly over 2 nodes");
        assertThatThrownBy(() -> submit("#!/bin/sh\n#SBATCH --gres=tpu:2\n")).hasMessageContaining("use gpu:N or gpu:TYPE:N");
    }

    @Test
    void memorySizesTakeSlurmUnits() {
        assertThat(submit("#!/bin/sh\n#SBATCH --mem=4096\n").memPerNodeMb()).isEqualTo(4096L);
        assertThat(submit("#!/bin/sh\n#SBATCH --mem=16G\n").memPerNodeMb()).isEqualTo(16384L);
        assertThat(submit("#!/bin/sh\n#SBATCH --mem=1T\n").memPerNodeMb()).isEqualTo(1048576L);
        assertThatThrownBy(() -> submit("#!/bin/sh\n#SBATCH --mem=lots\n")).hasMessageContaining("give a size such as");
    }

    @Test
    void wrapMakesAScriptAndMistakesSayWhatToChange() {
        JobSubmission s = Sbatch.invocation(null, "sbatch", Sbatch.SPEC.parse(List.of("--wrap", "nvidia-smi -L"), true))
                .submission();
        assertThat(s.script()).startsWith("#!/bin/sh\n").contains("\nnvidia-smi -L\n");
        assertThat(s.name()).isEqualTo("wrap");
        assertThat(Sbatch.invocation(null, "x", Sbatch.SPEC.parse(List.of("--parsable", "--wrap=x"), true)).parsable())
                .isTrue();
        assertThatThrownBy(() -> Sbatch.invocation(null, "x", Sbatch.SPEC.parse(List.of(), true)))
                .hasMessageContaining("no script given");
        assertThatThrownBy(() -> submit("echo hi\n")).hasMessageContaining("start it with #!/bin/bash");
        assertThatThrownBy(() -> submit("#!/bin/sh\n#SBATCH --export=ALL,FOO\n")).hasMessageContaining("NAME=value");
        assertThatThrownBy(() -> submit("#!/bin/sh\n#SBATCH --nodes=1-4\n")).hasMessageContaining("give one number of nodes");
        assertThatThrownBy(() -> submit("#!/bin/sh\n#SBATCH --bogus\n")).hasMessageContaining("unrecognized option '--bogus'");
    }
}
