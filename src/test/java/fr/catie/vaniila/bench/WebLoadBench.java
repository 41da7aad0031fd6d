package fr.catie.vaniila.bench;

import static fr.catie.vaniila.support.ApiClient.json;

import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.PortalProcess;

/**
 * Bench command for the web workspace (not run by the build): the packaged portal with 10,000 jobs in
 * its database, and 50 logged-in browser sessions (form login, session cookie) asking for the
 * dashboard and the jobs list at the same time, over {@link java.net.http.HttpClient} from 50
 * threads. Prints p50/p95/max per page; a static stylesheet fetched under the same load is the anchor
 * (the machine is shared and noisy: compare ratios of one run). docs/benchmarks/web.md has the
 * command and the results. It checks only that every answer was a 200 with the page's heading.
 *
 * <p>Two loads: saturation (every session asks again as soon as it is answered) and paced (each session
 * waits {@code thinkMs} between pages, as people and the dashboard's 5 s refresh do).
 *
 * <p>Arguments: {@code [jobs=10000] [sessions=50] [rounds=20] [thinkMs=1000]}.
 */
public final class WebLoadBench {

    static final String PASSWORD = "Correct-Horse-Battery-9";

    public static void main(String[] args) throws Exception {
        int jobCount = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int thinkMs = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        Path home = Files.createTempDirectory("vaniila-webbench-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx--x--x"));
        String adminPassword = "Bench-boss-pass-1";
        int dbPort = freePort();
        try (PortalProcess portal = new PortalProcess(home, Map.of("VANIILA_ADMIN_PASSWORD", adminPassword,
                "VANIILA_LOCAL_VIRTUAL_NODES", "catie", "VANIILA_DATABASE_PORT", Integer.toString(dbPort),
                "VANIILA_DATABASE_FSYNC", "false",
                "VANIILA_ACCOUNTS_FIRST_UID", Integer.toString(4_000_000 + new java.util.Random().nextInt(1000) * 1000)))
                .start()) {
            ApiClient api = new ApiClient(portal.url());
            String admin = api.token("admin", adminPassword);
            awaitNodes(api, admin);

            // 1. One organisation, its users (each session a user of its own; every tenth an organisation admin).
            String org = "webbench";
            api.post("/api/v1/organisations", json("name", org), admin);
            String prefix = "wb" + java.util.UUID.randomUUID().toString().substring(0, 4);
            List<String> users = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                String user = prefix + "-" + i;
                ApiClient.Response r = api.post("/api/v1/users", json("username", user, "password", PASSWORD,
                        "organisation", org, "role", i % 10 == 0 ? "ORG_ADMIN" : "USER"), admin);
                if (r.status() != 201) {
                    throw new IllegalStateException(r.body());
                }
                users.add(user);
            }

            // 2. The jobs, through SQL: a history of mostly finished jobs, and a few held ones per user (active
            // jobs that the scheduler leaves alone, so that the database stays as written while we measure).
            long t0 = System.nanoTime();
            insertJobs(dbPort, org, users, jobCount);
            System.out.printf(Locale.ROOT, "setup: %d jobs inserted in %.1f s for %d users%n", jobCount,
                    (System.nanoTime() - t0) / 1e9, users.size());

            explain(dbPort, org, users);

            // 3. The sessions: a real form login each, as a browser does it.
            List<Session> all = new ArrayList<>();
            for (String user : users) {
                all.add(Session.login(portal.url(), user, PASSWORD));
            }

