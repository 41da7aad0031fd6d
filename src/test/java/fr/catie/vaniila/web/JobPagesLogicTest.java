package fr.catie.vaniila.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import fr.catie.vaniila.identity.AccountId;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.OrganisationId;
import fr.catie.vaniila.identity.Role;
import fr.catie.vaniila.jobs.JobSubmission;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.quotas.Quotas;
import fr.catie.vaniila.wording.Phrase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The jobs pages' own logic, without a portal: the submit form, where refusals are shown, the cluster map. */
class JobPagesLogicTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Caller ACME = new Caller(new AccountId(1), "alice", new OrganisationId(10), "acme", Role.USER, 5000);

    static SubmitForm form(String type, String script, String nodes, String gpus, String cores, String memory) {
        return new SubmitForm(type, "", "", script, nodes, gpus, "", cores, memory, "", "", "");
    }

    @Test
    void aScriptFromTheBrowserLosesItsCarriageReturns() {
        JobSubmission s = form("batch", "#!/bin/bash\r\nsleep 8\r\necho done\r\n", "1", "0", "", "").toSubmission(JSON);
        assertThat(s.script()).isEqualTo("#!/bin/bash\nsleep 8\necho done\n");
        assertThat(s.type()).isEqualTo("batch");
        assertThat(s.nodes()).isEqualTo(1);
        assertThat(s.coresPerNode()).isNull();
    }

    @Test
    void memoryIsGivenInGigabytesPerNode() {
        JobSubmission s = form("batch", "true", "2", "1", "8", "16").toSubmission(JSON);
        assertThat(s.memPerNodeMb()).isEqualTo(16 * 1024L);
        assertThat(s.coresPerNode()).isEqualTo(8);
        assertThat(s.gpusPerNode()).isEqualTo(1);
    }

    @Test
    void numbersThatAreNotNumbersAreRefusedByField() {
        assertThatThrownBy(() -> form("batch", "true", "two", "0", "many", "").toSubmission(JSON))
                .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.fieldErrors())
                        .containsOnlyKeys("nodes", "cores")
                        .hasEntrySatisfying("nodes", m -> assertThat(m).contains("whole number")));
    }

    @Test
    void trainingParametersAreJsonAndRanksGoToTheJob() {
        JobSubmission s = form("training", "{\"dataset\": \"digits\", \"epochs\": 3, \"ranks\": 2}", "1", "0", "", "")
                .toSubmission(JSON);
        assertThat(s.type()).isEqualTo("training");
        assertThat(s.script()).isNull();
        assertThat(s.training()).containsEntry("dataset", "digits").containsEntry("epochs", 3).doesNotContainKey("ranks");
        assertThat(s.ranks()).isEqualTo(2);

        assertThatThrownBy(() -> form("training", "{dataset: digits", "1", "0", "", "").toSubmission(JSON))
                .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.fieldErrors().get("script"))
                        .contains("not valid JSON"));
        assertThatThrownBy(() -> form("training", "[1, 2]", "1", "0", "", "").toSubmission(JSON))
                .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.fieldErrors().get("script"))
                        .contains("must be a JSON object"));
    }

    @Test
    void resubmittingATrainingJobPutsItsRanksBackAmongTheParameters() {
        JobSubmission stored = new JobSubmission("train-digits", "gpu", "training", null, 1, 0, null, null, null, 0, 0,
                null, null, "00:30:00", null, null, null, null, null, null, null, null, Map.of("dataset", "digits"), 2);
        SubmitForm f = SubmitForm.of(stored, JSON);
        assertThat(f.type()).isEqualTo("training");
        assertThat(f.script()).contains("\"dataset\"").contains("\"ranks\"");
        assertThat(f.toSubmission(JSON).ranks()).isEqualTo(2);
        assertThat(f.walltime()).isEqualTo("00:30:00");
    }

    @Test
    void aRequestTheClusterCanNeverRunIsShownBesideTheFieldItsAdviceNames() {
        Map<String, String> table = Map.of(
                "Can never run: needs 5 x v100-16g on one node; the largest node in queue gpu has 4; ask for fewer GPUs per node.", "gpusPerNode",
                "Can never run: needs 9 nodes with 4 x v100-16g each; only 2 node(s) in queue gpu have that many; ask for fewer nodes.", "nodes",
                "Queue limit: asks for a wall time of 3d but queue gpu allows at most 2d; lower the wall time (--time) or use another queue.", "walltime",
                "Can never run: needs 1 x GPU with 64 cores on one node; the nodes in queue gpu with that many GPUs have at most 24 cores and 192 GB; ask for fewer cores or less memory.", "cores",
                "Can never run: no node of queue gpu has a a100-80g; flavors there: v100-16g.", "gpuFlavor",
                "Queue limit: organisation acme may not use queue private; use one of: gpu, cpu.", "queue");
        table.forEach((message, field) -> assertThat(JobPagesController.formErrors(Problem.unprocessable(message), Phrase::english))
                .as(message).containsExactly(Map.entry(field, message)));
        // The module's own field names become the form's.
        assertThat(JobPagesController.formErrors(Problem.invalid("memPerNodeMb", "too much"), Phrase::english)).containsExactly(Map.entry("memoryGb", "too much"));
        assertThat(JobPagesController.formErrors(Problem.invalid("training.dataset", "absent"), Phrase::english)).containsExactly(Map.entry("script", "absent"));
        assertThat(JobPagesController.formErrors(Problem.invalid("workdir", "outside"), Phrase::english)).containsExactly(Map.entry("general", "outside"));
        assertThat(JobPagesController.formErrors(Problem.conflict("no field"), Phrase::english)).isEmpty();
    }

    static Nodes.GpuUse gpu(int i, String flavor, Long job, String org) {
        return new Nodes.GpuUse(i, flavor, "model", flavor.startsWith("v100") ? 16384 : 11264, true, job != null, job, org, job == null ? null : 50);
    }

    static Nodes.NodeStatus node(String name, String state, Nodes.GpuUse... gpus) {
        return new Nodes.NodeStatus(name, state, null, 20, 2, 1000, 10, null, "1", List.of(gpus), "cgroup-v1", null);
    }

    @Test
    void theMapCountsFreeGpusOnNodesThatTakeJobsAndTheQuotaCountsTheOrganisationsOwn() {
        ClusterView view = ClusterView.of(ACME, List.of(
                node("a", "UP", gpu(0, "v100-16g", 7L, "acme"), gpu(1, "v100-16g", null, null), gpu(2, "v100-16g", null, null)),
                node("b", "UP", gpu(0, "v100-16g", 8L, null), gpu(1, "v100-16g", null, null)),
                node("c", "DRAINING", gpu(0, "v100-16g", null, null)),
                node("d", "DOWN", gpu(0, "rtx2080ti-11g", null, null))));
        ClusterView.FlavorFree v100 = view.flavors().stream().filter(f -> f.flavor().equals("v100-16g")).findFirst().orElseThrow();
        assertThat(v100.total()).isEqualTo(6);
        assertThat(v100.free()).as("busy, draining and down GPUs are not free").isEqualTo(3);
        assertThat(v100.mostFreeOnOne()).isEqualTo(2);
        assertThat(v100.nodes()).isEqualTo(3);
        assertThat(view.flavors().get(0).flavor()).as("largest memory first").isEqualTo("v100-16g");
        assertThat(view.nodes().get(2).gpus().get(0).status()).isEqualTo(ClusterView.GpuStatus.DRAINING);
        assertThat(view.nodes().get(3).gpus().get(0).status()).isEqualTo(ClusterView.GpuStatus.DOWN);
        assertThat(view.nodes().get(0).gpus().get(0).mine()).isTrue();
        assertThat(view.nodes().get(0).gpus().get(0).organisation()).as("only platform admins see holders").isNull();
        assertThat(view.nodes().get(1).gpus().get(0).mine()).isFalse();

        Quotas.Quota quota = new Quotas.Quota("acme", null, null, 1, Map.of("v100-16g", new Quotas.FlavorLimit(1, 0)));
        List<ClusterView.QuotaRow> rows = view.quotaRows(quota, new Quotas.FlavorLimit(0, 1000));
        assertThat(rows).containsExactly(new ClusterView.QuotaRow("v100-16g", 1, 0, 1, 6),
                new ClusterView.QuotaRow("rtx2080ti-11g", 0, 1000, 0, 1));
        assertThat(rows.get(0).percent()).isEqualTo(100);
        assertThat(rows.get(0).borrowing()).isFalse();
    }
}
