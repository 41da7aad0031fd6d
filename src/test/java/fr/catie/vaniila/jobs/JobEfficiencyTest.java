package fr.catie.vaniila.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobEfficiencyTest {

    static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

    static JobView job(Instant started, Instant ended, List<JobView.Placement> allocation) {
        return new JobView(7, "n", "acme", "alice", "gpu", "BATCH", ended == null ? "RUNNING" : "COMPLETED", null,
                null, null, null, 1L, T0, started, ended, ended == null ? null : 0, null, allocation.size(), 1, 1, null,
                3600, null, null, null, false, "/w", "/w/o", "/w/e", 1, allocation, null, null, null);
    }

    static JobView.Placement rank(int rank, int cores, long memoryMb, Double cpu, Long rss) {
        return new JobView.Placement("n" + rank, rank, rank, List.of(rank), cores, memoryMb, "v100-16g", "EXITED", 0,
                cpu, rss);
    }

    @Test
    void cpuTimeIsSetAgainstTheCoresOverTheRunTimeAndMemoryAgainstWhatWasGiven() {
        JobView done = job(T0, T0.plusSeconds(100), List.of(rank(0, 4, 4096, 250.0, 1024L)));
        JobEfficiency e = JobEfficiency.of(done, T0.plusSeconds(5000)).orElseThrow();
        assertThat(e.elapsed()).isEqualTo(Duration.ofSeconds(100));
        assertThat(e.coreSeconds()).isEqualTo(400.0);
        assertThat(e.cpuShare()).isEqualTo(0.625);
        assertThat(e.cpuPercent()).isEqualTo(63);
        assertThat(e.memoryShare()).isEqualTo(0.25);
        assertThat(e.memoryPercent()).isEqualTo(25);
    }

    @Test
    void severalProcessesAddUpAndARunningJobCountsUntilNow() {
        JobView running = job(T0, null, List.of(rank(0, 2, 1000, 30.0, 500L), rank(1, 2, 1000, 10.0, 300L)));
        JobEfficiency e = JobEfficiency.of(running, T0.plusSeconds(20)).orElseThrow();
        assertThat(e.processes()).isEqualTo(2);
        assertThat(e.cores()).isEqualTo(4);
        assertThat(e.cpuShare()).isEqualTo(0.5);
        assertThat(e.peakMemoryMb()).isEqualTo(800);
        assertThat(e.memoryShare()).isEqualTo(0.4);
    }

    @Test
    void nothingIsSaidBeforeTheJobStartedOrWhileNothingWasMeasured() {
        assertThat(JobEfficiency.of(job(null, null, List.of()), T0)).isEmpty();
        assertThat(JobEfficiency.of(job(T0, T0.plusSeconds(1), List.of(rank(0, 1, 1024, null, null))), T0)).isEmpty();
        JobEfficiency instant = JobEfficiency.of(job(T0, T0, List.of(rank(0, 1, 0, 0.0, 0L))), T0).orElseThrow();
        assertThat(instant.cpuShare()).isZero();
        assertThat(instant.memoryShare()).isZero();
    }
}
