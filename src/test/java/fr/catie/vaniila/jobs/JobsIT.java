package fr.catie.vaniila.jobs;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.ApiClient.Response;
import fr.catie.vaniila.support.PortalIT;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Jobs running for real on the one-command portal: its in-process agents run the demo inventory
 * (7 virtual nodes, 25 GPUs) as processes on this machine, as the jobs' own Unix accounts.
 */
class JobsIT extends PortalIT {

    @Autowired
    JdbcClient jdbc;

    private String org;
    private String user;
    private String token;

    @BeforeEach
    void anOrganisationWithAUser() {
        awaitNodes();
        org = unique("jobs");
        user = unique("u");
        token = orgWithUser(org, user, "USER");
    }

    @Test
    void aScriptRunsAsItsUserAndItsLogReadsBack() {
        long id = submit(token, json("name", "hello", "gpusPerNode", 1,
                "script", "#!/bin/bash\necho hello\necho gpus=$CUDA_VISIBLE_DEVICES\necho uid=$(id -u) user=$(id -un)\necho oops >&2"));
        Response done = awaitState(token, id, Duration.ofSeconds(60), "COMPLETED", "FAILED");
        assertThat(done.text("state")).isEqualTo("COMPLETED");
        assertThat(done.json().get("exitCode").asInt()).isZero();
        int uid = api.get("/api/v1/me", token).json().get("uid").asInt();
        String out = awaitLog(token, id, "stdout", 0, "user=");
        assertThat(out).startsWith("hello\n").containsPattern("gpus=[0-9]\n").contains("uid=" + uid + " user=" + user);
        assertThat(uid).isNotZero();
        assertThat(awaitLog(token, id, "stderr", 0, "oops")).isEqualTo("oops\n");
        assertThat(done.json().get("allocation").get(0).get("gpus").size()).isEqualTo(1);

        Response partial = api.get("/api/v1/jobs/" + id + "/log?offset=6", token);
        assertThat(partial.body()).startsWith("gpus=");
        assertThat(api.get("/api/v1/jobs/" + id + "/timeline", token).body())
                .contains("\"to\":\"PENDING\"", "\"to\":\"STARTING\"", "\"to\":\"RUNNING\"", "\"to\":\"COMPLETED\"");
    }

    @Test
    void whatAJobUsedOfItsCoresAndMemoryIsMeasuredWhileItRuns() {
        // One busy core of two and 300 MB for 8 s: the node's agent measures it every few seconds.
        long id = submit(token, json("name", "busy", "coresPerNode", 2, "script", "#!/bin/bash\npython3 -c '\n"
                + "import time\nb = bytearray(300 * 1024 * 1024)\nt = time.time()\nwhile time.time() - t < 8: pass\n'"));
        Response done = awaitState(token, id, Duration.ofSeconds(60), "COMPLETED", "FAILED");
        assertThat(done.text("state")).isEqualTo("COMPLETED");
        tools.jackson.databind.JsonNode used = done.json().get("allocation").get(0);
        assertThat(used.get("cpuSeconds").asDouble()).as(used.toString()).isGreaterThan(1.0);
        assertThat(used.get("maxRssMb").asLong()).as(used.toString()).isGreaterThanOrEqualTo(250);
    }

    @Test
    void theCpuTimeOfEveryProcessAJobRanIsCountedEvenOutsideItsProcessGroup() {
        // Two seconds of CPU in a session of its own: the job's process group never holds it, its cgroup does.
        long id = submit(token, json("name", "elsewhere", "script",
                "#!/bin/bash\nsetsid timeout 2 sh -c 'while :; do :; done'\nexit 0"));
        awaitState(token, id, Duration.ofSeconds(60), "COMPLETED");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        double cpu = 0;
        while (cpu < 1.0 && System.nanoTime() < deadline) {
            var used = api.get("/api/v1/jobs/" + id, token).json().get("allocation").get(0).get("cpuSeconds");
            cpu = used == null || used.isNull() ? 0 : used.asDouble();
            sleep(200);
        }
        assertThat(cpu).as("CPU seconds of job " + id).isGreaterThan(1.0);
    }

