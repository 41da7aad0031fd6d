package fr.catie.vaniila.web;

import java.util.List;
import java.util.Map;

import fr.catie.vaniila.accounting.Accounting;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.jobs.JobState;
import fr.catie.vaniila.jobs.Jobs;
import fr.catie.vaniila.quotas.Quotas;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.security.LockedLogin;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.WebAttributes;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** Login page and the dashboard: my active jobs with why they wait, my organisation's quota, the cluster map. */
@Controller
public class HomeController {

    /** How many of the caller's active jobs the dashboard lists; the jobs page has them all. */
    static final int MY_JOBS = 20;
    static final List<JobState> ACTIVE = List.of(JobState.PENDING, JobState.HELD, JobState.STARTING, JobState.RUNNING);
    /** Only the month's GPU-hours are read from the scheduler's figures; the half-life does not change them. */
    private static final java.time.Duration FAIR_SHARE_HALF_LIFE = java.time.Duration.ofDays(7);

    private final Nodes nodes;
    private final Jobs jobs;
    private final Quotas quotas;
    private final Accounting accounting;
    private final PhraseBook words;

    public HomeController(Nodes nodes, Jobs jobs, Quotas quotas, Accounting accounting, PhraseBook words) {
        this.nodes = nodes;
        this.jobs = jobs;
        this.quotas = quotas;
        this.accounting = accounting;
        this.words = words;
    }

    @GetMapping("/login")
    public String login(HttpServletRequest request, Model model) {
        if (request.getParameter("error") != null) {
            HttpSession session = request.getSession(false);
            Object e = session == null ? null : session.getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION);
            if (e instanceof LockedLogin locked) {
                model.addAttribute("loginError", words.say(locked.phrase()));
            } else if (e instanceof LockedException locked) {
                model.addAttribute("loginError", locked.getMessage());
            } else if (e instanceof DisabledException) {
                model.addAttribute("loginErrorKey", "login.disabled");
            } else if (e instanceof AuthenticationException || e == null) {
                model.addAttribute("loginErrorKey", "login.bad");
            }
        }
        return "login";
    }

    /** The dashboard: the caller's active jobs, the organisation's quota against use, the cluster map. */
    @GetMapping("/")
    public String dashboard(Model model) {
        Caller caller = Pages.caller();
        model.addAttribute("caller", caller);
        // One read of the nodes serves the totals, the flavors and the map.
        ClusterView cluster = ClusterView.of(caller, nodes.status(caller));
        model.addAttribute("totals", totals(cluster));
        myJobs(caller, model);
        quota(caller, cluster, model);
        model.addAttribute("cluster", cluster);
        return "dashboard";
    }

    /** The caller's running and pending jobs, and the organisation's quota against use: refreshed every few seconds. */
    @GetMapping("/dashboard/jobs")
    public String jobsFragment(Model model) {
        Caller caller = Pages.caller();
        model.addAttribute("caller", caller);
        myJobs(caller, model);
        quota(caller, ClusterView.of(caller, nodes.status(caller)), model);
        return "dashboard :: live";
    }

    /** The cluster map: refreshed every few seconds. */
    @GetMapping("/dashboard/map")
    public String mapFragment(Model model) {
        Caller caller = Pages.caller();
        model.addAttribute("caller", caller);
        model.addAttribute("cluster", ClusterView.of(caller, nodes.status(caller)));
        return "dashboard :: map";
    }

    private void myJobs(Caller caller, Model model) {
        model.addAttribute("myJobs", jobs.list(caller, ACTIVE, caller.username(), null, MY_JOBS, 0));
        model.addAttribute("myJobsLimit", MY_JOBS);
    }

    private void quota(Caller caller, ClusterView cluster, Model model) {
        Quotas.Quota quota = quotas.get(caller, caller.organisation());
        model.addAttribute("quotaRows", cluster.quotaRows(quota, quotas.platformDefault()));
        model.addAttribute("cpuQuota", quota.cpuCores());
        if (quota.gpuHoursPerMonth() != null) {
            // The scheduler's own figure (finished runs and running jobs so far), so that both agree.
            Accounting.OrgUsage used = accounting.forScheduling(FAIR_SHARE_HALF_LIFE).get(caller.organisation());
            model.addAttribute("budget", new ClusterView.Budget(quota.gpuHoursPerMonth(),
                    used == null ? 0 : used.gpuHoursThisMonth()));
        }
    }

    private static Map<String, Long> totals(ClusterView cluster) {
        long cores = 0, memory = 0, gpus = 0;
        for (ClusterView.NodeCard n : cluster.nodes()) {
            cores += n.cores();
            memory += n.memoryMb();
            gpus += n.gpus().size();
        }
        return Map.of("nodes", (long) cluster.nodes().size(), "cores", cores, "memoryGb", memory / 1024, "gpus", gpus);
    }
}
