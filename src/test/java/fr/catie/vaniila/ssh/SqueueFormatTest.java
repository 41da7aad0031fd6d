package fr.catie.vaniila.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import fr.catie.vaniila.jobs.JobView;
import org.junit.jupiter.api.Test;

class SqueueFormatTest {

    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private static JobView job(String state, String reasonCode, Instant started, List<JobView.Placement> allocation,
            Integer exit) {
        return new JobView(42, "a-long-job-name", "acme", "alice", "gpu", "BATCH", state, null, reasonCode, 1, null, 10L,
                T0, started, null, exit, null, 1, 2, 1, null, 300, null, null, null, false, "/w", "/w/o", "/w/e", 1,
                allocation, null, null, null);
    }

    @Test
    void theDefaultFormatLinesUpAsSlurmDoes() {
        SqueueFormat f = SqueueFormat.parse(SlurmCommands.SQUEUE_DEFAULT, SlurmCommands.SQUEUE_FIELDS, "squeue");
        JobView pending = job("PENDING", "RESOURCES", null, List.of(), null);
        assertThat(f.render(c -> SlurmCommands.squeueField(pending, c, T0)))
                .isEqualTo("                42       gpu a-long-j    alice PD       0:00      1 (Resources)");
        JobView running = job("RUNNING", null, T0, List.of(new JobView.Placement("n3", 0, 0, List.of(0, 1), 2, 4096,
                "v100-16g", "RUNNING", null, null, null)), null);
        assertThat(f.render(c -> SlurmCommands.squeueField(running, c, T0.plusSeconds(3725))))
                .isEqualTo("                42       gpu a-long-j    alice  R    1:02:05      1 n3");
    }

    @Test
    void customFormatsFieldsAndErrors() {
        SqueueFormat f = SqueueFormat.parse("%i|%-5u|%.6l|%b %%", SlurmCommands.SQUEUE_FIELDS, "squeue");
        assertThat(f.render(c -> SlurmCommands.squeueField(job("HELD", null, null, List.of(), null), c, T0)))
                .isEqualTo("42|alice|  5:00|gres/gpu:2 %");
        assertThatThrownBy(() -> SqueueFormat.parse("%i %z", SlurmCommands.SQUEUE_FIELDS, "squeue"))
                .hasMessageContaining("Invalid job format specification: z");
        assertThatThrownBy(() -> SqueueFormat.parse("%.5", SlurmCommands.SQUEUE_FIELDS, "squeue"))
                .hasMessageContaining("give a field letter");
    }

    @Test
    void reasonsTimesAndExitCodesInSlurmsWords() {
        assertThat(SlurmCommands.slurmReason(job("HELD", "HELD", null, List.of(), null))).isEqualTo("JobHeldUser");
        assertThat(SlurmCommands.slurmReason(job("PENDING", "QUOTA", null, List.of(), null))).isEqualTo("AssocGrpGRES");
        assertThat(SlurmCommands.slurmReason(job("PENDING", "PRIORITY", null, List.of(), null))).isEqualTo("Priority");
        assertThat(SlurmCommands.exitCode(job("FAILED", null, T0, List.of(), 3))).isEqualTo("3:0");
        assertThat(SlurmCommands.exitCode(job("CANCELLED", null, T0, List.of(), 143))).isEqualTo("0:15");
        assertThat(SlurmTime.squeue(Duration.ofSeconds(59))).isEqualTo("0:59");
        assertThat(SlurmTime.squeue(Duration.ofHours(30))).isEqualTo("1-06:00:00");
        assertThat(SlurmTime.sacct(Duration.ofSeconds(3725))).isEqualTo("01:02:05");
        JobView done = new JobView(7, "n", "acme", "alice", "gpu", "BATCH", "COMPLETED", null, null, null, null, 1L, T0, T0,
                T0.plusSeconds(1800), 0, null, 1, 2, 1, null, 3600, null, null, null, false, "/w", "/w/o", "/w/e", 1,
                List.of(new JobView.Placement("n1", 0, 0, List.of(0, 1), 2, 1, "v100-16g", "EXITED", 0, null, null)), null,
                null, null);
        assertThat(SlurmCommands.sacctField(done, "GPUHours", T0)).isEqualTo("1.000");
        assertThat(SlurmCommands.sacctField(done, "Elapsed", T0)).isEqualTo("00:30:00");
        assertThat(SlurmCommands.sacctField(done, "AllocGPUs", T0)).isEqualTo("2");
    }
}
