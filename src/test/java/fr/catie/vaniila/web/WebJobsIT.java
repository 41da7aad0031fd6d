package fr.catie.vaniila.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.BrowserIT;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The jobs pages in a real headless Chromium against a real portal and its virtual nodes: submit
 * from a template, watch the log arrive live, download it; an impossible request explained beside
 * its field; a lowered quota seen on the dashboard with the next job waiting for it; another
 * organisation's job is a 404; the dashboard in French; why a job ended and its timeline in French, the API's
 * English unchanged. Screenshots in target/screenshots/webjobs-*.
 */
class WebJobsIT extends BrowserIT {

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    @Test
    void aUserSubmitsFromATemplateWatchesTheLogLiveAndDownloadsIt() throws Exception {
        String org = unique("webjobs");
        String user = unique("alice");
        String token = orgWithUser(org, user, "USER");
        awaitNodes();
        browser.login(user, USER_PASSWORD);
        assertThat(browser.text("#no-jobs")).contains("no job running or waiting");

        browser.click("nav a[href='/jobs/new']");
        assertThat(browser.text("h1")).isEqualTo("Submit a job");
        browser.click("button.template[data-template='plain']");
        assertThat(browser.find("#script").getDomProperty("value")).startsWith("#!/bin/bash").contains("step $step of 3");
        // Flavors show what is free now, from the cluster's 25 GPUs.
        assertThat(browser.text("#gpuFlavor")).contains("v100-16g").contains("free now");
        fullPage("webjobs-01-submit-template");

        // A script of our own, slow enough to be watched while it runs.
        browser.type("#script", "#!/bin/bash\necho \"first line <b>not bold</b>\"\nsleep 8\necho \"second line\"\n"
                + "sleep 2\necho \"last line\"\n");
        browser.type("#name", "live-log");
        browser.type("#walltime", "10m");
        browser.click("button.submit-button");
        browser.waitFor(d -> d.getCurrentUrl().matches(".*/jobs/\\d+$"));
        long id = Long.parseLong(browser.driver().getCurrentUrl().replaceAll(".*/jobs/", ""));
        assertThat(browser.text("h1")).contains("Job " + id).contains("live-log");

        // The first line shows while the job still runs: it came over the live stream, not a reload.
        browser.waitFor(d -> d.findElement(By.id("log")).getText().contains("first line"));
        assertThat(api.get("/api/v1/jobs/" + id, token).text("state")).isEqualTo("RUNNING");
        assertThat(browser.text("#log")).doesNotContain("last line");
        // Log output is text: the markup a job prints is shown, not interpreted.
        assertThat(browser.text("#log")).contains("<b>not bold</b>");
        assertThat(browser.driver().findElements(By.cssSelector("#log b"))).isEmpty();
        fullPage("webjobs-02-job-running-log");

        // Search keeps only the matching lines, highlighted.
        browser.click("#log-only");
        browser.type("#log-search", "first");
        assertThat(browser.text("#log mark")).contains("first line");

        // First the portal (scheduler and agents, slow on a loaded machine), then the page, which must follow within its polls.
        awaitState(token, id, java.time.Duration.ofSeconds(90), "COMPLETED");
        browser.waitFor(d -> d.findElement(By.cssSelector("#job-status")).getDomAttribute("data-state").equals("COMPLETED"));
        browser.type("#log-search", "");
        browser.click("#log-only");
        browser.waitFor(d -> d.findElement(By.id("log")).getText().contains("last line"));
        assertThat(browser.text("#log-state")).contains("whole output");
        assertThat(browser.text("#timeline")).contains("completed").contains("running");
        assertThat(browser.text("#exit-code")).isEqualTo("0");
        fullPage("webjobs-03-job-completed-log");

        // The download link gives the whole stdout as a file, to the logged-in session only.
        HttpResponse<String> file = get("/jobs/" + id + "/log/download?stream=stdout", sessionCookie());
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("Content-Disposition").orElse(""))
                .contains("attachment").contains("job-" + id + ".out");
        assertThat(file.body()).isEqualTo("first line <b>not bold</b>\nsecond line\nlast line\n");
        assertThat(get("/jobs/" + id + "/log/download?stream=stdout", null).statusCode()).as("no session").isEqualTo(302);

