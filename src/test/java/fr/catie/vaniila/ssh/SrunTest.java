package fr.catie.vaniila.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import fr.catie.vaniila.interactive.AllocationRequest;
import fr.catie.vaniila.platform.Problem;
import org.junit.jupiter.api.Test;

/** srun and salloc command lines read into allocation requests. */
class SrunTest {

    @Test
    void srunReadsSlurmsResourceOptionsAndKeepsTheCommandsOwnOptions() {
        AllocationRequest r = Srun.request("srun", List.of("-p", "interactive", "--gres=gpu:v100-16g:1", "-c", "4",
                "--mem=8G", "-t", "01:00:00", "-J", "nb", "--pty", "python3", "-i", "-c", "print(1)"));
        assertThat(r).isEqualTo(new AllocationRequest("nb", "interactive", 1, "v100-16g", 4, 8192, "01:00:00",
                List.of("python3", "-i", "-c", "print(1)"), "srun"));
        assertThat(Srun.request("srun", List.of("--gres=gpu:2", "--pty", "bash")).gpus()).isEqualTo(2);
        assertThat(Srun.request("srun", List.of("--gpus=rtx2080ti-11g:1", "--pty", "bash")).flavor())
                .isEqualTo("rtx2080ti-11g");
        assertThat(Srun.request("srun", List.of("-G", "3", "bash")).gpus()).isEqualTo(3);
    }

    @Test
    void sallocWithoutACommandOpensTheShell() {
        AllocationRequest r = Srun.request("salloc", List.of("-t", "30", "--gres=gpu:1"));
        assertThat(r.command()).isEmpty();
        assertThat(r.program()).isEqualTo("salloc");
        assertThat(r.walltime()).isEqualTo("30");
        assertThat(new AllocationRequest(null, null, null, null, null, null, null).program()).isEqualTo("salloc");
    }

    @Test
    void mistakesSayWhatToWrite() {
        assertThatThrownBy(() -> Srun.request("srun", List.of("--pty"))).isInstanceOf(CommandLine.UsageError.class)
                .hasMessageContaining("srun --pty bash");
        assertThatThrownBy(() -> Srun.request("srun", List.of("--gres=gpus:1", "bash"))).isInstanceOf(Problem.class)
                .hasMessageContaining("gpu:N or gpu:TYPE:N");
        assertThatThrownBy(() -> Srun.request("salloc", List.of("-N", "2"))).hasMessageContaining("one node");
        assertThatThrownBy(() -> Srun.request("salloc", List.of("-n", "4"))).hasMessageContaining("one task");
        assertThatThrownBy(() -> Srun.request("salloc", List.of("--mem=lots"))).hasMessageContaining("16G");
        assertThatThrownBy(() -> Srun.request("salloc", List.of("-c", "two"))).hasMessageContaining("whole number");
        assertThatThrownBy(() -> Srun.request("salloc", List.of("--frobnicate")))
                .hasMessageContaining("salloc: unrecognized option '--frobnicate'");
    }
}
