package fr.catie.vaniila.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import fr.catie.vaniila.identity.Organisations;
import fr.catie.vaniila.support.PortalIT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The audit log's search against the real database: scope, filters, prefixes and pages. */
class AuditLogIT extends PortalIT {

    @Autowired
    AuditLog audit;

    @Autowired
    Organisations organisations;

    @Test
    void pagesNewestFirstAndFiltersByActorActionPrefixAndOrganisation() {
        String org = unique("auditco");
        orgWithUser(org, unique("audituser"), "USER");
        long orgId = organisations.all().stream().filter(o -> o.name().equals(org)).findFirst().orElseThrow().id().value();
        String actor = unique("Probe");
        for (int i = 0; i < 60; i++) {
            audit.record(actor, i % 3 == 0 ? orgId : null, i % 2 == 0 ? "probe.even" : "probe.odd", "t" + i, null, null);
        }
        audit.record(actor, null, "probeXeven", "wildcard", null, null);

        AuditLog.Page first = audit.search(new AuditLog.Query(null, actor.toUpperCase(), null), 0, 25);
        assertThat(first.entries()).hasSize(25);
        assertThat(first.hasNext()).isTrue();
        assertThat(first.entries().get(0).target()).isEqualTo("wildcard");
        assertThat(first.entries().get(1).target()).isEqualTo("t59");
        AuditLog.Page last = audit.search(new AuditLog.Query(null, actor, null), 2, 25);
        assertThat(last.entries()).hasSize(11);
        assertThat(last.hasNext()).isFalse();
        assertThat(last.entries().get(last.entries().size() - 1).target()).isEqualTo("t0");

        assertThat(audit.search(new AuditLog.Query(null, actor, "probe.even"), 0, 100).entries()).hasSize(30)
                .allSatisfy(e -> assertThat(e.action()).isEqualTo("probe.even"));
        // A prefix matches what starts with it, and only that: '.' and '_' are no wildcards.
        assertThat(audit.search(new AuditLog.Query(null, actor, "probe."), 0, 100).entries()).hasSize(60);
        assertThat(audit.search(new AuditLog.Query(null, actor, "probe*"), 0, 100).entries()).hasSize(61);
        assertThat(audit.search(new AuditLog.Query(null, actor, "probe_*"), 0, 100).entries()).isEmpty();

        List<AuditLog.Entry> scoped = audit.search(new AuditLog.Query(orgId, actor, null), 0, 100).entries();
        assertThat(scoped).hasSize(20).allSatisfy(e -> assertThat(e.organisationId()).isEqualTo(orgId));
        assertThat(audit.actions(orgId)).contains("probe.even", "probe.odd", "organisation.create").doesNotContain("probeXeven");
        assertThat(audit.search(new AuditLog.Query(null, actor, null), 0, 100_000).size()).isEqualTo(AuditLog.MAX_PAGE_SIZE);
    }
}
