package fr.catie.vaniila.audit;

import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

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

    /**
     * Which entries to read. The adapter sets {@code organisationId} from the caller: its own
     * organisation for an organisation admin, null (every entry) only for a platform admin.
     *
     * @param organisationId the organisation the entries concern; null for all
     * @param actor          exact actor (username), case-insensitive; null or blank for any
     * @param action         exact action ({@code login}, {@code quota.set}...) or a prefix ending with
     *                       {@code .} or {@code *} ({@code node.}, {@code login*}); null or blank for any
     */
    public record Query(Long organisationId, String actor, String action) {
    }

    /** One page of entries, newest first, and whether an older page exists. */
    public record Page(List<Entry> entries, int page, int size, boolean hasNext) {
    }

    /** Most entries on one page of {@link #search}. */
    public static final int MAX_PAGE_SIZE = 200;

    /**
     * A page of the entries matching the query, newest first. {@code page} counts from 0; sizes
     * above {@link #MAX_PAGE_SIZE} are cut down to it.
     */
    @Transactional(readOnly = true)
    public Page search(Query query, int page, int size) {
        int pageSize = Math.max(1, Math.min(size, MAX_PAGE_SIZE));
        int pageNumber = Math.max(0, page);
        String actor = blankToNull(query.actor());
        String action = blankToNull(query.action());
        String actionPattern = null;
        if (action != null && (action.endsWith(".") || action.endsWith("*"))) {
            // A prefix: escape LIKE's own wildcards so that only the prefix matches.
            String prefix = action.endsWith("*") ? action.substring(0, action.length() - 1) : action;
            actionPattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            action = null;
        }
        // One row more than the page tells whether another page follows, without a count(*).
        List<Entry> rows = jdbc.sql("SELECT id, at, actor, organisation_id, action, target, detail, address FROM audit_log "
                + "WHERE (CAST(? AS BIGINT) IS NULL OR organisation_id = ?) "
                + "AND (CAST(? AS TEXT) IS NULL OR lower(actor) = lower(?)) "
                + "AND (CAST(? AS TEXT) IS NULL OR action = ?) "
                + "AND (CAST(? AS TEXT) IS NULL OR action LIKE ?) "
                + "ORDER BY at DESC, id DESC LIMIT ? OFFSET ?")
                .params(query.organisationId(), query.organisationId(), actor, actor, action, action, actionPattern,
                        actionPattern, pageSize + 1, (long) pageNumber * pageSize)
                .query(AuditLog::row).list();
        boolean hasNext = rows.size() > pageSize;
        return new Page(hasNext ? List.copyOf(rows.subList(0, pageSize)) : rows, pageNumber, pageSize, hasNext);
    }

    /** The distinct actions recorded for one organisation (null: all), for a filter's choices. */
    @Transactional(readOnly = true)
    public List<String> actions(Long organisationId) {
        return jdbc.sql("SELECT DISTINCT action FROM audit_log WHERE (CAST(? AS BIGINT) IS NULL OR organisation_id = ?) "
                + "ORDER BY action").params(organisationId, organisationId).query(String.class).list();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static Entry row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), (Long) rs.getObject(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8));
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
