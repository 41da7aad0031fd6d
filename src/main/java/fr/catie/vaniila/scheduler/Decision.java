package fr.catie.vaniila.scheduler;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one cycle decided: the plan a committer re-checks and applies. Every pending job of the snapshot is
 * either in {@link #starts()} or in {@link #pending()}. Immutable; thread safe.
 *
 * @param at           the cycle's time
 * @param starts       jobs to start, in the order decided (priority order)
 * @param preemptions  running jobs to preempt
 * @param reservations reservations for the highest-priority blocked jobs
 * @param pending      every job left pending, in priority order
 */
public record Decision(Instant at, List<Start> starts, List<Preemption> preemptions, List<Reservation> reservations,
        List<PendingStatus> pending) {

    /** Copies the lists. */
    public Decision {
        starts = List.copyOf(starts);
        preemptions = List.copyOf(preemptions);
        reservations = List.copyOf(reservations);
        pending = List.copyOf(pending);
    }

    /** @param job a job @return its pending status, if it stays pending */
    public Optional<PendingStatus> status(JobId job) {
        for (PendingStatus s : pending) {
            if (s.job().equals(job)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** @param job a job @return its start, if it starts */
    public Optional<Start> start(JobId job) {
        for (Start s : starts) {
            if (s.job().equals(job)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** @return pending statuses by job, for callers that look many up */
    public Map<JobId, PendingStatus> pendingByJob() {
        Map<JobId, PendingStatus> map = new HashMap<>(pending.size() * 2);
        for (PendingStatus s : pending) {
            map.put(s.job(), s);
        }
        return map;
    }
}