            Map<String, String> pages = new LinkedHashMap<>();
            pages.put("anchor: GET /css/jobs.css", "/css/jobs.css");
            pages.put("dashboard GET /", "/");
            pages.put("dashboard fragment GET /dashboard/jobs", "/dashboard/jobs");
            pages.put("jobs list GET /jobs", "/jobs");
            pages.put("jobs list, ended, page 3 GET /jobs?state=ended&page=3", "/jobs?state=ended&page=3");
            pages.put("jobs list, name search GET /jobs?name=epoch-7", "/jobs?name=epoch-7");
            ExecutorService pool = Executors.newFixedThreadPool(sessions);
            try {
                measure(pool, all, pages, 3, 0); // warm-up: JIT, caches, connection pools
                for (int run = 1; run <= 2; run++) {
                    int think = run == 1 ? 0 : thinkMs;
                    System.out.printf(Locale.ROOT, "run %d: %d sessions, %s%n", run, sessions,
                            think == 0 ? "saturation (no pause between pages)" : "paced (" + think + " ms between pages)");
                    Map<String, List<Long>> times = measure(pool, all, pages, rounds, think);
                    long anchor = pct(times.get("anchor: GET /css/jobs.css"), 95);
                    for (Map.Entry<String, List<Long>> e : times.entrySet()) {
                        List<Long> t = e.getValue();
                        System.out.printf(Locale.ROOT, "run %d: %-55s n=%5d p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms  p95/anchor %.1f%n",
                                run, e.getKey(), t.size(), pct(t, 50) / 1e3, pct(t, 95) / 1e3, pct(t, 100) / 1e3,
                                pct(t, 95) / (double) Math.max(1, anchor));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Every session asks for every page {@code rounds} times, all sessions at once (they start together on a
     * latch), pausing {@code thinkMs} on average before each page. Returns the latencies in microseconds per page.
     */
    static Map<String, List<Long>> measure(ExecutorService pool, List<Session> sessions, Map<String, String> pages,
            int rounds, int thinkMs) throws Exception {
        Map<String, List<Long>> times = new ConcurrentHashMap<>();
        pages.keySet().forEach(k -> times.put(k, Collections.synchronizedList(new ArrayList<>())));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (Session s : sessions) {
            done.add(pool.submit(() -> {
                start.await();
                java.util.Random random = new java.util.Random(s.hashCode());
                for (int r = 0; r < rounds; r++) {
                    for (Map.Entry<String, String> page : pages.entrySet()) {
                        if (thinkMs > 0) {
                            // Uniform around the mean, so that sessions do not march in step.
                            Thread.sleep(thinkMs / 2 + random.nextInt(thinkMs + 1));
                        }
                        long t = System.nanoTime();
                        HttpResponse<String> answer = s.get(page.getValue());
                        long micros = (System.nanoTime() - t) / 1000;
                        if (answer.statusCode() != 200) {
                            throw new IllegalStateException(page.getValue() + " answered " + answer.statusCode());
                        }
                        if (!page.getValue().startsWith("/css") && !answer.body().contains("</html>")
                                && !answer.body().contains("dash-live")) {
                            throw new IllegalStateException(page.getValue() + " is not the page: " + answer.body());
                        }
                        times.get(page.getKey()).add(micros);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        return new java.util.TreeMap<>(times);
    }

    static void insertJobs(int dbPort, String org, List<String> users, int count) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:postgresql://localhost:" + dbPort + "/postgres", "postgres", "")) {
            db.setAutoCommit(false);
            long orgId;
            try (var st = db.prepareStatement("SELECT id FROM organisations WHERE name = ?")) {
                st.setString(1, org);
                var rs = st.executeQuery();
                rs.next();
                orgId = rs.getLong(1);
            }
            List<Long> accounts = new ArrayList<>();
            try (var st = db.prepareStatement("SELECT id FROM accounts WHERE username = ANY (?) ORDER BY id")) {
                st.setArray(1, db.createArrayOf("text", users.toArray()));
                var rs = st.executeQuery();
                while (rs.next()) {
                    accounts.add(rs.getLong(1));
                }
            }
            String[] states = {"COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT"};
            try (PreparedStatement insert = db.prepareStatement("""
                    INSERT INTO jobs (organisation_id, account_id, name, queue, type, state, script, nodes, gpus_per_node,
                      gpu_flavor, walltime_s, held, submitted_at, started_at, ended_at, exit_code, workdir)
                    VALUES (?, ?, ?, 'gpu', 'BATCH', ?, '#!/bin/bash\npython train.py', 1, ?, ?, 3600, ?,
                      now() - make_interval(mins => ?), now() - make_interval(mins => ?), ?, ?, '/tmp')""")) {
                for (int i = 0; i < count; i++) {
                    long account = accounts.get(i % accounts.size());
                    // The newest three jobs of each user are held: active jobs for the dashboard.
                    boolean held = i >= count - 3 * accounts.size();
                    String state = held ? "HELD" : states[i % states.length];
                    int age = count - i; // minutes ago: older ids are older jobs
                    insert.setLong(1, orgId);
                    insert.setLong(2, account);
                    insert.setString(3, "train-epoch-" + (i % 97));
                    insert.setString(4, state);
                    insert.setInt(5, i % 3);
                    insert.setString(6, i % 3 == 0 ? null : "rtx2080ti-11g");
                    insert.setBoolean(7, held);
                    insert.setInt(8, age + 5);
                    insert.setInt(9, age + 4);
                    insert.setObject(10, held ? null : java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(60L * age)));
                    insert.setObject(11, held ? null : state.equals("COMPLETED") ? 0 : 1);
                    insert.addBatch();
                    if (i % 1000 == 999) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            try (var st = db.createStatement()) {
                st.execute("UPDATE jobs SET started_at = NULL WHERE state = 'HELD'");
                st.execute("ANALYZE jobs");
            }
            db.commit();
        }
    }

    /**
     * The database's own time for the queries behind the pages, as {@code Jobs.list} writes them (an organisation
     * admin's view: the whole organisation's 10,000 jobs), to tell the database's share from the rest.
     */
    static void explain(int dbPort, String org, List<String> users) throws Exception {
        String select = "SELECT j.*, o.name AS organisation, a.username AS username FROM jobs j "
                + "JOIN organisations o ON o.id = j.organisation_id JOIN accounts a ON a.id = j.account_id "
                + "WHERE TRUE AND j.organisation_id = (SELECT id FROM organisations WHERE name = '" + org + "') ";
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("dashboard: my active jobs", select + "AND j.account_id = (SELECT id FROM accounts WHERE username = '"
                + users.get(0) + "') AND j.state = ANY ('{PENDING,HELD,STARTING,RUNNING}'::text[]) ORDER BY j.id DESC LIMIT 20");
        // The same question as Jobs.list asked it before: by username through the join, for comparison.
        queries.put("dashboard, by username (old)", select + "AND a.username = '" + users.get(0)
                + "' AND j.state = ANY ('{PENDING,HELD,STARTING,RUNNING}'::text[]) ORDER BY j.id DESC LIMIT 20");
        queries.put("list: page 1", select + "ORDER BY j.id DESC LIMIT 51 OFFSET 0");
        queries.put("list: ended, page 3", select
                + "AND j.state = ANY ('{COMPLETED,FAILED,CANCELLED,TIMEOUT,NODE_FAIL,PREEMPTED}'::text[]) ORDER BY j.id DESC LIMIT 51 OFFSET 100");
        queries.put("list: name search", select + "AND strpos(lower(j.name), lower('epoch-7')) > 0 ORDER BY j.id DESC LIMIT 51");
        queries.put("list: page 100", select + "ORDER BY j.id DESC LIMIT 51 OFFSET 4950");
        try (Connection db = DriverManager.getConnection("jdbc:postgresql://localhost:" + dbPort + "/postgres", "postgres", "");
                var st = db.createStatement()) {
            for (Map.Entry<String, String> q : queries.entrySet()) {
                double best = Double.MAX_VALUE;
                String plan = "";
                for (int i = 0; i < 5; i++) {
                    var rs = st.executeQuery("EXPLAIN (ANALYZE, FORMAT TEXT) " + q.getValue());
                    StringBuilder text = new StringBuilder();
                    while (rs.next()) {
                        text.append(rs.getString(1)).append('\n');
                    }
                    Matcher m = Pattern.compile("Execution Time: ([0-9.]+) ms").matcher(text);
                    if (m.find() && Double.parseDouble(m.group(1)) < best) {
                        best = Double.parseDouble(m.group(1));
                        plan = text.toString();
                    }
                }
                String scan = plan.lines().filter(l -> l.contains(" on jobs")).map(String::trim).findFirst().orElse("");
                System.out.printf(Locale.ROOT, "sql: %-28s %6.2f ms (best of 5)  %s%n", q.getKey(), best,
                        scan.length() > 90 ? scan.substring(0, 90) : scan);
            }
        }
    }

    /** One logged-in browser session: its own cookies, its own connection. */
    record Session(HttpClient http, String base) {

        private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

        static Session login(String base, String user, String password) throws Exception {
            HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
            Session s = new Session(http, base);
            Matcher m = CSRF.matcher(s.get("/login").body());
            if (!m.find()) {
                throw new IllegalStateException("no CSRF token on the login page");
            }
            String form = "username=" + enc(user) + "&password=" + enc(password) + "&_csrf=" + enc(m.group(1));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 302 || r.headers().firstValue("Location").orElse("").contains("error")) {
                throw new IllegalStateException("login of " + user + " failed: " + r.statusCode() + " " + r.headers());
            }
            return s;
        }

        HttpResponse<String> get(String path) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    static void awaitNodes(ApiClient api, String admin) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            ApiClient.Response r = api.get("/api/v1/nodes", admin);
            if (r.status() == 200 && r.json().size() >= 7) {
                return;
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("the demo nodes did not register");
    }

    static long pct(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
