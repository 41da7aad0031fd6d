package fr.catie.vaniila.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.Role;
import fr.catie.vaniila.jobs.JobEfficiency;
import fr.catie.vaniila.jobs.JobState;
import fr.catie.vaniila.jobs.JobView;
import fr.catie.vaniila.jobs.Jobs;
import fr.catie.vaniila.jobs.Walltime;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.queues.QueueSpec;
import fr.catie.vaniila.queues.Queues;
import fr.catie.vaniila.wording.Phrase;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;

/**
 * The jobs pages: submit (with templates and the resubmit of an earlier job), the list with filters
 * and paging, and a job's page with its live log (server-sent events), download, charts, cancel.
 * Every read goes through {@link Jobs} with the caller, so another organisation's job is a 404 here.
 */
@Controller
@RequestMapping("/jobs")
public class JobPagesController {

    /** Jobs per page of the list. */
    static final int PAGE = 50;

    private final Jobs jobs;
    private final Queues queues;
    private final Nodes nodes;
    private final LogTail logs;
    private final JsonMapper json;
    private final org.springframework.context.MessageSource messages;
    private final PhraseBook words;
    private final JobTimes times;

    public JobPagesController(Jobs jobs, Queues queues, Nodes nodes, LogTail logs, JsonMapper json,
            org.springframework.context.MessageSource messages, JobTimes times, PhraseBook words) {
        this.messages = messages;
        this.words = words;
        this.times = times;
        this.jobs = jobs;
        this.queues = queues;
        this.nodes = nodes;
        this.logs = logs;
        this.json = json;
    }

    // ------------------------------------------------------------------ submit

    /** The submit page: empty, or filled with an earlier job of the caller's ({@code ?from=ID}) to submit it again. */
    @GetMapping("/new")
    public String submitPage(@RequestParam(required = false) Long from, Model model) {
        Caller caller = Pages.caller();
        SubmitForm form = from == null ? SubmitForm.blank() : SubmitForm.of(jobs.submission(caller, from), json);
        model.addAttribute("resubmitOf", from);
        // A task of an array: the form holds the whole array, and says how to run the task alone.
        model.addAttribute("resubmitTask", from == null ? null : jobs.get(caller, from));
        return submitView(caller, form, Map.of(), null, model);
    }

    /**
     * Submits through {@link Jobs#submit}; success opens the job's page, a refusal shows the form again as typed
     * with each reason beside its field.
     */
    @PostMapping("/new")
    public String submit(@ModelAttribute SubmitForm form, Model model) {
        Caller caller = Pages.caller();
        try {
            Jobs.Submitted submitted = jobs.submit(caller, form.toSubmission(json));
            return "redirect:/jobs/" + submitted.id();
        } catch (Problem p) {
            if (p.kind() == Problem.Kind.NOT_FOUND || p.kind() == Problem.Kind.FORBIDDEN) {
                throw p;
            }
            Map<String, String> errors = formErrors(p, words::say);
            String general = errors.isEmpty() ? words.say(p) : null;
            return submitView(caller, form, errors, general, model);
        }
    }

    private String submitView(Caller caller, SubmitForm form, Map<String, String> errors, String general, Model model) {
        List<QueueSpec> usable = queues.list().stream()
                .filter(q -> q.organisations().isEmpty() || q.organisations().contains(caller.organisation())).toList();
        model.addAttribute("caller", caller);
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute("generalError", general);
        model.addAttribute("queues", usable.stream().map(q -> new QueueChoice(q.name(), q.isDefault(),
                Walltime.format(q.defaultWalltime()), Walltime.format(q.maxWalltime()), q.maxGpusPerJob())).toList());
        model.addAttribute("cluster", ClusterView.of(caller, nodes.status(caller)));
        return "jobs/submit";
    }

    /** A queue as the submit form offers it, with its wall-time limits written as users type them. */
    record QueueChoice(String name, boolean isDefault, String defaultWalltime, String maxWalltime, int maxGpusPerJob) {
    }

    /**
     * The module's field errors, keyed by the form's fields. A request the cluster can never satisfy comes as
     * one sentence without a field: it goes beside the field its advice names ("ask for fewer GPUs per node"...).
     */
    static Map<String, String> formErrors(Problem p, Function<Phrase, String> say) {
        Map<String, String> out = new LinkedHashMap<>();
        p.fieldPhrases().forEach((field, message) -> out.merge(formField(field), say.apply(message),
                (a, b) -> a + " " + b));
        if (out.isEmpty() && p.kind() == Problem.Kind.UNPROCESSABLE) {
            String m = p.getMessage();
            String field = m.contains("wall time") ? "walltime"
                    : m.contains("fewer nodes") || m.contains("node(s) exist") ? "nodes"
                    : m.contains("fewer cores") || m.contains("cores or") ? "cores"
                    : m.contains("flavors there") ? "gpuFlavor"
                    : m.contains("GPU") ? "gpusPerNode"
                    : m.contains("queue") ? "queue" : null;
            if (field != null) {
                out.put(field, say.apply(p.phrase()));
            }
        }
        return out;
    }

