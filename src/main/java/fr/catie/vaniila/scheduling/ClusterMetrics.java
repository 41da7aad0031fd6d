package fr.catie.vaniila.scheduling;

import java.util.ArrayList;
import java.util.List;

import fr.catie.vaniila.jobs.JobControl;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Prometheus figures of the cluster, read from the database every few seconds so that every portal
 * reports the same numbers: GPUs by state and organisation, pending jobs by queue and reason; and
 * counters of ended runs by outcome. The scheduler loop adds its cycle time and launches.
 */
@Component
public class ClusterMetrics {

    private final JdbcClient jdbc;
    private final MeterRegistry meters;
    private final MultiGauge gpus;
    private final MultiGauge pending;
    private final MultiGauge nodes;

    public ClusterMetrics(JdbcClient jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.meters = meters;
        this.gpus = MultiGauge.builder("vaniila.gpus").description("GPUs by state (free, allocated, draining, down) and holding organisation")
                .register(meters);
        this.pending = MultiGauge.builder("vaniila.jobs.pending").description("pending jobs by queue and reason").register(meters);
        this.nodes = MultiGauge.builder("vaniila.nodes").description("nodes by state").register(meters);
    }

    @Scheduled(fixedDelayString = "${vaniila.metrics.refresh:10s}", initialDelayString = "5s")
    public void refresh() {
        List<MultiGauge.Row<?>> gpuRows = new ArrayList<>();
        jdbc.sql("""
                SELECT CASE WHEN c.job_id IS NOT NULL THEN 'allocated' WHEN n.state = 'DOWN' THEN 'down'
                         WHEN n.state IN ('DRAINING', 'DRAINED') THEN 'draining' ELSE 'free' END AS state,
                       coalesce(o.name, '') AS org, g.flavor, count(*)
                FROM node_gpus g JOIN nodes n ON n.id = g.node_id
                LEFT JOIN gpu_claims c ON c.node_id = g.node_id AND c.gpu_index = g.index
                LEFT JOIN jobs j ON j.id = c.job_id LEFT JOIN organisations o ON o.id = j.organisation_id
                GROUP BY 1, 2, 3""").query(rs -> {
                    gpuRows.add(MultiGauge.Row.of(Tags.of("state", rs.getString(1), "organisation", rs.getString(2),
                            "flavor", rs.getString(3)), rs.getLong(4)));
                });
        gpus.register(gpuRows, true);
        List<MultiGauge.Row<?>> pendingRows = new ArrayList<>();
        jdbc.sql("""
                SELECT queue, coalesce(pending_reason, CASE WHEN state = 'HELD' THEN 'HELD' ELSE 'NEW' END), count(*)
                FROM jobs WHERE state IN ('PENDING', 'HELD') GROUP BY 1, 2""").query(rs -> {
                    pendingRows.add(MultiGauge.Row.of(Tags.of("queue", rs.getString(1), "reason", rs.getString(2)),
                            rs.getLong(3)));
                });
        pending.register(pendingRows, true);
        List<MultiGauge.Row<?>> nodeRows = new ArrayList<>();
        jdbc.sql("SELECT state, count(*) FROM nodes GROUP BY state").query(rs -> {
            nodeRows.add(MultiGauge.Row.of(Tags.of("state", rs.getString(1)), rs.getLong(2)));
        });
        nodes.register(nodeRows, true);
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void runEnded(JobControl.RunEnded event) {
        meters.counter("vaniila.jobs.ended", "outcome", event.outcome().name()).increment();
    }
}
