package fr.catie.vaniila.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import fr.catie.vaniila.jobs.JobView;
import org.junit.jupiter.api.Test;

class SeffTest {

    static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

    static JobView job(String state, Instant started, Instant ended, Integer exit, List<JobView.Placement> allocation) {
        return new JobView(12, "train", "acme", "alice", "gpu", "BATCH", state, null, null, null, null, 1L, T0, started,
                ended, exit, null, 1, 1, 1, null, 3600, null, null, null, false, "/w", "/w/o", "/w/e", 1, allocation,
                null, null, null);
    }

    @Test
    void aFinishedJobIsReportedInSeffsWords() {
        JobView done = job("COMPLETED", T0, T0.plusSeconds(100), 0, List.of(new JobView.Placement("n1", 0, 0,
                List.of(0), 4, 4096, "v100-16g", "EXITED", 0, 250.4, 1024L)));
        assertThat(SlurmCommands.seffReport(done, T0.plusSeconds(9999))).isEqualTo("""
                Job ID: 12
                Cluster: vaniila
                User/Group: alice/acme
                State: COMPLETED (exit code 0)
                Nodes: 1
                Cores per node: 4
                CPU Utilized: 00:04:10
                CPU Efficiency: 62.60% of 00:06:40 core-walltime
                Job Wall-clock time: 00:01:40
                Memory Utilized: 1.00 GB
                Memory Efficiency: 25.00% of 4.00 GB
                """);
        assertThat(SlurmCommands.sacctField(done, "TotalCPU", T0)).isEqualTo("00:04:10");
        assertThat(SlurmCommands.sacctField(done, "MaxRSS", T0)).isEqualTo("1048576K");
        assertThat(SlurmCommands.sacctField(done, "ReqMem", T0)).isEqualTo("4096M");
    }

    @Test
    void aPendingJobOrOneNotYetMeasuredSaysWhy() {
        assertThat(SlurmCommands.seffReport(job("PENDING", null, null, null, List.of()), T0))
                .endsWith("State: PENDING\nEfficiency not available for jobs in the PENDING state.\n");
        JobView quick = job("COMPLETED", T0, T0.plusSeconds(1), 0, List.of(new JobView.Placement("n1", 0, 0,
                List.of(0), 1, 1024, "v100-16g", "EXITED", 0, null, null)));
        assertThat(SlurmCommands.seffReport(quick, T0)).endsWith("Cores per node: 1\nEfficiency not measured: the "
                + "node measures a job every few seconds, and this one ended before its first measure.\n");
        assertThat(SlurmCommands.sacctField(quick, "MaxRSS", T0)).isEmpty();
    }

    @Test
    void aJobEndedBeforeItsFirstMemorySampleHasItsCpuTimeAndSaysItsMemoryWasNotMeasured() {
        // Its cgroup counted its CPU time at its end; no memory sample was taken in its 1 s.
        JobView quick = job("COMPLETED", T0, T0.plusSeconds(1), 0, List.of(new JobView.Placement("n1", 0, 0,
                List.of(0), 1, 1024, "v100-16g", "EXITED", 0, 0.9, 0L)));
        assertThat(SlurmCommands.seffReport(quick, T0)).endsWith("CPU Utilized: 00:00:01\n"
                + "CPU Efficiency: 90.00% of 00:00:01 core-walltime\nJob Wall-clock time: 00:00:01\n"
                + "Memory Utilized: not measured (the node samples memory every few seconds; this job ended before "
                + "its first sample)\n");
        assertThat(SlurmCommands.sacctField(quick, "MaxRSS", T0)).isEmpty();
        assertThat(SlurmCommands.sacctField(quick, "TotalCPU", T0)).isEqualTo("00:00:01");
    }

    @Test
    void aRunningJobIsMeasuredUntilNowWithSeffsWarning() {
        JobView running = job("RUNNING", T0, null, null, List.of(
                new JobView.Placement("n1", 0, 0, List.of(0), 2, 512, "v100-16g", "RUNNING", null, 10.0, 100L),
                new JobView.Placement("n2", 1, 1, List.of(0), 2, 512, "v100-16g", "RUNNING", null, 10.0, 156L)));
        assertThat(SlurmCommands.seffReport(running, T0.plusSeconds(10))).contains("Nodes: 2\nCores per node: 2\n",
                "CPU Efficiency: 50.00% of 00:00:40 core-walltime\n",
                "Memory Utilized: 256.00 MB (estimated maximum)\nMemory Efficiency: 25.00% of 1.00 GB\n")
                .endsWith("WARNING: Efficiency statistics may be misleading for RUNNING jobs.\n");
    }
}