    private static String formField(String moduleField) {
        return switch (moduleField) {
            case "coresPerNode", "cpusPerGpu" -> "cores";
            case "memPerNodeMb", "memPerGpuMb" -> "memoryGb";
            case "training", "training.dataset", "ranks" -> "script";
            case "minGpuMemoryMb" -> "gpuFlavor";
            case "tasksPerNode" -> "nodes";
            default -> SubmitForm.FIELDS.contains(moduleField) ? moduleField : "general";
        };
    }

    // ------------------------------------------------------------------ list

    /**
     * The jobs the caller may see, newest first, 50 a page: filters on state (one, or {@code active} / {@code ended}),
     * queue, name and, for admins, user.
     */
    @GetMapping({"", "/"})
    public String list(@RequestParam(required = false) String state, @RequestParam(required = false) String queue,
            @RequestParam(required = false) String user, @RequestParam(required = false) String name,
            @RequestParam(defaultValue = "1") int page, Model model) {
        Caller caller = Pages.caller();
        boolean admin = caller.role() != Role.USER;
        List<JobState> states = new ArrayList<>();
        String stateError = null;
        if (state != null && !state.isBlank()) {
            switch (state) {
                case "active" -> states.addAll(List.of(JobState.PENDING, JobState.HELD, JobState.STARTING, JobState.RUNNING));
                case "ended" -> states.addAll(List.of(JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED,
                        JobState.TIMEOUT, JobState.NODE_FAIL, JobState.PREEMPTED));
                default -> {
                    try {
                        states.add(JobState.parse(state));
                    } catch (Problem p) {
                        stateError = words.say(p);
                    }
                }
            }
        }
        int current = Math.max(1, page);
        // One more than a page tells whether a next page exists, without counting every job.
        List<JobView> rows = stateError != null ? List.of()
                : jobs.list(caller, states, admin ? user : null, queue, name, PAGE + 1, (long) (current - 1) * PAGE);
        model.addAttribute("caller", caller);
        model.addAttribute("admin", admin);
        Locale locale = org.springframework.context.i18n.LocaleContextHolder.getLocale();
        // Rows are written out here rather than in the template: the list is the page users load most,
        // and one pass in Java costs a fraction of the template's per-cell expressions (docs/benchmarks/web.md).
        model.addAttribute("rows", (rows.size() > PAGE ? rows.subList(0, PAGE) : rows).stream()
                .map(j -> JobRow.of(j, messages, locale, times)).toList());
        model.addAttribute("hasNext", rows.size() > PAGE);
        model.addAttribute("page", current);
        model.addAttribute("stateError", stateError);
        model.addAttribute("queues", queues.list());
        model.addAttribute("states", JobState.values());
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("state", state == null ? "" : state);
        filters.put("queue", queue == null ? "" : queue);
        filters.put("user", admin && user != null ? user : "");
        filters.put("name", name == null ? "" : name);
        model.addAttribute("filters", filters);
        return "jobs/list";
    }

    /** One line of the jobs list, every cell already written in the reader's language. */
    record JobRow(long id, String href, String name, String state, String stateLabel, String badgeClass, String user,
            String queue, String resources, String submitted, String submittedIso, String elapsed) {

        static JobRow of(JobView j, org.springframework.context.MessageSource messages, Locale locale, JobTimes times) {
            String resources = j.gpusPerNode() == 0
                    ? messages.getMessage("jobs.cpuShape", new Object[] {j.nodes()}, locale)
                    : messages.getMessage("jobs.gpusShape", new Object[] {j.nodes(), j.gpusPerNode(),
                            j.gpuFlavor() != null ? j.gpuFlavor() : messages.getMessage("jobs.anyFlavor", null, locale)}, locale);
            return new JobRow(j.id(), "/jobs/" + j.id(), j.name(), j.state(),
                    messages.getMessage("jobs.state." + j.state(), null, locale),
                    "badge badge-" + j.state().toLowerCase(Locale.ROOT), j.user(), j.queue(), resources,
                    times.at(j.submittedAt()), times.iso(j.submittedAt()), times.elapsed(j.startedAt(), j.endedAt()));
        }
    }

    // ------------------------------------------------------------------ one job

