package fr.catie.vaniila.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import fr.catie.vaniila.accounting.Accounting;
import fr.catie.vaniila.gateway.NodeTokens;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.Organisation;
import fr.catie.vaniila.identity.Organisations;
import fr.catie.vaniila.jobs.JobState;
import fr.catie.vaniila.jobs.JobView;
import fr.catie.vaniila.jobs.Jobs;
import fr.catie.vaniila.jobs.Walltime;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.platform.VaniilaProperties;
import fr.catie.vaniila.queues.QueueSpec;
import fr.catie.vaniila.queues.Queues;
import fr.catie.vaniila.quotas.Quotas;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Administration of the cluster's resources: quotas and budgets (platform admins edit, organisation
 * admins read their own), queues and nodes (platform admins only; an organisation admin gets 403).
 * Every read and action goes through the module APIs with the caller, which scope and audit them;
 * this class only turns forms into module values and back.
 */
@Controller
@RequestMapping("/admin")
public class AdminClusterController {

    private final Quotas quotas;
    private final Queues queues;
    private final Nodes nodes;
    private final NodeTokens nodeTokens;
    private final Organisations organisations;
    private final Jobs jobs;
    private final Accounting accounting;
    private final MessageSource messages;
    private final PhraseBook words;
    private final Duration usageHalfLife;

    public AdminClusterController(Quotas quotas, Queues queues, Nodes nodes, NodeTokens nodeTokens,
            Organisations organisations, Jobs jobs, Accounting accounting, MessageSource messages,
            VaniilaProperties properties, PhraseBook words) {
        this.quotas = quotas;
        this.queues = queues;
        this.nodes = nodes;
        this.nodeTokens = nodeTokens;
        this.organisations = organisations;
        this.jobs = jobs;
        this.accounting = accounting;
        this.messages = messages;
        this.words = words;
        this.usageHalfLife = properties.scheduling().usageHalfLife();
    }

    // ---------------------------------------------------------------- quotas

    /** One flavor's line of an organisation's quota, with the GPUs of that flavor its jobs hold now. */
    public record FlavorLine(String flavor, int guaranteedGpus, int borrowLimit, boolean inherited, int gpusInUse) {
    }

    /** An organisation's quota as the quotas page shows it, with its use now. */
    public record QuotaLine(String organisation, Integer cpuCores, int coresInUse, Double gpuHoursPerMonth,
            double gpuHoursThisMonth, double fairShareWeight, List<FlavorLine> flavors) {

        /** Share of the monthly budget spent, 0..100, for a meter; null without a budget. */
        public Integer budgetPercent() {
            if (gpuHoursPerMonth == null) {
                return null;
            }
            if (gpuHoursPerMonth <= 0) {
                return 100;
            }
            return (int) Math.min(100, Math.round(100 * gpuHoursThisMonth / gpuHoursPerMonth));
        }
    }

    /** A flavor row of the quota form, as typed, with its message when it is wrong. */
    public record FlavorField(String flavor, String guaranteed, String borrow, String error) {
    }

    /** The quota form as typed; {@code errors} keyed by field name ({@code cpuCores}...). */
    public record QuotaForm(String cpuCores, String gpuHoursPerMonth, String fairShareWeight, List<FlavorField> flavors,
            Map<String, String> errors) {
    }