        // The list shows the job, newest first, and finds it by name.
        browser.click("nav a[href='/jobs']");
        assertThat(browser.text("tr[data-job='" + id + "']")).contains("live-log").contains("completed");
        browser.type("#f-name", "LIVE");
        browser.click("form.filters button[type=submit]");
        browser.waitFor(d -> d.getCurrentUrl().contains("name=LIVE"));
        assertThat(browser.driver().findElements(By.cssSelector("#jobs tbody tr"))).hasSize(1);
        new Select(browser.find("#f-state")).selectByValue("RUNNING");
        browser.click("form.filters button[type=submit]");
        assertThat(browser.text("#no-jobs")).contains("No job matches");
        browser.open("/jobs");
        fullPage("webjobs-04-jobs-list");

        // What it used, as its node measured it during its 10 s of sleeps: next to nothing of its core.
        browser.open("/jobs/" + id);
        assertThat(browser.text("#efficiency")).containsPattern("CPU\\s+\\d+ % of its \\d+ core\\(s\\) over its run "
                + "time \\(CPU time \\d\\.\\d s\\)").containsPattern("Memory\\s+\\d+ %: at most \\d+ MB of its [\\d.]+ GB");

        // Resubmit pre-fills the form with the job as it was submitted.
        browser.click("#resubmit");
        assertThat(browser.text("h1")).isEqualTo("Submit job " + id + " again");
        assertThat(browser.find("#script").getDomProperty("value")).contains("echo \"last line\"");
        assertThat(browser.find("#name").getDomProperty("value")).isEqualTo("live-log");
        assertThat(browser.find("#walltime").getDomProperty("value")).isEqualTo("00:10:00");