    /** A job's page: its fields, allocation, GPU use, timeline, live log and, for training jobs, charts. */
    @GetMapping("/{id}")
    public String detail(@PathVariable long id, Model model) {
        Caller caller = Pages.caller();
        JobView job = jobs.get(caller, id);
        model.addAttribute("caller", caller);
        model.addAttribute("training", "TRAINING".equals(job.type()));
        model.addAttribute("canAct", caller.role() != Role.USER || caller.username().equals(job.user()));
        status(caller, job, model);
        return "jobs/detail";
    }

    /** The live part of a job's page (state, allocation, GPU use, timeline), refreshed by htmx while the job is active. */
    @GetMapping("/{id}/status")
    public String statusFragment(@PathVariable long id, Model model) {
        Caller caller = Pages.caller();
        JobView job = jobs.get(caller, id);
        model.addAttribute("caller", caller);
        model.addAttribute("canAct", caller.role() != Role.USER || caller.username().equals(job.user()));
        status(caller, job, model);
        return "jobs/detail :: status";
    }

    private void status(Caller caller, JobView job, Model model) {
        model.addAttribute("job", job);
        model.addAttribute("active", JobState.valueOf(job.state()).active());
        model.addAttribute("timeline", jobs.timeline(caller, job.id()));
        List<ClusterView.GpuCell> gpus = new ArrayList<>();
        List<String> gpuNodes = new ArrayList<>();
        if (JobState.valueOf(job.state()).onNodes()) {
            for (ClusterView.NodeCard n : ClusterView.of(caller, nodes.status(caller)).nodes()) {
                for (ClusterView.GpuCell g : n.gpus()) {
                    if (Long.valueOf(job.id()).equals(g.jobId())) {
                        gpus.add(g);
                        gpuNodes.add(n.name());
                    }
                }
            }
        }
        model.addAttribute("gpus", gpus);
        model.addAttribute("gpuNodes", gpuNodes);
        model.addAttribute("efficiency", JobEfficiency.of(job, times.now()).orElse(null));
    }

    /** Cancels the job (a POST with the form's CSRF token), then shows its page with the outcome. */
    @PostMapping("/{id}/cancel")
    public String cancel(@PathVariable long id, RedirectAttributes flash) {
        return Pages.act(words, flash, "/jobs/" + id, new Pages.Flash("jobs.flash.cancelled", id),
                () -> jobs.cancel(Pages.caller(), id));
    }

    /** The log as it arrives, over server-sent events; see {@link LogTail}. */
    @GetMapping(path = "/{id}/log/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public SseEmitter logStream(@PathVariable long id, @RequestParam(defaultValue = "stdout") String stream,
            @RequestParam(defaultValue = "0") long offset,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId, HttpServletRequest request) {
        long from = offset;
        if (lastEventId != null && lastEventId.matches("\\d{1,18}")) {
            from = Long.parseLong(lastEventId);
        }
        HttpSession session = request.getSession(false);
        return logs.follow(Pages.caller(), session == null ? null : session.getId(), id, stream, from);
    }

    /** The whole stdout or stderr of the job's latest run, as a file. */
    @GetMapping("/{id}/log/download")
    public void download(@PathVariable long id, @RequestParam(defaultValue = "stdout") String stream,
            HttpServletResponse response) throws IOException {
        Caller caller = Pages.caller();
        // Reads the first piece before any header is written, so that a refused request is a clean 404 or 400.
        Jobs.LogPiece piece = jobs.log(caller, id, stream, 0, 0, 1 << 20);
        String file = "job-" + id + (stream.trim().toLowerCase(Locale.ROOT).equals("stderr") ? ".err" : ".out");
        response.setContentType("text/plain;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + file + "\"");
        OutputStream out = response.getOutputStream();
        while (piece.next() > piece.offset()) {
            out.write(piece.data().getBytes(StandardCharsets.UTF_8));
            piece = jobs.log(caller, id, stream, piece.next(), 0, 1 << 20);
        }
        out.flush();
    }

    /** A training job's metrics for the charts: step, loss, accuracy, samples per second, test accuracy. */
    @GetMapping(path = "/{id}/metrics", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public Map<String, Object> metrics(@PathVariable long id) {
        Caller caller = Pages.caller();
        JobView job = jobs.get(caller, id);
        return Map.of("active", JobState.valueOf(job.state()).active(), "records", jobs.metrics(caller, id));
    }

    /** A module's refusal as this area's pages show it: another organisation's job is a plain 404 page. */
    @ExceptionHandler(Problem.class)
    ModelAndView problem(Problem p, HttpServletResponse response) {
        HttpStatus status = HttpStatus.valueOf(p.kind().httpStatus());
        ModelAndView mv = new ModelAndView("error", status);
        mv.addObject("status", status.value());
        mv.addObject("message", words.say(p));
        return mv;
    }
}
