package fr.catie.vaniila.audit;

import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Append-only record of logins and administrative actions, for the platform and company admins.
 * Thread-safe; each entry is written in the caller's transaction when there is one.
 */
@Service
public class AuditLog {

    /** One recorded action. {@code organisationId} is the organisation the action concerns. */
    public record Entry(long id, Instant at, String actor, Long organisationId, String action, String target,
            String detail, String address) {
    }

    private final JdbcClient jdbc;

    public AuditLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void record(String actor, Long organisationId, String action, String target, String detail,
            String address) {
        jdbc.sql("INSERT INTO audit_log (actor, organisation_id, action, target, detail, address) "
                + "VALUES (?, ?, ?, ?, ?, ?)")
                .params(actor, organisationId, action, target, detail, address).update();
    }

    /** The latest entries, for one organisation or (null) for all. */
    public List<Entry> latest(Long organisationId, int limit) {
        return jdbc.sql("SELECT id, at, actor, organisation_id, action, target, detail, address FROM audit_log "
                + "WHERE (CAST(? AS BIGINT) IS NULL OR organisation_id = ?) ORDER BY at DESC, id DESC LIMIT ?")
                .params(organisationId, organisationId, limit)
                .query((rs, n) -> new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                        (Long) rs.getObject(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)))
                .list();
    }
}
