package fr.catie.vaniila.queues;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.platform.Problem.Kind;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.scheduler.NodeName;
import fr.catie.vaniila.scheduler.OrgName;
import fr.catie.vaniila.scheduler.Queue;
import fr.catie.vaniila.scheduler.QueueName;
import fr.catie.vaniila.wording.Phrase;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Module API for queues. Everyone may read them (they are what users submit to); only platform
 * admins change them. Thread-safe.
 */
@Service
public class Queues {

    private final JdbcClient jdbc;
    private final AuditLog audit;

    public Queues(JdbcClient jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    public List<QueueSpec> list() {
        return jdbc.sql("SELECT * FROM queues ORDER BY is_default DESC, name").query(Queues::row).list();
    }

    /** The queue a user meant: the named one, or the default when none is named. */
    @Transactional(readOnly = true)
    public QueueSpec resolve(String name) {
        if (name == null || name.isBlank()) {
            return jdbc.sql("SELECT * FROM queues WHERE is_default").query(Queues::row).optional()
                    .orElseThrow(() -> Problem.invalid("queue", QueueRefusal.NO_DEFAULT, names()));
        }
        return find(name.trim()).orElseThrow(() -> Problem.invalid("queue", QueueRefusal.UNKNOWN, name, names()));
    }

    public Optional<QueueSpec> find(String name) {
        return jdbc.sql("SELECT * FROM queues WHERE name = ?").param(name).query(Queues::row).optional();
    }

    @Transactional
    public QueueSpec create(Caller caller, QueueSpec spec) {
        requireAdmin(caller);
        validate(spec);
        if (spec.isDefault()) {
            jdbc.sql("UPDATE queues SET is_default = FALSE WHERE is_default").update();
        }
        try {
            jdbc.sql("""
                    INSERT INTO queues (name, is_default, default_walltime_s, max_walltime_s, max_gpus_per_job,
                      priority_tier, preemptible, flavors, nodes, organisations)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?::text[], ?::text[], ?::text[])""")
                    .params(spec.name(), spec.isDefault(), spec.defaultWalltime().toSeconds(),
                            spec.maxWalltime().toSeconds(), spec.maxGpusPerJob(), spec.priorityTier(), spec.preemptible(),
                            pgArray(spec.flavors()), pgArray(spec.nodes()), pgArray(spec.organisations()))
                    .update();
        } catch (DuplicateKeyException e) {
            throw Problem.of(Kind.CONFLICT, QueueRefusal.ALREADY_EXISTS, spec.name());
        }
        audit.record(caller.username(), null, "queue.create", spec.name(), spec.toString(), null);
        return find(spec.name()).orElseThrow();
    }

    @Transactional
    public QueueSpec update(Caller caller, String name, QueueSpec spec) {
        requireAdmin(caller);
        QueueSpec old = find(name).orElseThrow(() -> Problem.of(Kind.NOT_FOUND, QueueRefusal.NOT_FOUND, name));
        QueueSpec merged = new QueueSpec(name, spec.isDefault(), spec.defaultWalltime(), spec.maxWalltime(),
                spec.maxGpusPerJob(), spec.priorityTier(), spec.preemptible(), spec.flavors(), spec.nodes(),
                spec.organisations());
        validate(merged);
        if (old.isDefault() && !merged.isDefault()) {
            throw Problem.invalid("isDefault", QueueRefusal.DEFAULT_STAYS_DEFAULT, name);
        }
        if (merged.isDefault()) {
            jdbc.sql("UPDATE queues SET is_default = FALSE WHERE is_default AND name <> ?").param(name).update();
        }
        jdbc.sql("""
                UPDATE queues SET is_default = ?, default_walltime_s = ?, max_walltime_s = ?, max_gpus_per_job = ?,
                  priority_tier = ?, preemptible = ?, flavors = ?::text[], nodes = ?::text[], organisations = ?::text[]
                WHERE name = ?""")
                .params(merged.isDefault(), merged.defaultWalltime().toSeconds(), merged.maxWalltime().toSeconds(),
                        merged.maxGpusPerJob(), merged.priorityTier(), merged.preemptible(), pgArray(merged.flavors()),
                        pgArray(merged.nodes()), pgArray(merged.organisations()), name)
                .update();
        audit.record(caller.username(), null, "queue.update", name, merged.toString(), null);
        return find(name).orElseThrow();
    }

    @Transactional
    public void delete(Caller caller, String name) {
        requireAdmin(caller);
        QueueSpec q = find(name).orElseThrow(() -> Problem.of(Kind.NOT_FOUND, QueueRefusal.NOT_FOUND, name));
        if (q.isDefault()) {
            throw Problem.of(Kind.CONFLICT, QueueRefusal.DEFAULT_NOT_DELETED, name);
        }
        long jobs = jdbc.sql("SELECT count(*) FROM jobs WHERE queue = ?").param(name).query(Long.class).single();
        if (jobs > 0) {
            throw Problem.of(Kind.CONFLICT, QueueRefusal.HAS_HISTORY, name, jobs);
        }
        try {
            jdbc.sql("DELETE FROM queues WHERE name = ?").param(name).update();
        } catch (DataIntegrityViolationException e) {
            throw Problem.of(Kind.CONFLICT, QueueRefusal.IN_USE, name);
        }
        audit.record(caller.username(), null, "queue.delete", name, null, null);
    }

    /** The queue as the scheduler core sees it. */
    public static Queue toCore(QueueSpec q) {
        Set<NodeName> nodes = q.nodes().stream().map(NodeName::new).collect(Collectors.toSet());
        Set<OrgName> orgs = q.organisations().stream().map(OrgName::new).collect(Collectors.toSet());
        return new Queue(new QueueName(q.name()), nodes, Set.copyOf(q.flavors()), q.defaultWalltime(), q.maxWalltime(),
                q.maxGpusPerJob(), q.priorityTier(), q.preemptible(), orgs);
    }

    private void validate(QueueSpec spec) {
        Map<String, Phrase> errors = new LinkedHashMap<>();
        if (spec.name() == null || !spec.name().matches("^[a-z][a-z0-9-]{0,31}$")) {
            errors.put("name", Phrase.of(QueueRefusal.NAME_INVALID, spec.name()));
        }
        if (spec.defaultWalltime() == null || spec.defaultWalltime().isNegative() || spec.defaultWalltime().isZero()) {
            errors.put("defaultWalltime", Phrase.of(QueueRefusal.DEFAULT_WALLTIME_NOT_POSITIVE));
        }
        if (spec.maxWalltime() == null || (spec.defaultWalltime() != null && spec.maxWalltime().compareTo(spec.defaultWalltime()) < 0)) {
            errors.put("maxWalltime", Phrase.of(QueueRefusal.MAX_WALLTIME_BELOW_DEFAULT));
        }
        if (spec.maxGpusPerJob() < 0) {
            errors.put("maxGpusPerJob", Phrase.of(QueueRefusal.MAX_GPUS_NEGATIVE));
        }
        if (spec.priorityTier() < 0) {
            errors.put("priorityTier", Phrase.of(QueueRefusal.PRIORITY_TIER_NEGATIVE));
        }
        for (String f : spec.flavors()) {
            try {
                fr.catie.vaniila.scheduler.GpuFlavor.parse(f);
            } catch (fr.catie.vaniila.scheduler.InvalidFlavor e) {
                errors.put("flavors", e.phrase());
            }
        }
        if (!errors.isEmpty()) {
            throw Problem.invalidPhrases(errors);
        }
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.isPlatformAdmin()) {
            throw Problem.of(Kind.FORBIDDEN, QueueRefusal.ADMIN_ONLY);
        }
    }

    private String names() {
        return jdbc.sql("SELECT string_agg(name, ', ' ORDER BY name) FROM queues").query(String.class).single();
    }

    static String pgArray(List<String> values) {
        return values.stream().map(v -> "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    static List<String> list(ResultSet rs, String column) throws SQLException {
        Array a = rs.getArray(column);
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }

    private static QueueSpec row(ResultSet rs, int n) throws SQLException {
        return new QueueSpec(rs.getString("name"), rs.getBoolean("is_default"),
                Duration.ofSeconds(rs.getLong("default_walltime_s")), Duration.ofSeconds(rs.getLong("max_walltime_s")),
                rs.getInt("max_gpus_per_job"), rs.getInt("priority_tier"), rs.getBoolean("preemptible"),
                list(rs, "flavors"), list(rs, "nodes"), list(rs, "organisations"));
    }
}
