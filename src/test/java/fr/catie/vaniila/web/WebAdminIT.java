package fr.catie.vaniila.web;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.stream.StreamSupport;

import tools.jackson.databind.JsonNode;
import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.BrowserIT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The administration pages in a real headless Chromium against a whole portal: quotas, queues,
 * nodes (drain, resume, tokens), usage with its CSV, the audit log, and what an organisation admin
 * may and may not see. Screenshots under target/screenshots/admin-*.png.
 */
class WebAdminIT extends BrowserIT {

    /** The demo inventory's only titanrtx-24g node: draining it leaves jobs of that flavor nowhere to go. */
    private static final String TITAN_NODE = "catie-titan-1";

    @AfterEach
    void screenshotLastScreen(org.junit.jupiter.api.TestInfo test) {
        if (browser != null) {
            // The last screen of every journey, failed or not: what a reviewer opens first when one fails.
            browser.screenshot("admin-last-" + test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("test"));
        }
    }

    @Test
    void platformAdminManagesQuotasQueuesAndNodesAndReadsUsageAndAudit() throws Exception {
        String org = unique("adminco");
        String user = unique("adminuser");
        String userToken = orgWithUser(org, user, "USER");
        awaitNodes();
        String admin = adminToken();

        browser.login(ADMIN, ADMIN_PASSWORD);
        assertThat(browser.text("h1")).isEqualTo("Dashboard");

        // Quotas: lower the organisation's v100 GPUs from the platform default (0 + borrow 1000) to 2 + 0.
        browser.open("/admin/quotas");
        assertThat(browser.text("h1")).isEqualTo("Quotas and budgets");
        assertThat(browser.text("section[data-org='" + org + "'] tr[data-flavor='v100-16g'] .borrow")).isEqualTo("1000");
        browser.click("section[data-org='" + org + "'] a.admin-button");
        assertThat(browser.text("h1")).isEqualTo("Quota of " + org);
        browser.type("tr[data-flavor='v100-16g'] input[name=guaranteed]", "2");
        browser.type("tr[data-flavor='v100-16g'] input[name=borrow]", "0");
        browser.type("#gpuHoursPerMonth", "250");
        browser.submit("#quota-form button[type=submit]");
        assertThat(browser.text(".flash.success")).isEqualTo("The quota of " + org
                + " is saved; the scheduler applies it from its next cycle.");
        JsonNode stored = api.get("/api/v1/quotas/" + org, admin).json();
        assertThat(stored.at("/flavors/v100-16g/guaranteedGpus").asInt()).isEqualTo(2);
        assertThat(stored.at("/flavors/v100-16g/borrowLimit").asInt()).isEqualTo(0);
        assertThat(stored.get("gpuHoursPerMonth").asDouble()).isEqualTo(250.0);
        assertThat(browser.text("section[data-org='" + org + "'] tr[data-flavor='v100-16g'] .guaranteed")).startsWith("2");
        assertThat(browser.text("section[data-org='" + org + "'] tr[data-flavor='v100-16g'] .borrow")).isEqualTo("0");
        assertThat(browser.text("section[data-org='" + org + "'] .budget")).contains("0.00 of 250.00 spent");

        // The lowered quota binds: with its 2 v100 held, the organisation's next v100 job waits for quota,
        // and the quotas page shows the 2 in use.
        long holder = submit(userToken, json("name", "holder", "script", "sleep 600", "gpusPerNode", 2,
                "gpuFlavor", "v100-16g", "walltime", "5m"));
        awaitState(userToken, holder, Duration.ofSeconds(60), "RUNNING");
        long next = submit(userToken, json("name", "next", "script", "true", "gpusPerNode", 1, "gpuFlavor", "v100-16g",
                "walltime", "5m"));
        assertThat(awaitReason(userToken, next, "QUOTA").text("reason")).contains("quota");
        assertThat(api.post("/api/v1/jobs", json("script", "true", "gpusPerNode", 3, "gpuFlavor", "v100-16g"), userToken)
                .status()).isEqualTo(422);
        browser.open("/admin/quotas");
        assertThat(browser.text("section[data-org='" + org + "'] tr[data-flavor='v100-16g'] .in-use")).isEqualTo("2");
        assertThat(browser.text("section[data-org='" + org + "'] .cpu")).doesNotStartWith("0 in use");
        browser.screenshot("admin-01-quotas");
        api.post("/api/v1/jobs/" + next + "/cancel", "{}", userToken);
        api.post("/api/v1/jobs/" + holder + "/cancel", "{}", userToken);
        awaitState(userToken, holder, Duration.ofSeconds(60), "CANCELLED");

        // Bad values: each shows its message beside its field, and nothing is stored.
        browser.click("section[data-org='" + org + "'] a.admin-button");
        browser.type("tr[data-flavor='v100-16g'] input[name=guaranteed]", "-1");
        browser.type("#cpuCores", "many");
        browser.submit("#quota-form button[type=submit]");
        assertThat(browser.text(".flash.error")).contains("Some values are not right");
        assertThat(browser.text("#cpuCores-error")).isEqualTo("\u201cmany\u201d is not a whole number: write digits only, e.g. 4.");
        browser.type("#cpuCores", "64");
        browser.click("#quota-form button[type=submit]");
        assertThat(browser.text("tr[data-flavor='v100-16g'] .field-error"))
                .isEqualTo("guaranteedGpus and borrowLimit of 'v100-16g' must be 0 or more.");
        assertThat(browser.find("tr[data-flavor='v100-16g'] input[name=guaranteed]").getAttribute("aria-invalid")).isEqualTo("true");
        // What was typed stays in the form, so that only the wrong value needs changing.
        assertThat(browser.find("#cpuCores").getAttribute("value")).isEqualTo("64");
        browser.screenshot("admin-02-quota-bad-value");
        assertThat(api.get("/api/v1/quotas/" + org, admin).json().at("/flavors/v100-16g/guaranteedGpus").asInt()).isEqualTo(2);
        assertThat(api.get("/api/v1/quotas/" + org, admin).json().get("cpuCores").isNull()).isTrue();

        // Queues: a bad wall time range is refused with its message, then the queue is created, edited, deleted.
        String queue = unique("q").toLowerCase(Locale.ROOT);
        // In French, the queues module's refusal is said in French.
        browser.open("/admin/queues?lang=fr");
        browser.type("#q-name", queue);
        browser.type("#q-default-wt", "2h");
        browser.type("#q-max-wt", "30m");
        browser.submit("#queue-form button[type=submit]");
        assertThat(browser.text("#q-max-wt-error")).isEqualTo("La durée maximale doit être au moins la durée par défaut.");
        browser.open("/admin/queues?lang=en");
        assertThat(browser.text("#queues")).contains("gpu").contains("interactive");
        browser.type("#q-name", queue);
        browser.type("#q-default-wt", "2h");
        browser.type("#q-max-wt", "30m");
        browser.type("#q-gpus", "2");
        browser.click("#q-flavors input[value='rtx2080ti-11g']");
        browser.click("#q-orgs input[value='" + org + "']");
        browser.click("#queue-form button[type=submit]");
        assertThat(browser.text("#q-max-wt-error")).isEqualTo("maxWalltime must be at least defaultWalltime.");
        // The checked boxes stay checked.
        assertThat(browser.find("#q-orgs input[value='" + org + "']").isSelected()).isTrue();
        browser.type("#q-max-wt", "2-00:00:00");
        browser.submit("#queue-form button[type=submit]");
        assertThat(browser.text(".flash.success")).isEqualTo("Queue " + queue + " created.");
        assertThat(browser.text("tr[data-queue='" + queue + "']")).contains("02:00:00 (max 2-00:00:00)")
                .contains("rtx2080ti-11g").contains(org);
        browser.screenshot("admin-03-queues");

        browser.click("tr[data-queue='" + queue + "'] a");
        assertThat(browser.text("h1")).isEqualTo("Queue " + queue);
        assertThat(browser.find("#q-flavors input[value='rtx2080ti-11g']").isSelected()).isTrue();
        browser.type("#q-gpus", "1");
        browser.click("#q-preemptible");
        browser.submit("#queue-form button[type=submit]");
        assertThat(browser.text(".flash.success")).isEqualTo("Queue " + queue + " saved.");
        assertThat(browser.text("tr[data-queue='" + queue + "'] .max-gpus")).isEqualTo("1");
        JsonNode q = api.get("/api/v1/queues/" + queue, admin).json();
        assertThat(q.get("maxGpusPerJob").asInt()).isEqualTo(1);
        assertThat(q.get("preemptible").asBoolean()).isTrue();
        assertThat(q.get("maxWalltimeSeconds").asLong()).isEqualTo(Duration.ofDays(2).toSeconds());
        assertThat(q.get("organisations")).extracting(JsonNode::asString).containsExactly(org);

        browser.click("tr[data-queue='" + queue + "'] button.danger");
        browser.waitFor(ExpectedConditions.alertIsPresent()).accept();
        assertThat(browser.text(".flash.success")).isEqualTo("Queue " + queue + " deleted.");
        assertThat(api.get("/api/v1/queues/" + queue, admin).status()).isEqualTo(404);

        // Nodes: drain the only titan node; a titan job then waits; resume it and the job runs.
        browser.open("/admin/nodes");
        assertThat(browser.text("tr[data-node='" + TITAN_NODE + "'] .state")).isEqualTo("up");
        // How the node's agent holds jobs, in words, as its registration said (this machine's cgroups, if any).
        String limits = StreamSupport.stream(api.get("/api/v1/nodes", admin).json().spliterator(), false)
                .filter(n -> n.get("name").asString().equals(TITAN_NODE)).findFirst().orElseThrow()
                .get("jobLimits").asString();
        assertThat(browser.text("tr[data-node='" + TITAN_NODE + "'] .job-limits")).isEqualTo(switch (limits) {
            case "cgroup-v2" -> "memory and cores (cgroup v2)";
            case "cgroup-v1" -> "memory and cores (cgroup v1)";
            case "none" -> "none: a job can take all of the node\u2019s memory and cores (the agent\u2019s log says why)";
            default -> throw new AssertionError("unknown job limits " + limits);
        });
        assertThat(browser.driver().findElements(By.cssSelector("tr[data-node='" + TITAN_NODE + "'] .gpu-isolation")))
                .as("virtual GPUs have no device").isEmpty();
        browser.type("#reason-" + TITAN_NODE, "fan replacement");
        browser.submit("tr[data-node='" + TITAN_NODE + "'] form.drain button");
        assertThat(browser.text(".flash.success")).startsWith("Node " + TITAN_NODE + " is draining");
        browser.waitFor(d -> {
            d.navigate().refresh();
            return d.findElement(By.cssSelector("tr[data-node='" + TITAN_NODE + "'] .state")).getText().equals("drained");
        });
        assertThat(browser.text("tr[data-node='" + TITAN_NODE + "'] .reason")).isEqualTo("fan replacement");
        long job = submit(userToken, json("name", "titan-job", "script", "sleep 1; echo done", "gpusPerNode", 1,
                "gpuFlavor", "titanrtx-24g", "walltime", "5m"));
        // Several scheduler cycles (500 ms each in the tests' portal) pass without starting it.
        Thread.sleep(2500);
        ApiClient.Response waiting = api.get("/api/v1/jobs/" + job, userToken);
        assertThat(waiting.text("state")).isEqualTo("PENDING");
        browser.screenshot("admin-04-node-drained");

        browser.submit("tr[data-node='" + TITAN_NODE + "'] form.resume button");
        assertThat(browser.text(".flash.success")).isEqualTo("Node " + TITAN_NODE + " is up again and takes new jobs.");
        assertThat(browser.text("tr[data-node='" + TITAN_NODE + "'] .state")).isEqualTo("up");
        ApiClient.Response done = awaitState(userToken, job, Duration.ofSeconds(60), "COMPLETED", "FAILED");
        assertThat(done.text("state")).isEqualTo("COMPLETED");

        // Node tokens: a bad name is refused beside the field; a token is issued once, listed without the secret, revoked.
        browser.type("#token-node", "bad name");
        browser.driver().findElement(By.id("token-node")).submit();
        assertThat(browser.text("#token-error")).startsWith("Invalid node name 'bad name'");
        String spare = unique("spare");
        browser.type("#token-node", spare);
        browser.click("#tokens form button");
        String secret = browser.text("#token-secret");
        assertThat(secret).startsWith("vnn_");
        assertThat(browser.text("#agent-command")).contains("--node " + spare).contains("--token " + secret);
        browser.screenshot("admin-05-node-token");
        browser.open("/admin/nodes");
        assertThat(browser.driver().findElements(By.id("issued-token"))).isEmpty();
        assertThat(browser.text("#token-list")).contains(spare).doesNotContain(secret);
        browser.click("#token-list tbody tr:first-child button.danger");
        browser.waitFor(ExpectedConditions.alertIsPresent()).accept();
        assertThat(browser.text(".flash.success")).contains("revoked");
        assertThat(browser.text("#token-list tbody tr:first-child")).contains(spare).contains("revoked");
        browser.open("/admin/nodes#gpu-map");
        browser.screenshot("admin-06-gpu-map");

        // Usage: the completed job's GPU-hours, in the page and in the CSV.
        String month = YearMonth.now(ZoneOffset.UTC).toString();
        JsonNode usage = awaitUsage(admin, org, "titanrtx-24g");
        double gpuHours = usage.get("gpuHours").asDouble();
        assertThat(gpuHours).isPositive();
        browser.open("/admin/usage");
        assertThat(browser.find("#month").getAttribute("value")).isEqualTo(month);
        String row = "#usage tr[data-org='" + org + "'][data-flavor='titanrtx-24g']";
        assertThat(browser.text(row + " .jobs")).isEqualTo("1");
        assertThat(browser.text(row + " .gpu-hours")).isEqualTo(String.format(Locale.ENGLISH, "%.4f", gpuHours));
        // uPlot drew the chart into its box.
        assertThat(browser.find("#usage-chart canvas")).isNotNull();
        browser.screenshot("admin-07-usage");

        HttpResponse<String> csv = get("/admin/usage.csv?month=" + month);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
        assertThat(csv.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"vaniila-usage-" + month + ".csv\"");
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("organisation,month,flavor,jobs,gpu_hours,used_gpu_hours,core_hours");
        // One line per flavor: the titan job, and the v100 holder that ran until it was cancelled.
        assertThat(lines).filteredOn(l -> l.startsWith(org + ",")).hasSize(2);
        assertThat(lines).filteredOn(l -> l.startsWith(org + "," + month + ",titanrtx-24g,")).singleElement().asString()
                .startsWith(org + "," + month + ",titanrtx-24g,1," + String.format(Locale.ROOT, "%.6f", gpuHours) + ",");
        assertThat(lines).anyMatch(l -> l.startsWith(org + "," + month + ",v100-16g,1,"));
        assertThat(get("/admin/usage.csv?month=November").statusCode()).isEqualTo(400);

        // Audit: the quota change and the logins, filtered.
        browser.open("/admin/audit?action=quota.set");
        assertThat(browser.text("#audit tr[data-action='quota.set']")).contains(org).contains(ADMIN);
        browser.open("/admin/audit");
        browser.type("#actor", ADMIN);
        new org.openqa.selenium.support.ui.Select(browser.find("#action")).selectByValue("login*");
        browser.click("#audit-filter button");
        assertThat(browser.text("#audit")).contains("login").contains("web");
        assertThat(browser.driver().findElements(By.cssSelector("#audit tbody tr"))).allSatisfy(
                tr -> assertThat(tr.getAttribute("data-actor")).isEqualTo(ADMIN));
        browser.screenshot("admin-08-audit");
        browser.phoneWidth();
        browser.open("/admin/nodes");
        browser.screenshot("admin-09-nodes-phone");
        browser.desktopWidth();
    }

