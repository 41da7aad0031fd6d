package fr.catie.vaniila.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import fr.catie.vaniila.jobs.JobState;
import fr.catie.vaniila.jobs.JobSubmission;
import fr.catie.vaniila.jobs.JobView;
import fr.catie.vaniila.jobs.Jobs;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST adapter for jobs. */
@RestController
@RequestMapping("/api/v1/jobs")
public class JobsApi {

    private final Jobs jobs;

    public JobsApi(Jobs jobs) {
        this.jobs = jobs;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> submit(@RequestBody JobSubmission submission) {
        Jobs.Submitted s = jobs.submit(CurrentCaller.get(), submission);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        if (s.taskIds().size() > 1 || submission.array() != null) {
            out.put("taskIds", s.taskIds());
        }
        out.put("state", s.state().name());
        return out;
    }

    @GetMapping
    public List<JobView> list(@RequestParam(required = false) String state, @RequestParam(required = false) String user,
            @RequestParam(required = false) String queue, @RequestParam(defaultValue = "100") int limit,
            @RequestParam(defaultValue = "0") long offset) {
        List<JobState> states = new ArrayList<>();
        if (state != null && !state.isBlank()) {
            for (String s : state.split(",")) {
                states.add(JobState.parse(s));
            }
        }
        return jobs.list(CurrentCaller.get(), states, user, queue, limit, offset);
    }

    @GetMapping("/{id}")
    public JobView get(@PathVariable long id) {
        return jobs.get(CurrentCaller.get(), id);
    }

    @GetMapping("/{id}/timeline")
    public List<Jobs.Transition> timeline(@PathVariable long id) {
        return jobs.timeline(CurrentCaller.get(), id);
    }

    /**
     * A piece of the log from {@code offset}. The body is the text; headers say where the next piece
     * starts ({@code X-Log-Next}), whether the portal's copy was truncated and whether the job ended.
     */
    @GetMapping("/{id}/log")
    public ResponseEntity<String> log(@PathVariable long id, @RequestParam(defaultValue = "stdout") String stream,
            @RequestParam(defaultValue = "0") long offset, @RequestParam(defaultValue = "0") int rank,
            @RequestParam(defaultValue = "1048576") int max) {
        Jobs.LogPiece piece = jobs.log(CurrentCaller.get(), id, stream, offset, rank, max);
        return ResponseEntity.ok().contentType(new MediaType("text", "plain", StandardCharsets.UTF_8))
                .header("X-Log-Offset", Long.toString(piece.offset()))
                .header("X-Log-Next", Long.toString(piece.next()))
                .header("X-Log-Truncated", Boolean.toString(piece.truncated()))
                .header("X-Job-Ended", Boolean.toString(piece.complete()))
                .body(piece.data());
    }

    @GetMapping("/{id}/metrics")
    public List<Map<String, Object>> metrics(@PathVariable long id) {
        return jobs.metrics(CurrentCaller.get(), id);
    }

    @DeleteMapping("/{id}")
    public JobView cancel(@PathVariable long id) {
        return jobs.cancel(CurrentCaller.get(), id);
    }

    @PostMapping("/{id}/cancel")
    public JobView cancelPost(@PathVariable long id) {
        return jobs.cancel(CurrentCaller.get(), id);
    }

    @PostMapping("/{id}/hold")
    public JobView hold(@PathVariable long id) {
        return jobs.hold(CurrentCaller.get(), id);
    }

    @PostMapping("/{id}/release")
    public JobView release(@PathVariable long id) {
        return jobs.release(CurrentCaller.get(), id);
    }

    @PostMapping("/{id}/requeue")
    public JobView requeue(@PathVariable long id) {
        return jobs.requeue(CurrentCaller.get(), id);
    }
}
