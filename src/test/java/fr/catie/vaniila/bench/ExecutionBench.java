package fr.catie.vaniila.bench;

import static fr.catie.vaniila.support.ApiClient.json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.PortalProcess;

/**
 * Bench command for job execution through the packaged portal on its embedded PostgreSQL with the
 * demo inventory of virtual nodes: (1) sustained REST submissions per second, (2) trivial jobs run
 * end to end per second through the in-process agents, (3) submit-to-running latency on an idle
 * cluster. Prints a Markdown table. Usage (after {@code ./mvnw -DskipTests package}):
 * <pre>java -cp target/test-classes:target/classes:$(cat target/classpath.txt) fr.catie.vaniila.bench.ExecutionBench [submissions] [threads] [jobs] [latencySamples]</pre>
 */
public final class ExecutionBench {

    public static void main(String[] args) throws Exception {
        int submissions = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int jobs = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int samples = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        Path home = Files.createTempDirectory("vaniila-bench-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx--x--x"));
        String password = "Bench-boss-pass-1";
        try (PortalProcess portal = new PortalProcess(home, Map.of("VANIILA_ADMIN_PASSWORD", password,
                "VANIILA_LOCAL_VIRTUAL_NODES", "catie", "VANIILA_SCHEDULING_INTERVAL", "500ms",
                "VANIILA_ACCOUNTS_FIRST_UID", Integer.toString(3_000_000 + new java.util.Random().nextInt(1000) * 1000)))
                .start()) {
            ApiClient api = new ApiClient(portal.url());
            String admin = api.token("admin", password);
            awaitNodes(api, admin);
            // Unix accounts outlive a run: a name of its own, away from earlier runs' uids.
            String user = "bench-" + java.util.UUID.randomUUID().toString().substring(0, 6);
            api.post("/api/v1/organisations", json("name", "bench"), admin);
            api.post("/api/v1/users", json("username", user, "password", "Correct-Horse-Battery-9", "organisation", "bench"), admin);
            String token = api.token(user, "Correct-Horse-Battery-9");

            // 1. Sustained submissions: held jobs, so that only the REST path and PostgreSQL are measured.
            submitMany(api, token, 200, threads, true); // warm-up
            long t0 = System.nanoTime();
            submitMany(api, token, submissions, threads, true);
            double submitSeconds = (System.nanoTime() - t0) / 1e9;

            // 2. Trivial jobs end to end: CPU jobs of one core that run `true`.
            List<Long> ids = new ArrayList<>();
            long t1 = System.nanoTime();
            ids.addAll(submitMany(api, token, jobs, threads, false));
            awaitAll(api, token, ids);
            double runSeconds = (System.nanoTime() - t1) / 1e9;

            // 3. Submit-to-running latency on an idle cluster, one job at a time.
            List<Double> latencies = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                long id = api.post("/api/v1/jobs", json("script", "sleep 1", "gpusPerNode", 1), token).json().get("id").asLong();
                awaitAll(api, token, List.of(id));
                var timeline = api.get("/api/v1/jobs/" + id + "/timeline", token).json();
                Instant submitted = null;
                Instant running = null;
                for (var t : timeline) {
                    if (t.get("to").asString().equals("PENDING") && submitted == null) {
                        submitted = Instant.parse(t.get("at").asString());
                    }
                    if (t.get("to").asString().equals("RUNNING") && running == null) {
                        running = Instant.parse(t.get("at").asString());
                    }
                }
                latencies.add(Duration.between(submitted, running).toNanos() / 1e6);
            }
            Collections.sort(latencies);
            System.out.println("| measure | value |");
            System.out.println("| --- | --- |");
            System.out.printf("| REST submissions (%d held jobs, %d client threads) | %.0f submissions/s |%n", submissions, threads,
                    submissions / submitSeconds);
            System.out.printf("| trivial jobs end to end (%d x `true`, 1 core, through the in-process agents) | %.1f jobs/s |%n",
                    jobs, jobs / runSeconds);
            System.out.printf("| submit-to-running latency, idle cluster (%d samples) | p50 %.0f ms, p99 %.0f ms |%n",
                    samples, latencies.get(latencies.size() / 2), latencies.get(Math.min(latencies.size() - 1,
                            (int) Math.ceil(latencies.size() * 0.99) - 1)));
        }
    }

    static List<Long> submitMany(ApiClient api, String token, int n, int threads, boolean held) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger failures = new AtomicInteger();
        List<Future<Long>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(pool.submit(() -> {
                var r = api.post("/api/v1/jobs", json("script", "true", "queue", "cpu", "hold", held), token);
                if (r.status() != 201) {
                    failures.incrementAndGet();
                    return -1L;
                }
                return r.json().get("id").asLong();
            }));
        }
        List<Long> ids = new ArrayList<>();
        for (Future<Long> f : futures) {
            ids.add(f.get());
        }
        pool.shutdown();
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " submissions failed");
        }
        return ids;
    }

    static void awaitAll(ApiClient api, String token, List<Long> ids) throws InterruptedException {
        for (long id : ids) {
            while (true) {
                String state = api.get("/api/v1/jobs/" + id, token).text("state");
                if (state.equals("COMPLETED")) {
                    break;
                }
                if (state.equals("FAILED") || state.equals("CANCELLED")) {
                    throw new IllegalStateException("job " + id + " " + state + ": " + api.get("/api/v1/jobs/" + id, token).text("endReason"));
                }
                Thread.sleep(50);
            }
        }
    }

    static void awaitNodes(ApiClient api, String admin) throws InterruptedException {
        while (api.get("/api/v1/nodes", admin).json().size() < 7) {
            Thread.sleep(200);
        }
    }
}