    @Test
    void organisationAdminSeesOnlyItsOwnOrganisationAndNoPlatformPage() throws Exception {
        String org = unique("ownco");
        String orgAdmin = unique("ownadmin");
        String member = unique("ownuser");
        String adminToken = orgWithUser(org, orgAdmin, "ORG_ADMIN");
        api.post("/api/v1/users", json("username", member, "password", USER_PASSWORD, "organisation", org, "role", "USER"),
                adminToken());
        String other = unique("otherco");
        String otherUser = unique("otheruser");
        String otherToken = orgWithUser(other, otherUser, "USER");
        long mine = submit(adminToken, json("script", "true", "gpusPerNode", 0, "walltime", "5m"));
        long theirs = submit(otherToken, json("script", "true", "gpusPerNode", 0, "walltime", "5m"));
        awaitState(adminToken, mine, Duration.ofSeconds(60), "COMPLETED");
        awaitState(otherToken, theirs, Duration.ofSeconds(60), "COMPLETED");
        awaitUsage(adminToken(), org, "cpu");
        awaitUsage(adminToken(), other, "cpu");

        // A failed login of a member is an entry of the organisation.
        browser.login(member, "not-the-password");
        assertThat(browser.text(".flash.error")).isEqualTo("Wrong username or password.");
        browser.login(orgAdmin, USER_PASSWORD);
        assertThat(browser.text("h1")).isEqualTo("Dashboard");

        for (String page : List.of("/admin/queues", "/admin/nodes", "/admin/organisations", "/admin/quotas/" + org)) {
            assertThat(get(page).statusCode()).as(page).isEqualTo(403);
        }
        browser.open("/admin/nodes");
        assertThat(browser.text("main")).contains("You are not allowed to see this page.");
        assertThat(browser.driver().findElements(By.cssSelector(".subnav a[href='/admin/nodes']"))).isEmpty();

        browser.open("/admin/quotas");
        assertThat(browser.driver().findElements(By.cssSelector("section.quota")))
                .singleElement().satisfies(s -> assertThat(s.getAttribute("data-org")).isEqualTo(org));
        assertThat(browser.driver().findElements(By.cssSelector("section.quota a.admin-button"))).isEmpty();
        assertThat(browser.text("#quotas-readonly")).contains("read-only");
        browser.screenshot("admin-10-org-admin-quotas");

        browser.open("/admin/usage");
        assertThat(browser.text("#usage")).contains(org).doesNotContain(other);
        assertThat(browser.driver().findElements(By.id("usage-org"))).isEmpty();
        browser.phoneWidth();
        browser.screenshot("admin-11-org-admin-usage-phone");
        browser.desktopWidth();
        String csv = get("/admin/usage.csv").body();
        assertThat(csv).contains(org + ",").doesNotContain(other);
        // Another organisation's usage reads as absent, whatever the request names.
        assertThat(get("/admin/usage?organisation=" + other).statusCode()).isEqualTo(404);
        assertThat(get("/admin/usage.csv?organisation=" + other).statusCode()).isEqualTo(404);
        browser.open("/admin/usage?organisation=" + other);
        assertThat(browser.text("main")).contains("This page does not exist.").doesNotContain(other);

        browser.open("/admin/audit");
        String audit = browser.text("#audit");
        assertThat(audit).contains(orgAdmin).doesNotContain(otherUser).doesNotContain(other);
        browser.open("/admin/audit?action=login.failed");
        assertThat(browser.text("#audit tr[data-action='login.failed']")).contains(member);
        assertThat(browser.driver().findElements(By.cssSelector("#audit th"))).extracting(e -> e.getText())
                .doesNotContain("Organisation");
        browser.submit(".lang a[hreflang='fr']");
        assertThat(browser.text("h1")).isEqualTo("Journal d\u2019audit");
        browser.screenshot("admin-12-org-admin-audit-fr");
    }

    /** Waits until the pending job's reason is the expected one; fails with the job's last view otherwise. */
    private ApiClient.Response awaitReason(String token, long id, String reasonCode) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        ApiClient.Response r;
        do {
            r = api.get("/api/v1/jobs/" + id, token);
            if (reasonCode.equals(r.text("reasonCode"))) {
                return r;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("job " + id + " never waited for " + reasonCode + ": " + r.body());
    }

    /** The organisation's usage row once the accounting has it (it is written as the job ends). */
    private JsonNode awaitUsage(String token, String org, String flavor) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ApiClient.Response r;
        do {
            r = api.get("/api/v1/usage?organisation=" + org, token);
            if (r.status() == 200) {
                for (JsonNode row : r.json()) {
                    if (flavor.equals(row.get("flavor").asString())) {
                        return row;
                    }
                }
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no usage recorded for " + org + " on " + flavor + ": " + r.body());
    }

    /** A GET with the browser's session, to read statuses and headers that the browser hides. */
    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        Cookie session = browser.driver().manage().getCookieNamed("JSESSIONID");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Cookie", "JSESSIONID=" + session.getValue()).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
