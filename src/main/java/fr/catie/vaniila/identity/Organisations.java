package fr.catie.vaniila.identity;

import java.util.List;
import java.util.Optional;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.platform.Problem.Kind;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Module API for organisations. Only platform admins create organisations; everyone else sees
 * their own organisation only. Thread-safe; each call is one transaction.
 */
@Service
public class Organisations {

    /** Published once an organisation exists, so that other modules give it their defaults (quotas...). */
    public record OrganisationCreated(OrganisationId id, String name) {
    }

    private static final RowMapper<Organisation> ROW = (rs, n) -> new Organisation(
            new OrganisationId(rs.getLong("id")), rs.getString("name"), rs.getTimestamp("created_at").toInstant(),
            rs.getInt("members"));
    private static final String SELECT = "SELECT o.id, o.name, o.created_at, "
            + "(SELECT count(*) FROM accounts a WHERE a.organisation_id = o.id) AS members FROM organisations o ";

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;

    public Organisations(JdbcClient jdbc, AuditLog audit, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.events = events;
    }

    @Transactional
    public Organisation create(Caller caller, String name) {
        if (!caller.isPlatformAdmin()) {
            throw Problem.of(Kind.FORBIDDEN, OrganisationRefusal.ADMIN_ONLY);
        }
        String normal = name == null ? "" : name.trim();
        if (!normal.matches("^[a-z][a-z0-9-]{1,39}$")) {
            throw Problem.invalid("name", OrganisationRefusal.NAME_INVALID, normal);
        }
        long id;
        try {
            id = jdbc.sql("INSERT INTO organisations (name) VALUES (?) RETURNING id").param(normal)
                    .query(Long.class).single();
        } catch (DuplicateKeyException e) {
            throw Problem.of(Kind.CONFLICT, OrganisationRefusal.ALREADY_EXISTS, normal);
        }
        audit.record(caller.username(), id, "organisation.create", normal, null, null);
        events.publishEvent(new OrganisationCreated(new OrganisationId(id), normal));
        return find(new OrganisationId(id)).orElseThrow();
    }

    /** The organisations the caller may see: all for a platform admin, its own otherwise. */
    @Transactional(readOnly = true)
    public List<Organisation> list(Caller caller) {
        if (caller.isPlatformAdmin()) {
            return jdbc.sql(SELECT + "ORDER BY o.name").query(ROW).list();
        }
        return jdbc.sql(SELECT + "WHERE o.id = ?").param(caller.organisationId().value()).query(ROW).list();
    }

    /** An organisation by name, if the caller may see it. Another organisation reads as absent. */
    @Transactional(readOnly = true)
    public Organisation get(Caller caller, String name) {
        return jdbc.sql(SELECT + "WHERE o.name = ?").param(name).query(ROW).optional()
                .filter(o -> caller.sees(o.id()))
                .orElseThrow(() -> Problem.of(Kind.NOT_FOUND, OrganisationRefusal.NOT_FOUND, name));
    }

    Optional<Organisation> find(OrganisationId id) {
        return jdbc.sql(SELECT + "WHERE o.id = ?").param(id.value()).query(ROW).optional();
    }

    Optional<Organisation> findByName(String name) {
        return jdbc.sql(SELECT + "WHERE o.name = ?").param(name).query(ROW).optional();
    }

    /** Every organisation, for the platform's own background work (scheduler, accounting); never for a user. */
    @Transactional(readOnly = true)
    public List<Organisation> all() {
        return jdbc.sql(SELECT + "ORDER BY o.name").query(ROW).list();
    }
}