        // A task of an array comes back as its whole array, and the form says how to run the task alone.
        var tasks = api.post("/api/v1/jobs", "{\"name\": \"arr\", \"script\": \"echo $SLURM_ARRAY_TASK_ID\", "
                + "\"array\": \"0-3%2\", \"hold\": true}", token).json().get("taskIds");
        long task = tasks.get(1).asLong();
        browser.open("/jobs/new?from=" + task);
        assertThat(browser.find("#array").getDomProperty("value")).isEqualTo("0-3%2");
        assertThat(browser.text("#array-task")).isEqualTo("Job " + task + " is task 1 of array " + tasks.get(0).asLong()
                + ": the form holds the whole array; write 1 to run that task alone.");
        for (var t : tasks) {
            api.post("/api/v1/jobs/" + t.asLong() + "/cancel", null, token);
        }
    }

    @Test
    void anImpossibleRequestShowsItsReasonBesideTheFieldAndKeepsTheScript() {
        String user = unique("bob");
        orgWithUser(unique("webjobs"), user, "USER");
        awaitNodes();
        browser.login(user, USER_PASSWORD);
        browser.open("/jobs/new");
        String script = "#!/bin/bash\npython train.py --epochs 3\n";
        browser.type("#script", script);
        browser.type("#gpusPerNode", "5");
        new Select(browser.find("#gpuFlavor")).selectByValue("v100-16g");
        browser.click("button.submit-button");

        assertThat(browser.text("#err-gpusPerNode")).contains("needs 5 x v100-16g on one node")
                .contains("has 4").contains("ask for fewer GPUs per node");
        assertThat(browser.find("#gpusPerNode").getDomAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#script").getDomProperty("value")).isEqualTo(script);
        assertThat(new Select(browser.find("#gpuFlavor")).getFirstSelectedOption().getDomAttribute("value")).isEqualTo("v100-16g");
        fullPage("webjobs-05-submit-impossible");

        browser.type("#gpusPerNode", "1");
        browser.type("#walltime", "soon");
        browser.click("button.submit-button");
        assertThat(browser.text("#err-walltime")).contains("Invalid wall time 'soon'");
        assertThat(browser.find("#script").getDomProperty("value")).isEqualTo(script);

        // In French the module's refusal is said in French; the API keeps its English.
        browser.open("/jobs/new?lang=fr");
        browser.type("#script", script);
        browser.type("#walltime", "soon");
        browser.submit("button.submit-button");
        assertThat(browser.text("#err-walltime")).contains("Durée maximale « soon » invalide : écrivez par exemple 30");
        assertThat(browser.find("#script").getDomProperty("value")).isEqualTo(script);
        browser.open("/jobs/new?lang=en");
        assertThat(api.get("/api/v1/jobs", api.token(user, USER_PASSWORD)).json().size()).as("nothing submitted").isZero();
    }

    @Test
    void aLoweredQuotaShowsOnTheDashboardAndTheNextJobWaitsForIt() {
        String org = unique("webquota");
        String user = unique("carol");
        String token = orgWithUser(org, user, "USER");
        awaitNodes();
        browser.login(user, USER_PASSWORD);
        String row = "#quota tr[data-flavor='rtx2080ti-11g']";
        assertThat(browser.text(row + " .borrow")).isEqualTo("1000");

        // The admin lowers the quota through the API; the dashboard refreshes itself.
        ApiClient.Response set = api.put("/api/v1/quotas/" + org, "{\"fairShareWeight\": 1, \"flavors\": {\"rtx2080ti-11g\": "
                + "{\"guaranteedGpus\": 1, \"borrowLimit\": 0}}}", adminToken());
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        browser.waitFor(d -> d.findElement(By.cssSelector(row + " .borrow")).getText().equals("0"));
        assertThat(browser.text(row + " .guaranteed")).isEqualTo("1");

        String job = "{\"name\": \"%s\", \"script\": \"sleep 120\", \"gpusPerNode\": 1, \"gpuFlavor\": \"rtx2080ti-11g\"}";
        long first = submit(token, String.format(job, "holds-the-gpu"));
        long second = 0;
        try {
            awaitState(token, first, Duration.ofSeconds(30), "RUNNING");
            second = submit(token, String.format(job, "waits-for-quota"));
            String waiting = "li.job-card[data-job='" + second + "']";
            browser.waitFor(d -> d.findElement(By.cssSelector(waiting + " .reason-code")).getText().equals("Waiting for quota"));
            // After the reason's code, the job's own numbers (the API's reason has the whole sentence).
            assertThat(browser.text(waiting + " .reason-text")).isEqualTo(org
                    + " holds 1 x rtx2080ti-11g of at most 1 (guarantee 1 + borrowing 0) and this job needs 1 more");
            assertThat(browser.text(waiting)).contains("position");
            browser.waitFor(d -> d.findElement(By.cssSelector(row + " .in-use")).getText().equals("1 of 1"));
            assertThat(browser.text("li.job-card[data-job='" + first + "']")).contains("running");
            // The map shows the GPU held by the organisation's job as its own.
            browser.waitFor(d -> d.findElements(By.cssSelector("#cluster-map .gpus .gpu-cell.busy.mine")).size() == 1);
            fullPage("webjobs-06-dashboard-quota");
            browser.phoneWidth();
            fullPage("webjobs-07-dashboard-phone");
            browser.desktopWidth();

            browser.submit(".lang a[hreflang='fr']");
            assertThat(browser.text("h1")).isEqualTo("Tableau de bord");
            assertThat(browser.text(waiting + " .reason-code")).isEqualTo("En attente de quota");
            // The scheduler's sentence too, with the job's numbers.
            assertThat(browser.text(waiting + " .reason-text")).isEqualTo(org
                    + " occupe 1 x rtx2080ti-11g sur au plus 1 (garantis 1 + emprunt 0) et cette tâche en demande 1 de plus");
            assertThat(browser.text("#myjobs-h")).isEqualTo("Mes tâches en cours et en attente");
            assertThat(browser.text(row + " .in-use")).isEqualTo("1 sur 1");
            fullPage("webjobs-08-dashboard-fr");
            browser.open("/jobs/new");
            assertThat(browser.text("label[for='gpusPerNode']")).isEqualTo("GPU par nœud");
            browser.open("/jobs/" + second);
            assertThat(browser.text("#pending .reason-code")).isEqualTo("En attente de quota");
            assertThat(browser.text("#pending .reason-text")).startsWith(org + " occupe 1 x");
            browser.submit(".lang a[hreflang='en']");
            // Cancel from the page: a POST with the form's CSRF token.
            browser.submit("#cancel");
            assertThat(browser.text(".flash.success")).isEqualTo("Job " + second + " is cancelled.");
            assertThat(browser.find("#job-status").getDomAttribute("data-state")).isEqualTo("CANCELLED");
        } finally {
            api.post("/api/v1/jobs/" + first + "/cancel", null, token);
            if (second != 0) {
                api.post("/api/v1/jobs/" + second + "/cancel", null, token);
            }
        }
    }

    @Test
    void anEndedJobsReasonAndTimelineReadInFrenchWhileTheApiKeepsItsEnglish() {
        String user = unique("erin");
        String token = orgWithUser(unique("webend"), user, "USER");
        awaitNodes();
        long failed = submit(token, "{\"name\": \"fails\", \"script\": \"#!/bin/bash\\nexit 1\\n\"}");
        long held = submit(token, "{\"name\": \"never-runs\", \"script\": \"hostname\", \"hold\": true}");
        ApiClient.Response ended = awaitState(token, failed, Duration.ofSeconds(90), "FAILED");
        assertThat(ended.text("endReason")).isEqualTo("exit code 1");
        assertThat(ended.json().has("endPhrase")).as("the phrase is for the pages").isFalse();

        browser.login(user, USER_PASSWORD);
        browser.open("/jobs/" + failed + "?lang=fr");
        assertThat(browser.text("#end-reason")).isEqualTo("code de sortie 1");
        assertThat(browser.text("#timeline")).contains("soumise").contains("code de sortie 1")
                .doesNotContain("submitted").doesNotContain("exit code");
        fullPage("webjobs-10-job-failed-fr");

        // Cancelled from the French page: who cancelled it, in French; the API says it in English.
        browser.open("/jobs/" + held);
        browser.submit("#cancel");
        assertThat(browser.find("#job-status").getDomAttribute("data-state")).isEqualTo("CANCELLED");
        assertThat(browser.text("#end-reason")).isEqualTo("annulée par " + user);
        assertThat(browser.text("#timeline")).contains("soumise et suspendue").contains("annulée par " + user);
        assertThat(api.get("/api/v1/jobs/" + held, token).text("endReason")).isEqualTo("cancelled by " + user);
        ApiClient.Response timeline = api.get("/api/v1/jobs/" + held + "/timeline", token);
        assertThat(timeline.json().size()).as(timeline.body()).isEqualTo(2);
        assertThat(timeline.json().get(0).get("detail").asString()).isEqualTo("submitted held");
        assertThat(timeline.json().get(1).get("detail").asString()).isEqualTo("cancelled by " + user);
        assertThat(timeline.json().get(1).has("detailPhrase")).as("the phrase is for the pages").isFalse();

        // A job that ended before its reason was kept as a phrase (rows older than V7) shows the English it has.
        jdbc.sql("UPDATE jobs SET end_phrase = NULL WHERE id = ?").param(failed).update();
        jdbc.sql("UPDATE job_transitions SET detail_phrase = NULL WHERE job_id = ?").param(failed).update();
        browser.open("/jobs/" + failed);
        assertThat(browser.text("#end-reason")).isEqualTo("exit code 1");
        assertThat(browser.text("#timeline")).contains("submitted").contains("exit code 1");
    }

    @Autowired
    JdbcClient jdbc;

    @Test
    void aTrainingJobsPageChartsItsMetricsAndThePlatformAdminSeesWhoHoldsEachGpu() {
        String org = unique("webtrain");
        String user = unique("frank");
        String token = orgWithUser(org, user, "USER");
        awaitNodes();
        // A held training job: its page is the real one; its metrics are written as the agents write them
        // (one JSON object per record in job_metrics), without the minutes a real training run takes here.
        long id = submit(token, "{\"type\": \"training\", \"queue\": \"cpu\", \"ranks\": 2, \"hold\": true, "
                + "\"training\": {\"dataset\": \"digits\", \"model\": \"mlp\", \"epochs\": 3}}");
        for (int step = 1; step <= 30; step++) {
            String record = String.format(java.util.Locale.ROOT,
                    "{\"step\": %d, \"epoch\": %.3f, \"loss\": %.4f, \"accuracy\": %.4f, \"samples_per_s\": %.1f}",
                    step, step / 10.0, 2.3 / step, 1 - 0.9 / step, 4000.0 + 10 * step);
            jdbc.sql("INSERT INTO job_metrics (job_id, run, at, data) VALUES (?, 0, now(), ?::jsonb)").params(id, record).update();
            if (step % 10 == 0) {
                jdbc.sql("INSERT INTO job_metrics (job_id, run, at, data) VALUES (?, 0, now(), ?::jsonb)")
                        .params(id, "{\"step\": " + step + ", \"epoch\": " + step / 10 + ", \"test_accuracy\": 0.9" + step / 10 + "}")
                        .update();
            }
        }
        browser.login(user, USER_PASSWORD);
        browser.open("/jobs/" + id);
        assertThat(browser.text("#fields-h")).isEqualTo("Job");
        assertThat(browser.text("#pending .reason-code")).isEqualTo("Held");
        for (String chart : new String[] {"#chart-loss", "#chart-accuracy", "#chart-throughput"}) {
            browser.find(chart + " canvas");
        }
        assertThat(browser.text("#chart-accuracy")).contains("Training accuracy").contains("Test accuracy");
        assertThat(browser.text("#charts-state")).isEmpty();
        fullPage("webjobs-09-training-charts");

        // Resubmit gives the training parameters back as JSON, ranks included.
        browser.click("#resubmit");
        assertThat(new Select(browser.find("#type")).getFirstSelectedOption().getDomAttribute("value")).isEqualTo("training");
        assertThat(browser.find("#script").getDomProperty("value")).contains("\"dataset\"").contains("\"ranks\" : 2");
        api.post("/api/v1/jobs/" + id + "/cancel", null, token);

        // The platform admin's map names the organisation holding a GPU.
        long running = submit(token, "{\"script\": \"sleep 60\", \"gpusPerNode\": 1, \"gpuFlavor\": \"titanrtx-24g\"}");
        try {
            awaitState(token, running, Duration.ofSeconds(30), "RUNNING");
            browser.click("form.logout button");
            browser.login(ADMIN, ADMIN_PASSWORD);
            browser.waitFor(d -> d.findElement(By.cssSelector("article[data-node='catie-titan-1'] .gpu-cell"))
                    .getText().contains(org));
            assertThat(browser.find("article[data-node='catie-titan-1'] .gpu-cell").getDomAttribute("data-org")).isEqualTo(org);
        } finally {
            api.post("/api/v1/jobs/" + running + "/cancel", null, token);
        }
    }

    @Test
    void anotherOrganisationsJobIsNotFoundOnEveryJobPage() throws Exception {
        String victimToken = orgWithUser(unique("victim"), unique("dave"), "USER");
        long job = submit(victimToken, "{\"script\": \"echo secret-output\", \"name\": \"victim-job\"}");
        String intruder = unique("eve");
        orgWithUser(unique("intruder"), intruder, "ORG_ADMIN");
        browser.login(intruder, USER_PASSWORD);
        browser.open("/jobs/" + job);
        assertThat(browser.text("main")).contains("This page does not exist.").doesNotContain("victim-job");
        String cookie = sessionCookie();
        for (String path : new String[] {"/jobs/" + job, "/jobs/" + job + "/status", "/jobs/" + job + "/metrics",
                "/jobs/" + job + "/log/download?stream=stdout", "/jobs/" + job + "/log/stream",
                "/jobs/new?from=" + job}) {
            HttpResponse<String> r = get(path, cookie);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).doesNotContain("secret-output").doesNotContain("victim-job");
        }
        browser.open("/jobs?name=victim");
        assertThat(browser.text("#no-jobs")).contains("No job matches");
        browser.open("/jobs?user=" + "dave");
        assertThat(browser.driver().findElements(By.cssSelector("tr[data-job='" + job + "']"))).isEmpty();
    }

    /** A screenshot of the whole page at the window's width: the window grows to the page's height, then shrinks back. */
    private void fullPage(String name) {
        org.openqa.selenium.Dimension before = browser.driver().manage().window().getSize();
        Object height = ((org.openqa.selenium.JavascriptExecutor) browser.driver())
                .executeScript("return document.documentElement.scrollHeight;");
        int pageHeight = Math.min(4000, ((Number) height).intValue() + 140); // plus the window's own bars
        browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(before.getWidth(),
                Math.max(before.getHeight(), pageHeight)));
        browser.screenshot(name);
        browser.driver().manage().window().setSize(before);
    }

    private String sessionCookie() {
        return "JSESSIONID=" + browser.driver().manage().getCookieNamed("JSESSIONID").getValue();
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
