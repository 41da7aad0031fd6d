package fr.catie.vaniila.api;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import fr.catie.vaniila.accounting.Accounting;
import fr.catie.vaniila.gateway.NodeTokens;
import fr.catie.vaniila.jobs.Walltime;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.queues.QueueSpec;
import fr.catie.vaniila.queues.Queues;
import fr.catie.vaniila.quotas.Quotas;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST adapter for the cluster: nodes, node tokens, queues, quotas and usage. */
@RestController
@RequestMapping("/api/v1")
public class ClusterApi {

    /** A queue in REST form: wall times as {@code 48h}, {@code 01:00:00} or minutes. */
    public record QueueBody(String name, Boolean isDefault, String defaultWalltime, String maxWalltime,
            Integer maxGpusPerJob, Integer priorityTier, Boolean preemptible, List<String> flavors, List<String> nodes,
            List<String> organisations) {
    }

    public record QueueView(String name, boolean isDefault, String defaultWalltime, long defaultWalltimeSeconds,
            String maxWalltime, long maxWalltimeSeconds, int maxGpusPerJob, int priorityTier, boolean preemptible,
            List<String> flavors, List<String> nodes, List<String> organisations) {
        static QueueView of(QueueSpec q) {
            return new QueueView(q.name(), q.isDefault(), Walltime.format(q.defaultWalltime()),
                    q.defaultWalltime().toSeconds(), Walltime.format(q.maxWalltime()), q.maxWalltime().toSeconds(),
                    q.maxGpusPerJob(), q.priorityTier(), q.preemptible(), q.flavors(), q.nodes(), q.organisations());
        }
    }

    public record NodeTokenRequest(String node) {
    }

    public record DrainRequest(String reason) {
    }

    private final Nodes nodes;
    private final NodeTokens nodeTokens;
    private final Queues queues;
    private final Quotas quotas;
    private final Accounting accounting;

    public ClusterApi(Nodes nodes, NodeTokens nodeTokens, Queues queues, Quotas quotas, Accounting accounting) {
        this.nodes = nodes;
        this.nodeTokens = nodeTokens;
        this.queues = queues;
        this.quotas = quotas;
        this.accounting = accounting;
    }

    @GetMapping("/nodes")
    public List<Nodes.NodeStatus> nodes() {
        return nodes.status(CurrentCaller.get());
    }

    @PostMapping("/nodes/{name}/drain")
    public Nodes.NodeStatus drain(@PathVariable String name, @RequestBody(required = false) DrainRequest body) {
        return nodes.setDrained(CurrentCaller.get(), name, true, body == null ? null : body.reason());
    }

    @PostMapping("/nodes/{name}/resume")
    public Nodes.NodeStatus resume(@PathVariable String name) {
        return nodes.setDrained(CurrentCaller.get(), name, false, null);
    }

    @PostMapping("/nodes/tokens")
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> issueNodeToken(@RequestBody NodeTokenRequest request) {
        return Map.of("node", request.node() == null ? "" : request.node(), "token",
                nodeTokens.issue(CurrentCaller.get(), request.node()));
    }

    @GetMapping("/nodes/tokens")
    public List<NodeTokens.NodeTokenInfo> nodeTokens() {
        return nodeTokens.list(CurrentCaller.get());
    }

    @DeleteMapping("/nodes/tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void revokeNodeToken(@PathVariable long id) {
        nodeTokens.revoke(CurrentCaller.get(), id);
    }

    @GetMapping("/queues")
    public List<QueueView> queues() {
        CurrentCaller.get();
        return queues.list().stream().map(QueueView::of).toList();
    }

    @GetMapping("/queues/{name}")
    public QueueView queue(@PathVariable String name) {
        CurrentCaller.get();
        return queues.find(name).map(QueueView::of).orElseThrow(() -> Problem.notFound("No queue named '" + name + "'."));
    }

    @PostMapping("/queues")
    @ResponseStatus(HttpStatus.CREATED)
    public QueueView createQueue(@RequestBody QueueBody body) {
        return QueueView.of(queues.create(CurrentCaller.get(), spec(body.name(), body, null)));
    }

    @PutMapping("/queues/{name}")
    public QueueView updateQueue(@PathVariable String name, @RequestBody QueueBody body) {
        QueueSpec old = queues.find(name).orElseThrow(() -> Problem.notFound("No queue named '" + name + "'."));
        return QueueView.of(queues.update(CurrentCaller.get(), name, spec(name, body, old)));
    }

    @DeleteMapping("/queues/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void deleteQueue(@PathVariable String name) {
        queues.delete(CurrentCaller.get(), name);
    }

    private static QueueSpec spec(String name, QueueBody b, QueueSpec old) {
        Duration def = b.defaultWalltime() != null ? Walltime.parse(b.defaultWalltime())
                : old != null ? old.defaultWalltime() : Duration.ofHours(1);
        Duration max = b.maxWalltime() != null ? Walltime.parse(b.maxWalltime()) : old != null ? old.maxWalltime() : def;
        return new QueueSpec(name, b.isDefault() != null ? b.isDefault() : old != null && old.isDefault(), def, max,
                b.maxGpusPerJob() != null ? b.maxGpusPerJob() : old != null ? old.maxGpusPerJob() : 8,
                b.priorityTier() != null ? b.priorityTier() : old != null ? old.priorityTier() : 1,
                b.preemptible() != null ? b.preemptible() : old != null && old.preemptible(),
                b.flavors() != null ? b.flavors() : old != null ? old.flavors() : List.of(),
                b.nodes() != null ? b.nodes() : old != null ? old.nodes() : List.of(),
                b.organisations() != null ? b.organisations() : old != null ? old.organisations() : List.of());
    }

    @GetMapping("/quotas")
    public Quotas.Quota myQuota(@RequestParam(required = false) String organisation) {
        return quotas.get(CurrentCaller.get(), organisation);
    }

    @GetMapping("/quotas/{organisation}")
    public Quotas.Quota quota(@PathVariable String organisation) {
        return quotas.get(CurrentCaller.get(), organisation);
    }

    @PutMapping("/quotas/{organisation}")
    public Quotas.Quota setQuota(@PathVariable String organisation, @RequestBody Quotas.Quota quota) {
        Quotas.Quota q = new Quotas.Quota(organisation, quota.cpuCores(), quota.gpuHoursPerMonth(),
                quota.fairShareWeight() == 0 ? 1.0 : quota.fairShareWeight(), quota.flavors());
        return quotas.set(CurrentCaller.get(), organisation, q);
    }

    /** Usage per organisation, month and flavor; {@code from}/{@code to} as dates ({@code 2026-11-01}) or instants. */
    @GetMapping("/usage")
    public List<Accounting.UsageRow> usage(@RequestParam(required = false) String organisation,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        return accounting.usage(CurrentCaller.get(), organisation, instant(from, "from"), instant(to, "to"));
    }

    private static Instant instant(String text, String field) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw Problem.invalid(field, "'" + text + "' is not a date: write 2026-11-01 or 2026-11-01T00:00:00Z.");
        }
    }
}