    @GetMapping("/quotas")
    public String quotas(Model model) {
        Caller caller = Pages.caller();
        List<Organisation> orgs = organisations.list(caller);
        Map<String, Use> use = useNow(caller);
        Map<String, Accounting.OrgUsage> spent = accounting.forScheduling(usageHalfLife);
        List<String> clusterFlavors = nodes.flavors().stream().map(Nodes.FlavorCount::flavor).toList();
        List<QuotaLine> lines = new ArrayList<>();
        for (Organisation org : orgs) {
            Quotas.Quota q = quotas.get(caller, org.name());
            Use u = use.getOrDefault(org.name(), new Use());
            Set<String> shown = new LinkedHashSet<>(clusterFlavors);
            q.flavors().keySet().stream().filter(f -> !f.equals("*")).forEach(shown::add);
            List<FlavorLine> flavorLines = new ArrayList<>();
            for (String flavor : shown) {
                Quotas.FlavorLimit limit = q.limit(flavor, quotas.platformDefault());
                flavorLines.add(new FlavorLine(flavor, limit.guaranteedGpus(), limit.borrowLimit(),
                        !q.flavors().containsKey(flavor), u.gpus.getOrDefault(flavor, 0)));
            }
            Accounting.OrgUsage s = spent.get(org.name());
            lines.add(new QuotaLine(org.name(), q.cpuCores(), u.cores, q.gpuHoursPerMonth(),
                    s == null ? 0 : s.gpuHoursThisMonth(), q.fairShareWeight(), flavorLines));
        }
        model.addAttribute("caller", caller);
        model.addAttribute("lines", lines);
        model.addAttribute("platformDefault", quotas.platformDefault());
        return "admin/quotas";
    }