    @Test
    void aJobOverItsMemoryEndsFailedSayingWhatToAskFor() {
        // The node's cgroup holds the job to its 1 GiB; the kernel kills the process that wants 2. The script goes
        // on and exits 0, yet the job failed: its work is likely lost.
        long id = submit(token, json("name", "greedy", "memPerNodeMb", 1024,
                "script", "#!/bin/bash\npython3 -c 'b = bytearray(2048 * 1024 * 1024)'\necho survived"));
        Response done = awaitState(token, id, Duration.ofSeconds(60), "COMPLETED", "FAILED");
        assertThat(done.text("state")).isEqualTo("FAILED");
        assertThat(done.text("endReason")).isEqualTo("exit code 0; a process of the job was killed for going over "
                + "its 1024 MiB of memory on its node: ask for more memory per node (--mem, or \"Memory per node\" "
                + "on the form)");
    }

    @Test
    void aJobNeedingMoreGpusThanAnyNodeIsRefusedWithTheReason() {
        Response r = api.post("/api/v1/jobs", json("script", "hostname", "gpusPerNode", 9), token);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.text("detail")).contains("needs 9").contains("on one node");
        Response flavor = api.post("/api/v1/jobs", json("script", "hostname", "gpusPerNode", 2, "gpuFlavor", "titanrtx-24g"), token);
        assertThat(flavor.status()).isEqualTo(422);
        assertThat(flavor.text("detail")).contains("titanrtx-24g");
        Response unknown = api.post("/api/v1/jobs", json("script", "hostname", "gpusPerNode", 1, "gpuFlavor", "a100-80g"), token);
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs j JOIN accounts a ON a.id = j.account_id WHERE a.username = ?")
                .param(user).query(Long.class).single()).isZero();
    }

    @Test
    void aRunningJobIsCancelledPromptlyAndItsProcessesStop() {
        long id = submit(token, json("script", "echo started; sleep 600", "gpusPerNode", 1));
        awaitState(token, id, Duration.ofSeconds(60), "RUNNING");
        awaitLog(token, id, "stdout", 0, "started");
        long before = System.nanoTime();
        assertThat(api.delete("/api/v1/jobs/" + id, token).status()).isEqualTo(200);
        Response cancelled = awaitState(token, id, Duration.ofSeconds(20), "CANCELLED");
        long ms = (System.nanoTime() - before) / 1_000_000;
        assertThat(cancelled.text("endReason")).contains("cancelled by " + user);
        System.out.println("cancel of a running sleep 600 took " + ms + " ms");
        assertThat(jdbc.sql("SELECT count(*) FROM gpu_claims WHERE job_id = ?").param(id).query(Long.class).single()).isZero();
        Response again = api.delete("/api/v1/jobs/" + id, token);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.text("detail")).contains("already ended");
    }

    @Test
    void aTwoNodeJobStartsAllOrNothingAndEachRankSeesItsPlace() {
        // Occupy one of the two v100 nodes entirely: the 2-node job cannot start, and takes nothing meanwhile.
        long blocker = submit(token, json("script", "sleep 600", "gpusPerNode", 4, "gpuFlavor", "v100-16g"));
        awaitState(token, blocker, Duration.ofSeconds(60), "RUNNING");
        long gang = submit(token, json("name", "ddp", "nodes", 2, "gpusPerNode", 4, "gpuFlavor", "v100-16g",
                "script", "echo rank=$RANK world=$WORLD_SIZE local=$LOCAL_RANK node=$NODE_RANK master=$MASTER_ADDR:$MASTER_PORT gpus=$CUDA_VISIBLE_DEVICES"));
        Response waiting = awaitPending(gang);
        assertThat(waiting.text("reasonCode")).isIn("RESOURCES", "PRIORITY");
        assertThat(waiting.text("reason")).contains("v100-16g");
        assertThat(jdbc.sql("SELECT count(*) FROM launches WHERE job_id = ?").param(gang).query(Long.class).single())
                .as("a gang job holds nothing while it waits").isZero();

        api.delete("/api/v1/jobs/" + blocker, token);
        Response done = awaitState(token, gang, Duration.ofSeconds(60), "COMPLETED", "FAILED");
        assertThat(done.text("state")).isEqualTo("COMPLETED");
        assertThat(done.json().get("allocation").size()).isEqualTo(2);
        assertThat(done.json().get("allocation").get(0).get("node").asString())
                .isNotEqualTo(done.json().get("allocation").get(1).get("node").asString());
        String rank0 = awaitLog(token, gang, "stdout", 0, "rank=");
        String rank1 = awaitLog(token, gang, "stdout", 1, "rank=");
        assertThat(rank0).startsWith("rank=0 world=2 local=0 node=0 master=").contains("gpus=0,1,2,3");
        assertThat(rank1).startsWith("rank=1 world=2 local=0 node=1 master=");
        String master0 = rank0.substring(rank0.indexOf("master="), rank0.indexOf(" gpus"));
        assertThat(rank1).contains(master0);
    }

    private Response awaitPending(long id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Response r;
        do {
            r = api.get("/api/v1/jobs/" + id, token);
            if ("PENDING".equals(r.text("state")) && r.text("reason") != null) {
                return r;
            }
            sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("job " + id + " has no pending reason: " + r.body());
    }

    @Test
    void usageShowsTheGpuSecondsOfFinishedJobs() {
        long id = submit(token, json("script", "sleep 2", "gpusPerNode", 2, "gpuFlavor", "rtx2080ti-11g"));
        awaitState(token, id, Duration.ofSeconds(60), "COMPLETED");
        Response usage = api.get("/api/v1/usage", token);
        assertThat(usage.status()).isEqualTo(200);
        assertThat(usage.json().size()).isEqualTo(1);
        var row = usage.json().get(0);
        assertThat(row.get("organisation").asString()).isEqualTo(org);
        assertThat(row.get("flavor").asString()).isEqualTo("rtx2080ti-11g");
        assertThat(row.get("jobs").asInt()).isEqualTo(1);
        // 2 GPUs for a little over 2 seconds
        assertThat(row.get("gpuHours").asDouble() * 3600).isBetween(4.0, 60.0);
        double recorded = jdbc.sql("SELECT gpu_seconds FROM usage_records WHERE job_id = ?").param(id).query(Double.class).single();
        assertThat(recorded).isBetween(4.0, 60.0);
        assertThat(api.get("/api/v1/usage?organisation=platform", token).status()).isEqualTo(404);
    }

    @Test
    void badRequestsAreRefusedWithTheFieldToChange() {
        Map<String, String> cases = Map.of(
                json("script", "x", "queue", "nope"), "Unknown queue 'nope'",
                json("script", "x", "nodes", 0), "nodes must be between 1",
                json("script", "x", "gpusPerNode", -1), "gpusPerNode must be between 0",
                json("script", "x", "walltime", "72:00:00"), "wall time",
                json("script", "x", "walltime", "soon"), "Invalid wall time 'soon'",
                json("script", "x", "array", "5-1"), "runs backwards",
                json("script", "x", "dependency", "after:1"), "not a supported kind",
                json("gpusPerNode", 1), "needs a script",
                json("script", "x".repeat(1_100_000)), "over 1048576 bytes",
                json("script", "x", "workdir", "../../etc"), "outside your workspace");
        cases.forEach((body, message) -> {
            Response r = api.post("/api/v1/jobs", body, token);
            assertThat(r.status()).as(message).isIn(400, 422);
            assertThat(r.text("detail")).as(body.length() > 200 ? body.substring(0, 200) : body).contains(message);
        });
    }

    @Test
    void aDependencyOnAnotherOrganisationsJobIsRefused() {
        String other = orgWithUser(unique("dep"), unique("o"), "USER");
        long theirs = submit(other, json("script", "true"));
        Response r = api.post("/api/v1/jobs", json("script", "true", "dependency", "afterok:" + theirs), token);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text("detail")).contains("not a job of your organisation");
        assertThat(api.get("/api/v1/jobs/" + theirs, token).status()).isEqualTo(404);
        assertThat(api.delete("/api/v1/jobs/" + theirs, token).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/jobs/" + theirs + "/log", token).status()).isEqualTo(404);
    }

    @Test
    void dependenciesWaitForTheirJobsAndFailedOnesNeverRun() {
        long first = submit(token, json("script", "sleep 2; exit 3"));
        long afterOk = submit(token, json("script", "echo never", "dependency", "afterok:" + first));
        long afterNotOk = submit(token, json("script", "echo ran", "dependency", "afternotok:" + first));
        Response waiting = api.get("/api/v1/jobs/" + afterOk, token);
        assertThat(waiting.text("state")).isEqualTo("PENDING");
        Response failed = awaitState(token, first, Duration.ofSeconds(60), "FAILED");
        assertThat(failed.json().get("exitCode").asInt()).isEqualTo(3);
        awaitState(token, afterNotOk, Duration.ofSeconds(60), "COMPLETED");
        Response never = awaitReason(afterOk, "NEVER_SATISFIABLE", "DEPENDENCY");
        assertThat(never.text("state")).isEqualTo("PENDING");
        assertThat(never.text("reason")).containsIgnoringCase("dependen");
    }

    private Response awaitReason(long id, String... codes) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Response r;
        do {
            r = api.get("/api/v1/jobs/" + id, token);
            if (java.util.Arrays.asList(codes).contains(r.text("reasonCode"))) {
                return r;
            }
            sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("job " + id + " never had reason " + java.util.Arrays.toString(codes) + ": " + r.body());
    }

    @Test
    void anArrayRunsEveryTaskWithItsIndexAndAtMostTheLimitAtOnce() {
        Response r = api.post("/api/v1/jobs", json("name", "arr", "array", "0-3%2",
                "script", "echo task=$SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID; sleep 2"), token);
        assertThat(r.status()).isEqualTo(201);
        var ids = r.json().get("taskIds");
        assertThat(ids.size()).isEqualTo(4);
        long parent = ids.get(0).asLong();
        int maxRunning = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            long running = jdbc.sql("SELECT count(*) FROM jobs WHERE array_parent = ? AND state IN ('STARTING','RUNNING')")
                    .param(parent).query(Long.class).single();
            maxRunning = Math.max(maxRunning, (int) running);
            long done = jdbc.sql("SELECT count(*) FROM jobs WHERE array_parent = ? AND state = 'COMPLETED'")
                    .param(parent).query(Long.class).single();
            if (done == 4) {
                break;
            }
            sleep(100);
        }
        assertThat(maxRunning).isBetween(1, 2);
        for (int i = 0; i < 4; i++) {
            long id = ids.get(i).asLong();
            assertThat(awaitState(token, id, Duration.ofSeconds(5), "COMPLETED").json().get("arrayIndex").asInt()).isEqualTo(i);
            assertThat(awaitLog(token, id, "stdout", 0, "task=")).isEqualTo("task=" + i + " of " + parent + "\n");
        }
    }

    @Test
    void aHeldJobWaitsUntilReleased() {
        long id = submit(token, json("script", "echo released", "hold", true));
        assertThat(api.get("/api/v1/jobs/" + id, token).text("state")).isEqualTo("HELD");
        sleep(1500);
        assertThat(api.get("/api/v1/jobs/" + id, token).text("state")).isEqualTo("HELD");
        assertThat(api.post("/api/v1/jobs/" + id + "/release", null, token).status()).isEqualTo(200);
        awaitState(token, id, Duration.ofSeconds(60), "COMPLETED");
        assertThat(api.post("/api/v1/jobs/" + id + "/release", null, token).status()).isEqualTo(409);
    }

    @Test
    void aDrainedNodeTakesNoNewJobUntilResumed() {
        String admin = adminToken();
        Response refused = api.post("/api/v1/nodes/catie-titan-1/drain", null, token);
        assertThat(refused.status()).isEqualTo(403);
        Response drained = api.post("/api/v1/nodes/catie-titan-1/drain", json("reason", "maintenance"), admin);
        assertThat(drained.status()).isEqualTo(200);
        assertThat(drained.text("state")).isIn("DRAINING", "DRAINED");
        try {
            long id = submit(token, json("script", "echo on titan", "gpusPerNode", 1, "gpuFlavor", "titanrtx-24g"));
            Response waiting = awaitPending(id);
            assertThat(waiting.text("reasonCode")).isIn("RESOURCES", "PRIORITY");
            assertThat(jdbc.sql("SELECT count(*) FROM launches WHERE job_id = ?").param(id).query(Long.class).single()).isZero();
            assertThat(api.post("/api/v1/nodes/catie-titan-1/resume", null, admin).text("state")).isEqualTo("UP");
            assertThat(awaitState(token, id, Duration.ofSeconds(60), "COMPLETED").json().get("allocation").get(0)
                    .get("node").asString()).isEqualTo("catie-titan-1");
        } finally {
            api.post("/api/v1/nodes/catie-titan-1/resume", null, admin);
        }
        assertThat(api.post("/api/v1/nodes/no-such-node/drain", null, admin).status()).isEqualTo(404);
    }

    @Test
    void anAgentWithAWrongTokenIsRefused() {
        ApiClient agentClient = new ApiClient("http://localhost:" + port);
        Response r = agentClient.post("/agent/v1/register", json("node", "intruder", "cores", 4, "memoryMb", 1024), "vnn_forged");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.text("detail")).contains("node token");
        Response userToken = agentClient.post("/agent/v1/sync", json("node", "catie-rtx-1"), token);
        assertThat(userToken.status()).isEqualTo(401);
        assertThat(jdbc.sql("SELECT count(*) FROM nodes WHERE name = 'intruder'").query(Long.class).single()).isZero();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
