package fr.catie.vaniila.accounting;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.Organisation;
import fr.catie.vaniila.identity.Organisations;
import fr.catie.vaniila.platform.Problem;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Module API for usage: what each organisation consumed, per month and GPU flavor, allocated and
 * actually used; and the figures the scheduler needs (decayed usage for fair share, GPU-hours spent
 * this month against the budget). Members see their organisation's usage; platform admins all.
 * Thread-safe.
 */
@Service
public class Accounting {

    /**
     * Usage of one organisation in one month on one flavor ({@code cpu} for CPU-only jobs).
     *
     * @param usedGpuHours GPU-hours the GPUs were actually busy, from the agents' utilisation samples;
     *                     null when no sample came
     */
    public record UsageRow(String organisation, String month, String flavor, long jobs, double gpuHours,
            Double usedGpuHours, double coreHours) {
    }

    /** Fair-share and budget figures of one organisation, as of a moment. */
    public record OrgUsage(double decayedGpuSeconds, double gpuHoursThisMonth) {
    }

    private final JdbcClient jdbc;
    private final Organisations organisations;
    private final Clock clock;

    public Accounting(JdbcClient jdbc, Organisations organisations, Clock clock) {
        this.jdbc = jdbc;
        this.organisations = organisations;
        this.clock = clock;
    }

    /**
     * Usage per organisation, month and flavor between {@code from} and {@code to} (by the end of each
     * run). A non-admin may only ask for its own organisation.
     */
    @Transactional(readOnly = true)
    public List<UsageRow> usage(Caller caller, String organisation, Instant from, Instant to) {
        Long orgId = null;
        if (organisation != null && !organisation.isBlank()) {
            Organisation org = organisations.get(caller, organisation.trim());
            orgId = org.id().value();
        } else if (!caller.isPlatformAdmin()) {
            orgId = caller.organisationId().value();
        }
        if (from != null && to != null && !to.isAfter(from)) {
            throw Problem.invalid("to", UsageRefusal.TO_NOT_AFTER_FROM);
        }
        return jdbc.sql("""
                SELECT o.name, to_char(date_trunc('month', u.ended_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, u.flavor,
                  count(DISTINCT u.job_id), sum(u.gpu_seconds) / 3600.0, sum(u.used_gpu_seconds) / 3600.0,
                  sum(u.core_seconds) / 3600.0
                FROM usage_records u JOIN organisations o ON o.id = u.organisation_id
                WHERE (CAST(? AS BIGINT) IS NULL OR u.organisation_id = ?)
                  AND (CAST(? AS TIMESTAMPTZ) IS NULL OR u.ended_at >= ?)
                  AND (CAST(? AS TIMESTAMPTZ) IS NULL OR u.ended_at < ?)
                GROUP BY o.name, month, u.flavor ORDER BY o.name, month, u.flavor""")
                .params(orgId, orgId, ts(from), ts(from), ts(to), ts(to))
                .query((rs, n) -> new UsageRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getDouble(5), (Double) rs.getObject(6), rs.getDouble(7)))
                .list();
    }

    /**
     * For the scheduler: per organisation, GPU-seconds decayed with the half-life (ended runs by their
     * end, running jobs counted up to now) and GPU-hours of this calendar month.
     */
    @Transactional(readOnly = true)
    public Map<String, OrgUsage> forScheduling(Duration halfLife) {
        Instant now = clock.instant();
        Instant monthStart = LocalDate.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        double h = halfLife.toSeconds();
        Map<String, double[]> acc = new HashMap<>();
        jdbc.sql("""
                SELECT o.name,
                  sum(u.gpu_seconds * power(0.5, extract(epoch FROM (? - u.ended_at)) / ?)),
                  sum(CASE WHEN u.ended_at >= ? THEN u.gpu_seconds *
                      LEAST(1, extract(epoch FROM (u.ended_at - GREATEST(u.started_at, ?)))
                        / GREATEST(extract(epoch FROM (u.ended_at - u.started_at)), 1)) ELSE 0 END) / 3600.0
                FROM usage_records u JOIN organisations o ON o.id = u.organisation_id
                WHERE u.ended_at > ? GROUP BY o.name""")
                .params(ts(now), h, ts(monthStart), ts(monthStart), ts(now.minus(halfLife.multipliedBy(10))))
                .query(rs -> {
                    acc.put(rs.getString(1), new double[] {rs.getDouble(2), rs.getDouble(3)});
                });
        // Running jobs count as they go, so that a long job weighs on fair share before it ends.
        jdbc.sql("""
                SELECT o.name, sum(cardinality(l.gpu_indices) * extract(epoch FROM (? - l.started_at))),
                  sum(cardinality(l.gpu_indices) * extract(epoch FROM (? - GREATEST(l.started_at, ?)))) / 3600.0
                FROM launches l JOIN jobs j ON j.id = l.job_id JOIN organisations o ON o.id = j.organisation_id
                WHERE l.state = 'RUNNING' AND l.local_rank = 0 AND l.started_at IS NOT NULL GROUP BY o.name""")
                .params(ts(now), ts(now), ts(monthStart))
                .query(rs -> {
                    double[] a = acc.computeIfAbsent(rs.getString(1), k -> new double[2]);
                    a[0] += rs.getDouble(2);
                    a[1] += rs.getDouble(3);
                });
        Map<String, OrgUsage> out = new HashMap<>();
        acc.forEach((k, v) -> out.put(k, new OrgUsage(Math.max(0, v[0]), Math.max(0, v[1]))));
        return out;
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
