package fr.catie.vaniila.quotas;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.Organisation;
import fr.catie.vaniila.identity.Organisations;
import fr.catie.vaniila.platform.Problem.Kind;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.platform.VaniilaProperties;
import fr.catie.vaniila.wording.Phrase;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Module API for organisations' quotas: GPUs per flavor (guaranteed and borrowable), CPU cores, a
 * monthly GPU-hour budget and the fair-share weight. Members of an organisation read its quota;
 * platform admins read and set every quota. Thread-safe.
 */
@Service
public class Quotas {

    /** GPUs of one flavor: guaranteed to the organisation, and how many more it may borrow while idle. */
    public record FlavorLimit(int guaranteedGpus, int borrowLimit) {
    }

    /**
     * An organisation's quota. {@code flavors} may hold {@code "*"} for every flavor without a limit of
     * its own; a flavor absent from it gets the platform default.
     */
    public record Quota(String organisation, Integer cpuCores, Double gpuHoursPerMonth, double fairShareWeight,
            Map<String, FlavorLimit> flavors) {
        public Quota {
            flavors = flavors == null ? Map.of() : Map.copyOf(flavors);
        }

        /** The limit that applies to one flavor. */
        public FlavorLimit limit(String flavor, FlavorLimit platformDefault) {
            FlavorLimit own = flavors.get(flavor);
            if (own != null) {
                return own;
            }
            return flavors.getOrDefault("*", platformDefault);
        }
    }

    private final JdbcClient jdbc;
    private final Organisations organisations;
    private final AuditLog audit;
    private final VaniilaProperties.Quotas defaults;

    public Quotas(JdbcClient jdbc, Organisations organisations, AuditLog audit, VaniilaProperties properties) {
        this.jdbc = jdbc;
        this.organisations = organisations;
        this.audit = audit;
        this.defaults = properties.quotas();
    }

    /** The limit a flavor gets when neither it nor {@code "*"} is set for an organisation. */
    public FlavorLimit platformDefault() {
        return new FlavorLimit(defaults.defaultGuaranteedGpus(), defaults.defaultBorrowLimit());
    }

    @Transactional(readOnly = true)
    public Quota get(Caller caller, String organisation) {
        Organisation org = organisations.get(caller, organisation == null ? caller.organisation() : organisation);
        return load(org.id().value(), org.name());
    }

    /** Every organisation's quota, for the scheduler loop; never for a user. */
    @Transactional(readOnly = true)
    public Map<String, Quota> all() {
        Map<String, Quota> out = new TreeMap<>();
        for (Organisation org : organisations.all()) {
            out.put(org.name(), load(org.id().value(), org.name()));
        }
        return out;
    }

    @Transactional
    public Quota set(Caller caller, String organisation, Quota quota) {
        if (!caller.isPlatformAdmin()) {
            throw Problem.of(Kind.FORBIDDEN, QuotaRefusal.ADMIN_ONLY);
        }
        Organisation org = organisations.get(caller, organisation);
        Map<String, Phrase> errors = new LinkedHashMap<>();
        if (quota.cpuCores() != null && quota.cpuCores() < 0) {
            errors.put("cpuCores", Phrase.of(QuotaRefusal.CPU_CORES_NEGATIVE));
        }
        if (quota.gpuHoursPerMonth() != null && quota.gpuHoursPerMonth() < 0) {
            errors.put("gpuHoursPerMonth", Phrase.of(QuotaRefusal.GPU_HOURS_NEGATIVE));
        }
        if (!(quota.fairShareWeight() > 0)) {
            errors.put("fairShareWeight", Phrase.of(QuotaRefusal.FAIR_SHARE_NOT_POSITIVE));
        }
        quota.flavors().forEach((flavor, limit) -> {
            if (!flavor.equals("*")) {
                try {
                    fr.catie.vaniila.scheduler.GpuFlavor.parse(flavor);
                } catch (fr.catie.vaniila.scheduler.InvalidFlavor e) {
                    errors.put("flavors." + flavor, Phrase.of(QuotaRefusal.FLAVOR_INVALID, e.phrase()));
                }
            }
            if (limit == null || limit.guaranteedGpus() < 0 || limit.borrowLimit() < 0) {
                errors.put("flavors." + flavor, Phrase.of(QuotaRefusal.LIMIT_NEGATIVE, flavor));
            }
        });
        if (!errors.isEmpty()) {
            throw Problem.invalidPhrases(errors);
        }
        long id = org.id().value();
        jdbc.sql("""
                INSERT INTO org_limits (organisation_id, cpu_cores, gpu_hours_per_month, fairshare_weight)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (organisation_id) DO UPDATE SET cpu_cores = EXCLUDED.cpu_cores,
                  gpu_hours_per_month = EXCLUDED.gpu_hours_per_month, fairshare_weight = EXCLUDED.fairshare_weight""")
                .params(id, quota.cpuCores(), quota.gpuHoursPerMonth(), quota.fairShareWeight()).update();
        jdbc.sql("DELETE FROM flavor_quotas WHERE organisation_id = ?").param(id).update();
        quota.flavors().forEach((flavor, limit) -> jdbc.sql(
                "INSERT INTO flavor_quotas (organisation_id, flavor, guaranteed_gpus, borrow_limit) VALUES (?, ?, ?, ?)")
                .params(id, flavor, limit.guaranteedGpus(), limit.borrowLimit()).update());
        audit.record(caller.username(), id, "quota.set", org.name(), quota.toString(), null);
        return load(id, org.name());
    }

    private Quota load(long orgId, String name) {
        Map<String, FlavorLimit> flavors = new TreeMap<>();
        jdbc.sql("SELECT flavor, guaranteed_gpus, borrow_limit FROM flavor_quotas WHERE organisation_id = ?")
                .param(orgId).query(rs -> {
                    flavors.put(rs.getString(1), new FlavorLimit(rs.getInt(2), rs.getInt(3)));
                });
        List<Quota> rows = jdbc.sql("SELECT cpu_cores, gpu_hours_per_month, fairshare_weight FROM org_limits WHERE organisation_id = ?")
                .param(orgId)
                .query((rs, n) -> new Quota(name, (Integer) rs.getObject(1),
                        rs.getObject(2) == null ? null : rs.getDouble(2), rs.getDouble(3), flavors))
                .list();
        return rows.isEmpty() ? new Quota(name, null, null, 1.0, flavors) : rows.get(0);
    }
}
