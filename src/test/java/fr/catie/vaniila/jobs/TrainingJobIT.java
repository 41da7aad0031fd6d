package fr.catie.vaniila.jobs;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.ApiClient.RawJson;
import fr.catie.vaniila.support.ApiClient.Response;
import fr.catie.vaniila.support.PortalProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A training job submitted like any job to the packaged portal: its ranks run as the user's processes
 * through the in-process agents, report their metrics, and a requeued run resumes from its checkpoint.
 */
class TrainingJobIT {

    @TempDir
    Path home;

    @Test
    void aTrainingJobReportsItsMetricsAndARequeuedRunResumesFromItsCheckpoint() throws Exception {
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx--x--x"));
        String sfx = UUID.randomUUID().toString().substring(0, 6);
        try (PortalProcess portal = new PortalProcess(home, Map.of("VANIILA_ADMIN_PASSWORD", "Training-boss-pass-1",
                "VANIILA_LOCAL_VIRTUAL_NODES", "catie", "VANIILA_SCHEDULING_INTERVAL", "500ms",
                "VANIILA_ACCOUNTS_FIRST_UID", Integer.toString(100_000 + 1000 * new java.util.Random().nextInt(1_000_000))))
                .start()) {
            ApiClient api = new ApiClient(portal.url());
            String admin = api.token("admin", "Training-boss-pass-1");
            api.post("/api/v1/organisations", json("name", "ml-" + sfx), admin);
            api.post("/api/v1/users", json("username", "tr-" + sfx, "password", "Correct-Horse-Battery-9",
                    "organisation", "ml-" + sfx), admin);
            String token = api.token("tr-" + sfx, "Correct-Horse-Battery-9");
            while (api.get("/api/v1/nodes", admin).json().size() < 7) {
                Thread.sleep(200);
            }

            Response bad = api.post("/api/v1/jobs", json("type", "training", "training",
                    new RawJson(json("dataset", "digits", "strategy", "gossip"))), token);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.text("detail")).contains("strategy");

            Response submitted = api.post("/api/v1/jobs", json("type", "training", "queue", "cpu", "ranks", 2,
                    "training", new RawJson(json("dataset", "digits", "model", "mlp", "epochs", 6, "strategy", "sync"))), token);
            assertThat(submitted.status()).as(submitted.body()).isEqualTo(201);
            long id = submitted.json().get("id").asLong();

            // Once two epochs are checkpointed, requeue: the next run must resume, not start over.
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (testAccuracies(api, token, id) < 2) {
                assertThat(System.nanoTime()).as("two epochs within 4 minutes").isLessThan(deadline);
                assertThat(api.get("/api/v1/jobs/" + id, token).text("state")).isIn("PENDING", "STARTING", "RUNNING");
                Thread.sleep(500);
            }
            assertThat(api.post("/api/v1/jobs/" + id + "/requeue", null, token).status()).isEqualTo(200);
            Response done = await(api, token, id, Duration.ofMinutes(6));
            assertThat(done.text("state")).as(done.body()).isEqualTo("COMPLETED");
            assertThat(done.json().get("run").asInt()).isEqualTo(2);

            JsonNode metrics = api.get("/api/v1/jobs/" + id + "/metrics", token).json();
            boolean resumed = false;
            double last = 0;
            for (JsonNode m : metrics) {
                if ("resumed".equals(m.path("event").asString(""))) {
                    resumed = true;
                    assertThat(m.get("epoch").asDouble()).isGreaterThanOrEqualTo(2);
                }
                if (m.has("test_accuracy")) {
                    last = m.get("test_accuracy").asDouble();
                }
            }
            assertThat(resumed).as("the second run resumed from a checkpoint: " + metrics).isTrue();
            assertThat(last).as("test accuracy after 6 epochs").isGreaterThan(0.9);
        }
    }

    private static int testAccuracies(ApiClient api, String token, long id) {
        int n = 0;
        for (JsonNode m : api.get("/api/v1/jobs/" + id + "/metrics", token).json()) {
            if (m.has("test_accuracy")) {
                n++;
            }
        }
        return n;
    }

    private static Response await(ApiClient api, String token, long id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response r;
        do {
            r = api.get("/api/v1/jobs/" + id, token);
            String state = r.text("state");
            if (state.equals("COMPLETED") || state.equals("FAILED") || state.equals("CANCELLED")) {
                return r;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return r;
    }
}