    @GetMapping("/quotas/{organisation}")
    public String editQuota(@PathVariable String organisation, Model model) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        Quotas.Quota q = quotas.get(caller, organisation);
        List<FlavorField> fields = new ArrayList<>();
        for (String flavor : formFlavors(q.flavors().keySet())) {
            Quotas.FlavorLimit own = q.flavors().get(flavor);
            fields.add(new FlavorField(flavor, own == null ? "" : Integer.toString(own.guaranteedGpus()),
                    own == null ? "" : Integer.toString(own.borrowLimit()), null));
        }
        QuotaForm form = new QuotaForm(q.cpuCores() == null ? "" : q.cpuCores().toString(),
                q.gpuHoursPerMonth() == null ? "" : plain(q.gpuHoursPerMonth()), plain(q.fairShareWeight()), fields,
                Map.of());
        return quotaForm(caller, q.organisation(), form, model);
    }

    @PostMapping("/quotas/{organisation}")
    public String saveQuota(@PathVariable String organisation, @RequestParam(defaultValue = "") String cpuCores,
            @RequestParam(defaultValue = "") String gpuHoursPerMonth, @RequestParam(defaultValue = "") String fairShareWeight,
            @RequestParam(name = "flavor", required = false) List<String> flavorNames,
            @RequestParam(name = "guaranteed", required = false) List<String> guaranteed,
            @RequestParam(name = "borrow", required = false) List<String> borrow,
            Model model, RedirectAttributes flash, HttpServletResponse response) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        Map<String, String> errors = new LinkedHashMap<>();
        Integer cores = wholeOrNull(cpuCores, "cpuCores", errors);
        Double budget = decimalOrNull(gpuHoursPerMonth, "gpuHoursPerMonth", errors);
        Double weight = decimalOrNull(fairShareWeight, "fairShareWeight", errors);
        List<FlavorField> fields = new ArrayList<>();
        Map<String, Quotas.FlavorLimit> limits = new TreeMap<>();
        List<String> names = flavorNames == null ? List.of() : flavorNames;
        for (int i = 0; i < names.size(); i++) {
            String flavor = names.get(i).trim();
            String g = at(guaranteed, i);
            String b = at(borrow, i);
            String error = null;
            if (g.isBlank() && b.isBlank()) {
                // Both empty: the flavor follows '*' or the platform default.
            } else if (g.isBlank() || b.isBlank()) {
                error = text("quotas.error.both");
            } else {
                Map<String, String> rowErrors = new LinkedHashMap<>();
                Integer gi = wholeOrNull(g, "g", rowErrors);
                Integer bi = wholeOrNull(b, "b", rowErrors);
                if (rowErrors.isEmpty()) {
                    limits.put(flavor, new Quotas.FlavorLimit(gi, bi));
                } else {
                    error = rowErrors.values().iterator().next();
                }
            }
            if (error != null) {
                errors.put("flavors." + flavor, error);
            }
            fields.add(new FlavorField(flavor, g, b, error));
        }
        if (errors.isEmpty()) {
            try {
                quotas.set(caller, organisation, new Quotas.Quota(organisation, cores, budget,
                        weight == null ? 1.0 : weight, limits));
                flash.addFlashAttribute("success", new Pages.Flash("quotas.saved", organisation));
                return "redirect:/admin/quotas";
            } catch (Problem p) {
                if (p.kind() != Problem.Kind.INVALID) {
                    throw p;
                }
                errors.putAll(words.fields(p));
                if (p.fieldPhrases().isEmpty()) {
                    errors.put("form", words.say(p));
                }
            }
        }
        List<FlavorField> shown = fields.stream().map(f -> f.error() != null ? f
                : new FlavorField(f.flavor(), f.guaranteed(), f.borrow(), errors.get("flavors." + f.flavor()))).toList();
        response.setStatus(400);
        return quotaForm(caller, organisation,
                new QuotaForm(cpuCores, gpuHoursPerMonth, fairShareWeight, shown, errors), model);
    }

    private String quotaForm(Caller caller, String organisation, QuotaForm form, Model model) {
        model.addAttribute("caller", caller);
        model.addAttribute("organisation", organisation);
        model.addAttribute("form", form);
        model.addAttribute("platformDefault", quotas.platformDefault());
        return "admin/quota-edit";
    }

    /** The flavors a quota form offers: the cluster's, those the quota already names, and '*' last. */
    private List<String> formFlavors(Set<String> own) {
        Set<String> out = new LinkedHashSet<>();
        nodes.flavors().forEach(f -> out.add(f.flavor()));
        own.stream().filter(f -> !f.equals("*")).sorted().forEach(out::add);
        out.add("*");
        return List.copyOf(out);
    }

    /** What an organisation's jobs hold right now. */
    private static final class Use {
        int cores;
        final Map<String, Integer> gpus = new TreeMap<>();
    }

    /** Cores and GPUs per flavor held by the running and starting jobs the caller may see, by organisation. */
    private Map<String, Use> useNow(Caller caller) {
        Map<String, Use> out = new TreeMap<>();
        for (JobView job : jobsOnNodes(caller)) {
            Use use = out.computeIfAbsent(job.organisation(), k -> new Use());
            for (JobView.Placement p : job.allocation()) {
                use.cores += p.cores();
                if (!p.gpus().isEmpty()) {
                    use.gpus.merge(p.flavor(), p.gpus().size(), Integer::sum);
                }
            }
        }
        return out;
    }

    private List<JobView> jobsOnNodes(Caller caller) {
        List<JobView> all = new ArrayList<>();
        int page = 1000;
        for (long offset = 0;; offset += page) {
            List<JobView> batch = jobs.list(caller, List.of(JobState.STARTING, JobState.RUNNING), null, null, page, offset);
            all.addAll(batch);
            if (batch.size() < page) {
                return all;
            }
        }
    }

    // ---------------------------------------------------------------- queues

    /** The queue form as typed; {@code errors} keyed by field name. */
    public record QueueForm(String name, boolean isDefault, String defaultWalltime, String maxWalltime,
            String maxGpusPerJob, String priorityTier, boolean preemptible, List<String> flavors, List<String> nodes,
            List<String> organisations, Map<String, String> errors) {

        static QueueForm of(QueueSpec q) {
            return new QueueForm(q.name(), q.isDefault(), Walltime.format(q.defaultWalltime()),
                    Walltime.format(q.maxWalltime()), Integer.toString(q.maxGpusPerJob()),
                    Integer.toString(q.priorityTier()), q.preemptible(), q.flavors(), q.nodes(), q.organisations(), Map.of());
        }

        static QueueForm empty() {
            return new QueueForm("", false, "1h", "24h", "8", "1", false, List.of(), List.of(), List.of(), Map.of());
        }
    }

    /** A queue as listed, wall times in Slurm's form. */
    public record QueueLine(QueueSpec spec, String defaultWalltime, String maxWalltime) {
    }

    @GetMapping("/queues")
    public String queues(Model model) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        if (!model.containsAttribute("form")) {
            model.addAttribute("form", QueueForm.empty());
        }
        return queuesPage(caller, model);
    }

    private String queuesPage(Caller caller, Model model) {
        model.addAttribute("caller", caller);
        model.addAttribute("queues", queues.list().stream()
                .map(q -> new QueueLine(q, Walltime.format(q.defaultWalltime()), Walltime.format(q.maxWalltime()))).toList());
        choices((QueueForm) model.getAttribute("form"), model);
        return "admin/queues";
    }

    @GetMapping("/queues/{name}")
    public String editQueue(@PathVariable String name, Model model) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        QueueSpec q = queues.find(name).orElseThrow(() -> Problem.notFound("No queue named '" + name + "'."));
        model.addAttribute("caller", caller);
        model.addAttribute("form", QueueForm.of(q));
        choices(QueueForm.of(q), model);
        return "admin/queue-edit";
    }

    @PostMapping("/queues")
    public String createQueue(@RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "false") boolean isDefault, @RequestParam(defaultValue = "") String defaultWalltime,
            @RequestParam(defaultValue = "") String maxWalltime, @RequestParam(defaultValue = "") String maxGpusPerJob,
            @RequestParam(defaultValue = "") String priorityTier, @RequestParam(defaultValue = "false") boolean preemptible,
            @RequestParam(name = "flavors", required = false) List<String> flavors,
            @RequestParam(name = "nodes", required = false) List<String> nodeNames,
            @RequestParam(name = "organisations", required = false) List<String> orgs,
            Model model, RedirectAttributes flash, HttpServletResponse response) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        QueueForm form = new QueueForm(name.trim(), isDefault, defaultWalltime, maxWalltime, maxGpusPerJob, priorityTier,
                preemptible, orNone(flavors), orNone(nodeNames), orNone(orgs), Map.of());
        Map<String, String> errors = new LinkedHashMap<>();
        QueueSpec spec = spec(form, errors);
        if (errors.isEmpty()) {
            try {
                queues.create(caller, spec);
                flash.addFlashAttribute("success", new Pages.Flash("queues.created", spec.name()));
                return "redirect:/admin/queues";
            } catch (Problem p) {
                problemInto(p, errors);
            }
        }
        response.setStatus(400);
        model.addAttribute("form", withErrors(form, errors));
        return queuesPage(caller, model);
    }

    @PostMapping("/queues/{name}")
    public String updateQueue(@PathVariable String name, @RequestParam(defaultValue = "false") boolean isDefault,
            @RequestParam(defaultValue = "") String defaultWalltime, @RequestParam(defaultValue = "") String maxWalltime,
            @RequestParam(defaultValue = "") String maxGpusPerJob, @RequestParam(defaultValue = "") String priorityTier,
            @RequestParam(defaultValue = "false") boolean preemptible,
            @RequestParam(name = "flavors", required = false) List<String> flavors,
            @RequestParam(name = "nodes", required = false) List<String> nodeNames,
            @RequestParam(name = "organisations", required = false) List<String> orgs,
            Model model, RedirectAttributes flash, HttpServletResponse response) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        queues.find(name).orElseThrow(() -> Problem.notFound("No queue named '" + name + "'."));
        QueueForm form = new QueueForm(name, isDefault, defaultWalltime, maxWalltime, maxGpusPerJob, priorityTier,
                preemptible, orNone(flavors), orNone(nodeNames), orNone(orgs), Map.of());
        Map<String, String> errors = new LinkedHashMap<>();
        QueueSpec spec = spec(form, errors);
        if (errors.isEmpty()) {
            try {
                queues.update(caller, name, spec);
                flash.addFlashAttribute("success", new Pages.Flash("queues.updated", name));
                return "redirect:/admin/queues";
            } catch (Problem p) {
                problemInto(p, errors);
            }
        }
        response.setStatus(400);
        model.addAttribute("caller", caller);
        QueueForm shown = withErrors(form, errors);
        model.addAttribute("form", shown);
        choices(shown, model);
        return "admin/queue-edit";
    }

    @PostMapping("/queues/{name}/delete")
    public String deleteQueue(@PathVariable String name, RedirectAttributes flash) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        return Pages.act(words, flash, "/admin/queues", new Pages.Flash("queues.deleted", name), () -> queues.delete(caller, name));
    }

    /** The choices of the queue form: what exists now plus whatever the queue already names. */
    private void choices(QueueForm form, Model model) {
        Set<String> flavors = new LinkedHashSet<>();
        nodes.flavors().forEach(f -> flavors.add(f.flavor()));
        Set<String> nodeNames = new LinkedHashSet<>();
        nodes.inventory().forEach(n -> nodeNames.add(n.name()));
        Set<String> orgs = new LinkedHashSet<>();
        organisations.list(Pages.caller()).forEach(o -> orgs.add(o.name()));
        if (form != null) {
            flavors.addAll(form.flavors());
            nodeNames.addAll(form.nodes());
            orgs.addAll(form.organisations());
        }
        model.addAttribute("flavorChoices", List.copyOf(flavors));
        model.addAttribute("nodeChoices", List.copyOf(nodeNames));
        model.addAttribute("organisationChoices", List.copyOf(orgs));
    }

    private QueueSpec spec(QueueForm f, Map<String, String> errors) {
        Duration def = walltime(f.defaultWalltime(), "defaultWalltime", errors);
        Duration max = walltime(f.maxWalltime(), "maxWalltime", errors);
        Integer gpus = wholeOrNull(f.maxGpusPerJob(), "maxGpusPerJob", errors);
        Integer tier = wholeOrNull(f.priorityTier(), "priorityTier", errors);
        if (gpus == null && !errors.containsKey("maxGpusPerJob")) {
            errors.put("maxGpusPerJob", text("adminform.required"));
        }
        if (tier == null && !errors.containsKey("priorityTier")) {
            errors.put("priorityTier", text("adminform.required"));
        }
        if (!errors.isEmpty()) {
            return null;
        }
        return new QueueSpec(f.name(), f.isDefault(), def, max, gpus, tier, f.preemptible(), f.flavors(), f.nodes(),
                f.organisations());
    }

    private Duration walltime(String text, String field, Map<String, String> errors) {
        if (text == null || text.isBlank()) {
            errors.put(field, text("adminform.required"));
            return null;
        }
        try {
            return Walltime.parse(text);
        } catch (Problem p) {
            errors.put(field, words.say(p));
            return null;
        }
    }

    private static QueueForm withErrors(QueueForm f, Map<String, String> errors) {
        return new QueueForm(f.name(), f.isDefault(), f.defaultWalltime(), f.maxWalltime(), f.maxGpusPerJob(),
                f.priorityTier(), f.preemptible(), f.flavors(), f.nodes(), f.organisations(), Map.copyOf(errors));
    }

    // ---------------------------------------------------------------- nodes

    /** A node as the nodes page shows it: its status and the jobs running on it. */
    public record NodeLine(Nodes.NodeStatus status, List<Long> jobs) {
    }

    @GetMapping("/nodes")
    public String nodes(Model model) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        Map<String, Set<Long>> jobsByNode = new TreeMap<>();
        for (JobView job : jobsOnNodes(caller)) {
            for (JobView.Placement p : job.allocation()) {
                jobsByNode.computeIfAbsent(p.node(), k -> new java.util.TreeSet<>()).add(job.id());
            }
        }
        List<NodeLine> lines = nodes.status(caller).stream()
                .map(n -> new NodeLine(n, List.copyOf(jobsByNode.getOrDefault(n.name(), Set.of())))).toList();
        model.addAttribute("caller", caller);
        model.addAttribute("nodes", lines);
        model.addAttribute("tokens", nodeTokens.list(caller));
        model.addAttribute("portalUrl",
                org.springframework.web.servlet.support.ServletUriComponentsBuilder.fromCurrentContextPath().toUriString());
        return "admin/nodes";
    }

    @PostMapping("/nodes/{name}/drain")
    public String drain(@PathVariable String name, @RequestParam(defaultValue = "") String reason, RedirectAttributes flash) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        return Pages.act(words, flash, "/admin/nodes", new Pages.Flash("nodes.drained", name),
                () -> nodes.setDrained(caller, name, true, reason.isBlank() ? null : reason.trim()));
    }

    @PostMapping("/nodes/{name}/resume")
    public String resume(@PathVariable String name, RedirectAttributes flash) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        return Pages.act(words, flash, "/admin/nodes", new Pages.Flash("nodes.resumed", name),
                () -> nodes.setDrained(caller, name, false, null));
    }

    @PostMapping("/nodes/tokens")
    public String issueToken(@RequestParam(defaultValue = "") String node, RedirectAttributes flash) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        try {
            String secret = nodeTokens.issue(caller, node.trim());
            // A flash attribute lives for the next page only: the secret is shown once, then gone.
            flash.addFlashAttribute("issuedToken", secret);
            flash.addFlashAttribute("issuedNode", node.trim());
            flash.addFlashAttribute("success", new Pages.Flash("nodes.tokenIssued", node.trim()));
        } catch (Problem p) {
            // Shown beside the field: the page opens at the tokens, far below the page's own messages.
            flash.addFlashAttribute("tokenError", words.say(p));
            flash.addFlashAttribute("tokenNode", node);
        }
        return "redirect:/admin/nodes#tokens";
    }

    @PostMapping("/nodes/tokens/{id}/revoke")
    public String revokeToken(@PathVariable long id, RedirectAttributes flash) {
        Caller caller = Pages.caller();
        requirePlatformAdmin(caller);
        return Pages.act(words, flash, "/admin/nodes#tokens", new Pages.Flash("nodes.tokenRevoked", id),
                () -> nodeTokens.revoke(caller, id));
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Platform-only pages answer 403 to organisation admins before reading anything, whatever the
     * modules would let them read (the inventory is public, but its admin view is not).
     */
    static void requirePlatformAdmin(Caller caller) {
        if (!caller.isPlatformAdmin()) {
            throw Problem.forbidden("Only a platform administrator can see this page.");
        }
    }

    private void problemInto(Problem p, Map<String, String> errors) {
        if (p.kind() == Problem.Kind.INVALID && !p.fieldPhrases().isEmpty()) {
            errors.putAll(words.fields(p));
        } else {
            errors.put("form", words.say(p));
        }
    }

    private Integer wholeOrNull(String text, String field, Map<String, String> errors) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            errors.put(field, text("adminform.wholeNumber", text.trim()));
            return null;
        }
    }

    private Double decimalOrNull(String text, String field, Map<String, String> errors) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            // Both decimal separators: French admins type a comma.
            double d = Double.parseDouble(text.trim().replace(',', '.'));
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException(text);
            }
            return d;
        } catch (NumberFormatException e) {
            errors.put(field, text("adminform.decimalNumber", text.trim()));
            return null;
        }
    }

    private static String at(List<String> values, int i) {
        return values == null || i >= values.size() || values.get(i) == null ? "" : values.get(i).trim();
    }

    private static List<String> orNone(List<String> values) {
        return values == null ? List.of() : values.stream().filter(v -> v != null && !v.isBlank()).map(String::trim).toList();
    }

    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private String text(String key, Object... args) {
        return messages.getMessage(key, args, LocaleContextHolder.getLocale());
    }
}
