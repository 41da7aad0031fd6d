package fr.catie.vaniila.web;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import fr.catie.vaniila.accounting.Accounting;
import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.Organisation;
import fr.catie.vaniila.identity.Organisations;
import fr.catie.vaniila.platform.Problem;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Administration reports: usage per organisation and month (page, chart and CSV export) and the
 * audit log. Platform admins see every organisation; an organisation admin sees only its own, as
 * the accounting module enforces for usage and as this class sets the audit query's scope.
 */
@Controller
@RequestMapping("/admin")
public class AdminReportsController {

    /** Audit entries on one page. */
    static final int AUDIT_PAGE_SIZE = 50;

    private final Accounting accounting;
    private final AuditLog audit;
    private final Organisations organisations;
    private final MessageSource messages;
    private final Clock clock;

    public AdminReportsController(Accounting accounting, AuditLog audit, Organisations organisations,
            MessageSource messages, Clock clock) {
        this.accounting = accounting;
        this.audit = audit;
        this.organisations = organisations;
        this.messages = messages;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- usage

    /** One organisation's total of a month, for the chart and the totals row. */
    public record OrgTotal(String organisation, long jobs, double gpuHours, double coreHours) {
    }

    @GetMapping("/usage")
    public String usage(@RequestParam(required = false) String month,
            @RequestParam(required = false) String organisation, Model model) {
        Caller caller = Pages.caller();
        YearMonth current = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        YearMonth shown = current;
        if (month != null && !month.isBlank()) {
            try {
                shown = YearMonth.parse(month.trim());
            } catch (DateTimeParseException e) {
                model.addAttribute("monthError", messages.getMessage("usage.badMonth", new Object[] {month.trim()},
                        LocaleContextHolder.getLocale()));
            }
        }
        // The accounting module checks the organisation against the caller: another one reads as 404.
        String org = organisation != null && !organisation.isBlank() ? organisation.trim() : null;
        List<Accounting.UsageRow> rows = rows(caller, org, shown);
        Map<String, double[]> totals = new TreeMap<>();
        for (Accounting.UsageRow r : rows) {
            double[] t = totals.computeIfAbsent(r.organisation(), k -> new double[3]);
            t[0] += r.jobs();
            t[1] += r.gpuHours();
            t[2] += r.coreHours();
        }
        List<OrgTotal> orgTotals = new ArrayList<>();
        totals.forEach((name, t) -> orgTotals.add(new OrgTotal(name, (long) t[0], t[1], t[2])));
        model.addAttribute("caller", caller);
        model.addAttribute("month", shown.toString());
        model.addAttribute("previousMonth", shown.minusMonths(1).toString());
        model.addAttribute("nextMonth", shown.isBefore(current) ? shown.plusMonths(1).toString() : null);
        model.addAttribute("organisation", org);
        model.addAttribute("organisations", organisations.list(caller));
        model.addAttribute("rows", rows);
        model.addAttribute("totals", orgTotals);
        // The chart reads its data from data-* attributes (the CSP forbids inline scripts).
        model.addAttribute("chartLabels", orgTotals.stream().map(OrgTotal::organisation).collect(Collectors.joining(",")));
        model.addAttribute("chartGpuHours", orgTotals.stream().map(t -> number(t.gpuHours())).collect(Collectors.joining(",")));
        model.addAttribute("chartCoreHours", orgTotals.stream().map(t -> number(t.coreHours())).collect(Collectors.joining(",")));
        return "admin/usage";
    }

    /**
     * The month's usage as CSV, one line per organisation and flavor, numbers with a dot and six
     * decimals, whatever the page's language (spreadsheets and scripts read it).
     */
    @GetMapping("/usage.csv")
    public ResponseEntity<byte[]> usageCsv(@RequestParam(required = false) String month,
            @RequestParam(required = false) String organisation) {
        Caller caller = Pages.caller();
        YearMonth shown;
        try {
            shown = month == null || month.isBlank() ? YearMonth.now(clock.withZone(ZoneOffset.UTC)) : YearMonth.parse(month.trim());
        } catch (DateTimeParseException e) {
            return ResponseEntity.badRequest().contentType(new MediaType("text", "plain", StandardCharsets.UTF_8))
                    .body(("'" + month + "' is not a month: write it as 2026-11.\n").getBytes(StandardCharsets.UTF_8));
        }
        // The accounting module checks the organisation against the caller: another one reads as 404.
        String org = organisation != null && !organisation.isBlank() ? organisation.trim() : null;
        String csv = UsageCsv.write(rows(caller, org, shown));
        String filename = "vaniila-usage-" + shown + (org == null ? "" : "-" + org) + ".csv";
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(filename).build().toString())
                .body(csv.getBytes(StandardCharsets.UTF_8));
    }

    private List<Accounting.UsageRow> rows(Caller caller, String organisation, YearMonth month) {
        Instant from = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return accounting.usage(caller, organisation, from, to);
    }

    private static String number(double d) {
        return String.format(Locale.ROOT, "%.6f", d);
    }

    // ---------------------------------------------------------------- audit

    @GetMapping("/audit")
    public String audit(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(defaultValue = "0") String page, Model model) {
        Caller caller = Pages.caller();
        // The scope comes from the caller, never from the request: an organisation admin reads its own entries only.
        Long scope = caller.isPlatformAdmin() ? null : caller.organisationId().value();
        int pageNumber;
        try {
            pageNumber = Math.max(0, Integer.parseInt(page.trim()));
        } catch (NumberFormatException e) {
            throw Problem.invalid("page", "The page '" + page + "' is not a number.");
        }
        AuditLog.Page entries = audit.search(new AuditLog.Query(scope, actor, action), pageNumber, AUDIT_PAGE_SIZE);
        Map<Long, String> orgNames = new TreeMap<>();
        for (Organisation o : organisations.list(caller)) {
            orgNames.put(o.id().value(), o.name());
        }
        model.addAttribute("caller", caller);
        model.addAttribute("entries", entries);
        model.addAttribute("orgNames", orgNames);
        model.addAttribute("actions", audit.actions(scope));
        model.addAttribute("actor", actor == null ? "" : actor.trim());
        model.addAttribute("action", action == null ? "" : action.trim());
        return "admin/audit";
    }
}
