package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import fr.catie.vaniila.wording.Phrase;

/**
 * One scheduling cycle: the mutable working state behind {@link Scheduler#schedule}. Used once, by one thread.
 */
final class Cycle {

    /** Resources a job gives back at a time (wall-time end, or end of a preemption grace). */
    private record Release(long at, int flavor, Placer.Part[] parts) {
    }

    /** A placement that fitted the free resources at a capacity version. */
    private record Fit(long version, Placer.Result result) {
    }

    /** The static part of a request, which decides its placement and its never-satisfiable answer. */
    private record ShapeKey(QueueName queue, JobShape shape, GpuConstraint gpus, Resources resources, int flavor) {
    }

    private final SchedulerConfig config;
    private final ClusterSnapshot snapshot;
    private final Instant now;
    private final long nowMs;
    private final CycleIndex index;
    private final Capacity capacity;
    private final ReservationBook book = new ReservationBook();
    private final Placer placerNow = Placer.now();
    private final Placer placerRespecting;
    private final Map<OrgName, int[]> orgGpus = new HashMap<>();
    private final Map<OrgName, Integer> orgCores = new HashMap<>();
    private final Map<OrgName, Double> orgCommittedGpuHours = new HashMap<>();
    private final List<Release> releases = new ArrayList<>();
    private final Map<ShapeKey, Placer.Result> failedNow = new HashMap<>();
    private final Map<ShapeKey, Long> blockedFrom = new HashMap<>();
    private final Map<ShapeKey, Fit> fitsNow = new HashMap<>();
    private final Map<List<Object>, List<Integer>> candidateFlavors = new HashMap<>();
    private final Set<List<Object>> reclaimFailed = new HashSet<>();
    private final Map<Integer, List<Integer>> victimsByFlavor = new HashMap<>();
    /** Incremented whenever a start takes resources, so that a cached "fits now" is known to be stale. */
    private long capacityVersion;
    private final Map<ShapeKey, Optional<Phrase>> neverCache = new HashMap<>();
    private final List<Start> starts = new ArrayList<>();
    private final List<Preemption> preemptions = new ArrayList<>();
    private final List<Reservation> reservations = new ArrayList<>();
    private final Set<JobId> victims = new HashSet<>();
    /**
     * Under fair share, when the cluster would have done all the work it knows of if no GPU ever idled (see
     * {@link #criticalPath}); no limit otherwise.
     */
    private long workDoneByMs = Long.MAX_VALUE;
    private final int[] runningFlavor;
    /** Free resources if every job being preempted were gone; built on first need. */
    private Capacity reclaimView;
    private Map<OrgName, int[]> reclaimOrgGpus;

    Cycle(SchedulerConfig config, ClusterSnapshot snapshot, Instant now, CycleIndex index) {
        this.config = config;
        this.snapshot = snapshot;
        this.now = now;
        this.nowMs = now.toEpochMilli();
        this.index = index;
        this.capacity = index.idleCapacity();
        this.placerRespecting = Placer.nowRespecting(book);
        this.runningFlavor = new int[snapshot.running().size()];
    }

    Decision run() {
        // Phase 1: free resources and usage from the running jobs.
        List<RunningJob> running = snapshot.running();
        for (int r = 0; r < running.size(); r++) {
            RunningJob job = running.get(r);
            int flavor = -1;
            List<Placer.Part> parts = new ArrayList<>();
            for (NodeAllocation part : job.allocation().parts()) {
                int node = index.node(part.node());
                if (node < 0) {
                    throw new IllegalArgumentException("running job " + job.id() + " holds node " + part.node()
                            + ", which is not in the snapshot");
                }
                capacity.occupy(node, part.gpuIndices(), part.cores(), part.memoryMb());
                if (!part.gpuIndices().isEmpty()) {
                    flavor = index.gpuFlavor[node][part.gpuIndices().get(0)];
                }
                parts.add(new Placer.Part(node, part.gpuIndices().size(), part.cores(), part.memoryMb()));
            }
            runningFlavor[r] = flavor;
            OrgName org = job.request().org();
            if (flavor >= 0) {
                orgGpus(org)[flavor] += job.allocation().gpuCount();
            }
            orgCores.merge(org, job.allocation().cores(), Integer::sum);
            releases.add(new Release(Math.max(nowMs, job.endsBy().toEpochMilli()), flavor,
                    parts.toArray(new Placer.Part[0])));
        }

        // Phase 2: order the pending jobs, higher priority first.
        List<JobRequest> pending = snapshot.pending();
        long[] priority = new long[pending.size()];
        Integer[] order = new Integer[pending.size()];
        Priorities priorities = new Priorities(config, snapshot, now);
        for (int i = 0; i < pending.size(); i++) {
            priority[i] = priorities.of(pending.get(i));
            order[i] = i;
        }
        long[] submitted = new long[pending.size()];
        long[] ids = new long[pending.size()];
        for (int i = 0; i < pending.size(); i++) {
            submitted[i] = pending.get(i).submittedAt().toEpochMilli();
            ids[i] = pending.get(i).id().value();
        }
        // Under fair share a job holding a reservation from the previous cycle goes first and so keeps one until it
        // starts (Maui's RESERVATIONPOLICY HIGHEST): otherwise each arrival of higher priority takes the reservation
        // away and the estimated start the job was told is not kept. Under FIFO arrivals are younger: they never do.
        boolean[] keeps = new boolean[pending.size()];
        for (int i = 0; i < pending.size(); i++) {
            keeps[i] = config.policy() == Policy.FAIRSHARE_BACKFILL && pending.get(i).holdsReservation();
        }
        Comparator<Integer> byPriority = (a, b) -> keeps[a] != keeps[b] ? (keeps[a] ? -1 : 1)
                : priority[a] != priority[b] ? Long.compare(priority[b], priority[a])
                : submitted[a] != submitted[b] ? Long.compare(submitted[a], submitted[b])
                : Long.compare(ids[a], ids[b]);
        Arrays.sort(order, byPriority);
        // Under fair share, jobs their organisation's guarantee covers go before borrowing ones (as Kueue admits
        // within nominal quota first): otherwise GPUs reclaimed for an organisation go to a borrower and are
        // reclaimed again. Starving borrowers come next (see Priorities). Coverage is counted cumulatively in
        // priority order: an organisation 6 GPUs under its guarantee with 500 one-GPU jobs waiting has 6 covered
        // jobs, not 500. Ranking the other 494, which would borrow, as covered let them take every reservation
        // ahead of starving jobs.
        if (config.policy() == Policy.FAIRSHARE_BACKFILL) {
            boolean boosted = false;
            Map<OrgName, int[]> covered = new HashMap<>();
            for (int k = 0; k < order.length; k++) {
                int i = order[k];
                if (coveredByGuarantee(pending.get(i), covered)) {
                    priority[i] += Priorities.WITHIN_GUARANTEE;
                    boosted = true;
                }
            }
            // The jobs on the critical path go ahead of all but those a guarantee covers, the longest first.
            boolean[] critical = criticalPath(pending);
            for (int i = 0; i < pending.size(); i++) {
                if (critical[i]) {
                    long guarantee = priority[i] >= Priorities.WITHIN_GUARANTEE ? Priorities.WITHIN_GUARANTEE : 0;
                    priority[i] = guarantee + Priorities.CRITICAL_PATH + wallSeconds(pending.get(i));
                    boosted = true;
                }
            }
            if (boosted) {
                Arrays.sort(order, byPriority);
            }
        }

        // Phase 3: walk in priority order; start what fits, explain the rest.
        List<PendingStatus> statuses = new ArrayList<>();
        Map<QueueName, JobRequest> blockedQueues = new HashMap<>();
        Map<QueueName, Integer> positions = new HashMap<>();
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            JobRequest job = pending.get(i);
            Outcome outcome = consider(job, blockedQueues);
            if (outcome == null) {
                continue;
            }
            int position = positions.merge(job.queue(), 1, Integer::sum);
            statuses.add(new PendingStatus(job.id(), outcome.reason, outcome.details, position, priority[i],
                    Optional.ofNullable(outcome.estimatedStart)));
        }

        // Phase 4: the decision.
        return new Decision(now, starts, preemptions, reservations, statuses);
    }

    /**
     * The pending jobs on the cluster's critical path, under fair share (none otherwise). The work the cluster knows
     * of (the running jobs' GPUs until their wall-time ends, the pending jobs' GPUs for their wall times) would be
     * done, were no GPU ever idle, after that GPU-time over the cluster's GPUs. A pending job longer than that ends
     * last however the rest is ordered, so each hour it waits is an hour more before the cluster is done, with GPUs
     * idle at the end: fair share runs such jobs first (the longest-processing-time-first rule for the makespan).
     * Fair-share order delayed such jobs by 8 to 46 hours on four Philly 1-day slices and lowered GPU allocation
     * below FIFO's (docs/benchmarks/scheduler.md §3).
     */
    private boolean[] criticalPath(List<JobRequest> pending) {
        boolean[] critical = new boolean[pending.size()];
        int gpus = snapshot.totalGpus();
        if (config.policy() != Policy.FAIRSHARE_BACKFILL || gpus == 0) {
            return critical;
        }
        double gpuSeconds = 0;
        for (RunningJob r : snapshot.running()) {
            gpuSeconds += r.allocation().gpuCount() * Math.max(0, r.endsBy().toEpochMilli() - nowMs) / 1000.0;
        }
        for (JobRequest job : pending) {
            if (!job.held() && job.dependency() == DependencyState.SATISFIED) {
                gpuSeconds += job.totalGpus() * (double) wallSeconds(job);
            }
        }
        double doneInSeconds = gpuSeconds / gpus;
        workDoneByMs = nowMs + Math.round(doneInSeconds * 1000);
        for (int i = 0; i < pending.size(); i++) {
            JobRequest job = pending.get(i);
            critical[i] = job.totalGpus() > 0 && !job.held() && job.dependency() == DependencyState.SATISFIED
                    && wallSeconds(job) > doneInSeconds;
        }
        return critical;
    }

    /** The job's wall time in seconds: its own, or its queue's default; 0 when its queue is unknown. */
    private long wallSeconds(JobRequest job) {
        return snapshot.wallTime(job).map(Duration::getSeconds).orElse(0L);
    }

    /** Why a job stays pending this cycle; null when it starts. */
    private record Outcome(PendingReason reason, Phrase details, Instant estimatedStart) {
    }

    private Outcome consider(JobRequest job, Map<QueueName, JobRequest> blockedQueues) {
        if (job.held()) {
            return new Outcome(PendingReason.HELD, Phrase.of(ReasonDetail.HELD_BY_OWNER), null);
        }
        if (job.dependency() == DependencyState.WAITING) {
            return new Outcome(PendingReason.DEPENDENCY, Phrase.of(ReasonDetail.DEPENDS_WAITING), null);
        }
        if (job.dependency() == DependencyState.NEVER) {
            return new Outcome(PendingReason.DEPENDENCY, Phrase.of(ReasonDetail.DEPENDS_NEVER), null);
        }
        Optional<Queue> maybeQueue = snapshot.queue(job.queue());
        Optional<Phrase> limit = queueLimit(job, maybeQueue, snapshot);
        if (limit.isPresent()) {
            return new Outcome(PendingReason.QUEUE_LIMIT, limit.get(), null);
        }
        Queue queue = maybeQueue.orElseThrow();
        int q = index.queue(queue.name());
        List<Integer> flavors = job.totalGpus() == 0 ? List.of(-1)
                : candidateFlavors.computeIfAbsent(List.of(job.gpus(), q), k -> index.candidateFlavors(job.gpus(), q));
        Optional<Phrase> never = never(job, q, flavors);
        if (never.isPresent()) {
            return new Outcome(PendingReason.NEVER_SATISFIABLE, never.get(), null);
        }
        Optional<Organisation> maybeOrg = snapshot.organisation(job.org());
        if (maybeOrg.isEmpty()) {
            return new Outcome(PendingReason.QUOTA, Phrase.of(ReasonDetail.ORG_NO_QUOTA, job.org()), null);
        }
        Organisation org = maybeOrg.get();
        Duration wall = job.wallTime().orElse(queue.defaultWallTime());
        double jobGpuHours = job.totalGpus() * wall.toMillis() / 3_600_000.0;
        if (org.gpuHourBudget().isPresent() && job.totalGpus() > 0) {
            double used = org.gpuHoursUsed() + orgCommittedGpuHours.getOrDefault(org.name(), 0.0);
            double budget = org.gpuHourBudget().getAsDouble();
            if (used + jobGpuHours > budget) {
                return new Outcome(PendingReason.BUDGET, Phrase.of(ReasonDetail.BUDGET, org.name(), oneDecimal(used),
                        oneDecimal(budget), oneDecimal(jobGpuHours), job.totalGpus(), Texts.duration(wall)), null);
            }
        }
        int jobCores = totalCores(job);
        if (org.cpuCoreLimit().isPresent()) {
            int held = orgCores.getOrDefault(org.name(), 0);
            if (held + jobCores > org.cpuCoreLimit().getAsInt()) {
                return new Outcome(PendingReason.QUOTA, Phrase.of(ReasonDetail.CORE_QUOTA, org.name(), held,
                        org.cpuCoreLimit().getAsInt(), jobCores), null);
            }
        }
        List<Integer> allowed = new ArrayList<>();
        if (job.totalGpus() == 0) {
            allowed.add(-1);
        } else {
            for (int f : flavors) {
                if (orgGpus(org.name())[f] + job.totalGpus() <= org.quota(index.flavors.get(f).name()).ceiling()) {
                    allowed.add(f);
                }
            }
            if (allowed.isEmpty()) {
                int f = flavors.get(0);
                FlavorQuota quota = org.quota(index.flavors.get(f).name());
                return new Outcome(PendingReason.QUOTA, Phrase.of(ReasonDetail.GPU_QUOTA, org.name(),
                        orgGpus(org.name())[f], index.flavors.get(f).name(), quota.ceiling(), quota.guaranteedGpus(),
                        quota.borrowLimit(), job.totalGpus()), null);
            }
            // Prefer flavors where the organisation stays within its guarantee, then the smallest adequate GPU.
            if (allowed.size() > 1) {
                allowed.sort(Comparator.<Integer>comparingInt(f -> withinGuarantee(org, f, job.totalGpus()) ? 0 : 1)
                        .thenComparingInt(f -> f));
            }
        }
        JobRequest blocker = blockedQueues.get(job.queue());
        if (config.policy() == Policy.FIFO && blocker != null) {
            return new Outcome(PendingReason.PRIORITY, Phrase.of(ReasonDetail.FIFO_BLOCKED, job.queue(), blocker.id()),
                    null);
        }

        // Placement: first without delaying any reservation.
        long endsAt = nowMs + wall.toMillis();
        ReservationBook.Entry delayed = null;
        Placer.Result bestFailure = null;
        int bestFailureFlavor = -1;
        for (int f : allowed) {
            ShapeKey key = new ShapeKey(job.queue(), job.shape(), job.gpus(), job.resources(), f);
            Placer.Result cached = failedNow.get(key);
            if (cached != null) {
                if (bestFailure == null || cached.maxFree > bestFailure.maxFree) {
                    bestFailure = cached;
                    bestFailureFlavor = f;
                }
                continue;
            }
            NodeDemand base = new NodeDemand(q, f, 0, 0, 0, endsAt);
            // Capacity and reservation spares only shrink during a cycle and a later end meets more reservations:
            // a shape that could not start respecting reservations with some end cannot with a later one.
            Long blocked = blockedFrom.get(key);
            if (book.isEmpty() || blocked == null || endsAt < blocked) {
                Placer.Result result = (book.isEmpty() ? placerNow : placerRespecting)
                        .place(job.shape(), job.resources(), base, capacity);
                if (result.placed()) {
                    start(job, org, f, result, endsAt, !book.isEmpty(), jobGpuHours);
                    return null;
                }
                if (book.isEmpty()) {
                    failedNow.put(key, result);
                    if (bestFailure == null || result.maxFree > bestFailure.maxFree) {
                        bestFailure = result;
                        bestFailureFlavor = f;
                    }
                    continue;
                }
                blockedFrom.merge(key, endsAt, Math::min);
            }
            // It does not start: does it fit the free resources at all (then a reservation holds it back)?
            Fit fit = fitsNow.get(key);
            if (fit == null || fit.version != capacityVersion) {
                Placer.Result free = placerNow.place(job.shape(), job.resources(), base, capacity);
                if (!free.placed()) {
                    failedNow.put(key, free);
                    if (bestFailure == null || free.maxFree > bestFailure.maxFree) {
                        bestFailure = free;
                        bestFailureFlavor = f;
                    }
                    continue;
                }
                fit = new Fit(capacityVersion, free);
                fitsNow.put(key, fit);
            }
            if (delayed == null) {
                delayed = firstDelayed(fit.result, f, job, endsAt);
            }
        }
        if (delayed != null) {
            return new Outcome(PendingReason.PRIORITY, delayed.delayPhrase(), null);
        }
        Phrase details = Texts.resources(job, bestFailureFlavor < 0 ? null : index.flavors.get(bestFailureFlavor),
                bestFailure, queue);
        if (config.policy() == Policy.FIFO) {
            blockedQueues.put(job.queue(), job);
        }

        // Blocked: take GPUs back by preemption when the policy allows it.
        if (config.policy() == Policy.FAIRSHARE_BACKFILL || config.policy() == Policy.LAS) {
            Outcome preempted = preemptFor(job, org, q, allowed, wall);
            if (preempted != null) {
                return preempted;
            }
        }
        // Blocked: reserve the earliest resources so that backfilled jobs cannot delay it.
        // A kept reservation does not count against the depth: reclaims add reservations of their own, and a job
        // must not lose its reservation because one of those took its slot.
        boolean keeps = config.policy() == Policy.FAIRSHARE_BACKFILL && job.holdsReservation();
        if (config.policy().backfills() && (keeps || book.entries().size() < config.reservationDepth())) {
            Instant at = reserve(job, q, allowed, wall);
            if (at != null) {
                return new Outcome(PendingReason.RESOURCES, Phrase.of(ReasonDetail.RESERVED_FROM, details, at), at);
            }
        }
        return new Outcome(PendingReason.RESOURCES, details, null);
    }

    /**
     * Whether the organisation's guarantee still covers the job once its running jobs and the covered jobs ranked
     * before it are counted; if so, counts it in {@code covered} (GPUs per organisation and flavor, running
     * included). Held jobs and jobs waiting on a dependency cannot start, so they take no share of the guarantee.
     */
    private boolean coveredByGuarantee(JobRequest job, Map<OrgName, int[]> covered) {
        Optional<Organisation> org = snapshot.organisation(job.org());
        int q = index.queue(job.queue());
        if (org.isEmpty() || q < 0 || job.totalGpus() == 0) {
            return true;
        }
        if (job.held() || job.dependency() != DependencyState.SATISFIED) {
            return false;
        }
        int[] held = covered.computeIfAbsent(job.org(), o -> orgGpus(o).clone());
        for (int f : candidateFlavors.computeIfAbsent(List.of(job.gpus(), q),
                k -> index.candidateFlavors(job.gpus(), q))) {
            if (held[f] + job.totalGpus() <= org.get().quota(index.flavors.get(f).name()).guaranteedGpus()) {
                held[f] += job.totalGpus();
                return true;
            }
        }
        return false;
    }

    private boolean withinGuarantee(Organisation org, int flavor, int gpus) {
        return orgGpus(org.name())[flavor] + gpus <= org.quota(index.flavors.get(flavor).name()).guaranteedGpus();
    }

    private int[] orgGpus(OrgName org) {
        return orgGpus.computeIfAbsent(org, o -> new int[Math.max(1, index.flavors.size())]);
    }

    private static int totalCores(JobRequest job) {
        JobShape s = job.shape();
        if (s instanceof JobShape.Nodes n) {
            return n.nodes() * job.resources().coresOn(n.gpusPerNode());
        }
        return job.resources().coresOn(s.totalGpus());
    }

    private ReservationBook.Entry firstDelayed(Placer.Result free, int flavor, JobRequest job, long endsAt) {
        for (Placer.Part p : free.parts) {
            ReservationBook.Entry e = book.blocking(new NodeDemand(0, flavor, p.gpus(), p.cores(), p.memoryMb(),
                    endsAt), p.node());
            if (e != null) {
                return e;
            }
        }
        return book.entries().get(0);
    }

    private void start(JobRequest job, Organisation org, int flavor, Placer.Result result, long endsAt,
            boolean backfilled, double gpuHours) {
        capacityVersion++;
        List<NodeAllocation> parts = new ArrayList<>();
        for (Placer.Part p : result.parts) {
            int[] gpus = flavor < 0 ? new int[0] : capacity.take(p.node(), flavor, p.gpus(), p.cores(), p.memoryMb());
            if (flavor < 0) {
                capacity.add(p.node(), -1, 0, p.cores(), p.memoryMb(), -1);
            }
            if (reclaimView != null) {
                reclaimView.add(p.node(), flavor, p.gpus(), p.cores(), p.memoryMb(), -1);
            }
            book.consume(p.node(), flavor, p.gpus(), p.cores(), p.memoryMb(), endsAt);
            List<Integer> indices = new ArrayList<>(gpus.length);
            for (int g : gpus) {
                indices.add(g);
            }
            parts.add(new NodeAllocation(index.nodes.get(p.node()).name(), indices, p.cores(), p.memoryMb()));
        }
        boolean borrowing = false;
        if (flavor >= 0) {
            borrowing = !withinGuarantee(org, flavor, job.totalGpus());
            orgGpus(org.name())[flavor] += job.totalGpus();
            if (reclaimOrgGpus != null) {
                reclaimOrgGpus.computeIfAbsent(org.name(), o -> new int[index.flavors.size()])[flavor] +=
                        job.totalGpus();
            }
        }
        orgCores.merge(org.name(), totalCores(job), Integer::sum);
        orgCommittedGpuHours.merge(org.name(), gpuHours, Double::sum);
        releases.add(new Release(endsAt, flavor, result.parts));
        Allocation allocation = new Allocation(parts);
        starts.add(new Start(job.id(), allocation, flavor < 0 ? null : index.flavors.get(flavor),
                Instant.ofEpochMilli(endsAt), borrowing, backfilled && !book.isEmpty()));
    }

    // ---------------------------------------------------------------- backfill reservations

    private Instant reserve(JobRequest job, int q, List<Integer> flavors, Duration wall) {
        releases.sort(Comparator.comparingLong(Release::at));
        long bestAt = Long.MAX_VALUE;
        ReservationBook.Entry best = null;
        for (int f : flavors) {
            ReservationBook.Entry e = earliest(job, q, f, wall.toMillis(), bestAt);
            if (e != null && e.start < bestAt) {
                bestAt = e.start;
                best = e;
            }
        }
        if (best == null) {
            return null;
        }
        addReservation(best);
        return Instant.ofEpochMilli(best.start);
    }

    private void addReservation(ReservationBook.Entry e) {
        // A reservation that is still running when an earlier-made one starts uses that one's spare too.
        for (int i = 0; i < e.nodes.length; i++) {
            for (ReservationBook.Entry other : book.entries()) {
                boolean reservedThere = other.spareCores[e.nodes[i]] != Integer.MAX_VALUE;
                if (e.start <= other.start && other.start < e.end && reservedThere) {
                    if (other.flavor == e.flavor) {
                        other.spareGpus[e.nodes[i]] -= e.gpus[i];
                    }
                    other.spareCores[e.nodes[i]] -= e.cores[i];
                    other.spareMemory[e.nodes[i]] -= e.memory[i];
                }
            }
        }
        book.add(e);
        List<Reservation.ReservedNode> nodes = new ArrayList<>();
        for (int i = 0; i < e.nodes.length; i++) {
            nodes.add(new Reservation.ReservedNode(index.nodes.get(e.nodes[i]).name(), e.gpus[i], e.cores[i],
                    e.memory[i]));
        }
        reservations.add(new Reservation(e.job, Instant.ofEpochMilli(e.start),
                e.flavor < 0 ? null : index.flavors.get(e.flavor), nodes));
    }

    /** Sweeps the release times in order and returns the first time the job fits, with its spares. */
    private ReservationBook.Entry earliest(JobRequest job, int q, int flavor, long wallMs, long notAfter) {
        Capacity projection = capacity.projection();
        List<Long> times = new ArrayList<>();
        for (Release r : releases) {
            times.add(r.at);
        }
        for (ReservationBook.Entry e : book.entries()) {
            times.add(e.end);
        }
        times.sort(null);
        int next = 0;
        long previous = Long.MIN_VALUE;
        for (long t : times) {
            if (t == previous || t >= notAfter) {
                if (t >= notAfter) {
                    break;
                }
                continue;
            }
            previous = t;
            while (next < releases.size() && releases.get(next).at <= t) {
                Release r = releases.get(next++);
                for (Placer.Part p : r.parts) {
                    projection.add(p.node(), r.flavor, p.gpus(), p.cores(), p.memoryMb(), 1);
                }
            }
            if (flavor >= 0 && projection.freeOnUpNodes(flavor) < job.totalGpus()) {
                continue;
            }
            List<ReservationBook.Entry> overlapping = new ArrayList<>();
            for (ReservationBook.Entry e : book.entries()) {
                if (t < e.end && t + wallMs > e.start) {
                    overlapping.add(e);
                    shift(projection, e, -1);
                }
            }
            Placer.Result result = placerNow.place(job.shape(), job.resources(),
                    new NodeDemand(q, flavor, 0, 0, 0, t + wallMs), projection);
            ReservationBook.Entry entry = null;
            if (result.placed()) {
                entry = entry(job.id(), t, t + wallMs, flavor, result, projection);
            }
            for (ReservationBook.Entry e : overlapping) {
                shift(projection, e, 1);
            }
            if (entry != null) {
                return entry;
            }
        }
        return null;
    }

    private static void shift(Capacity projection, ReservationBook.Entry e, int sign) {
        for (int i = 0; i < e.nodes.length; i++) {
            projection.add(e.nodes[i], e.flavor, e.gpus[i], e.cores[i], e.memory[i], sign);
        }
    }

    private ReservationBook.Entry entry(JobId job, long start, long end, int flavor, Placer.Result result,
            Capacity at) {
        int k = result.parts.length;
        int[] nodes = new int[k];
        int[] gpus = new int[k];
        int[] cores = new int[k];
        long[] memory = new long[k];
        for (int i = 0; i < k; i++) {
            Placer.Part p = result.parts[i];
            nodes[i] = p.node();
            gpus[i] = p.gpus();
            cores[i] = p.cores();
            memory[i] = p.memoryMb();
        }
        ReservationBook.Entry e = new ReservationBook.Entry(job, start, end, flavor, index.nodeCount(), nodes, gpus,
                cores, memory);
        for (int i = 0; i < k; i++) {
            e.spareGpus[nodes[i]] = flavor < 0 ? Integer.MAX_VALUE : at.freeGpus(nodes[i], flavor) - gpus[i];
            e.spareCores[nodes[i]] = at.freeCores(nodes[i]) - cores[i];
            e.spareMemory[nodes[i]] = at.freeMemoryMb(nodes[i]) - memory[i];
        }
        return e;
    }

    // ---------------------------------------------------------------- preemption

    private Outcome preemptFor(JobRequest job, Organisation org, int q, List<Integer> flavors, Duration wall) {
        boolean las = config.policy() == Policy.LAS;
        int level = config.lasLevel(job.attainedGpuSeconds());
        for (int f : flavors) {
            if (f < 0 || (!las && !withinGuarantee(org, f, job.totalGpus()))) {
                continue;
            }
            List<Object> attempt = List.of(job.queue(), job.shape(), job.gpus(), job.resources(), f,
                    las ? level : job.org());
            if (reclaimFailed.contains(attempt)) {
                continue;
            }
            ensureReclaimView();
            NodeDemand base = new NodeDemand(q, f, 0, 0, 0, nowMs + wall.toMillis());
            Placer.Result result = placerNow.place(job.shape(), job.resources(), base, reclaimView);
            List<Integer> chosen = new ArrayList<>();
            if (!result.placed()) {
                for (int r : victimOrder(f, las)) {
                    RunningJob v = snapshot.running().get(r);
                    boolean qualifies = las ? lasLevel(v) > level : !v.request().org().equals(job.org());
                    if (victims.contains(v.id()) || !qualifies) {
                        continue;
                    }
                    int[] used = reclaimOrgGpus.computeIfAbsent(v.request().org(), o -> new int[index.flavors.size()]);
                    if (!las && used[f] <= snapshot.organisation(v.request().org())
                            .map(o -> o.quota(index.flavors.get(f).name()).guaranteedGpus()).orElse(0)) {
                        continue;
                    }
                    release(v, reclaimView, 1);
                    used[f] -= v.allocation().gpuCount();
                    chosen.add(r);
                    if (reclaimView.freeOnUpNodes(f) < job.totalGpus()) {
                        continue;
                    }
                    result = placerNow.place(job.shape(), job.resources(), base, reclaimView);
                    if (result.placed()) {
                        break;
                    }
                }
                if (!result.placed()) {
                    reclaimFailed.add(attempt);
                    for (int r : chosen) {
                        RunningJob v = snapshot.running().get(r);
                        release(v, reclaimView, -1);
                        reclaimOrgGpus.get(v.request().org())[f] += v.allocation().gpuCount();
                    }
                    continue;
                }
            }
            Set<Integer> usedNodes = new HashSet<>();
            for (Placer.Part p : result.parts) {
                usedNodes.add(p.node());
            }
            List<RunningJob> kept = new ArrayList<>();
            for (int r : chosen) {
                RunningJob v = snapshot.running().get(r);
                if (onNodes(v, usedNodes)) {
                    kept.add(v);
                } else {
                    release(v, reclaimView, -1);
                    reclaimOrgGpus.get(v.request().org())[f] += v.allocation().gpuCount();
                }
            }
            for (Placer.Part p : result.parts) {
                reclaimView.add(p.node(), f, p.gpus(), p.cores(), p.memoryMb(), -1);
            }
            orgGpus(org.name())[f] += job.totalGpus();
            reclaimOrgGpus.computeIfAbsent(org.name(), o -> new int[index.flavors.size()])[f] += job.totalGpus();
            long at = kept.isEmpty() ? nowMs : nowMs + config.preemptionGrace().toMillis();
            for (RunningJob r : snapshot.running()) {
                if (r.preempting() && onNodes(r, usedNodes)) {
                    at = Math.max(at, r.endsBy().toEpochMilli());
                }
                if (victims.contains(r.id()) && onNodes(r, usedNodes)) {
                    // GPUs left over by a job preempted earlier in this cycle are free only after its grace.
                    at = Math.max(at, nowMs + config.preemptionGrace().toMillis());
                }
            }
            for (RunningJob v : kept) {
                victims.add(v.id());
                Phrase why = las ? Phrase.of(PreemptionReason.LAS, job.id())
                        : Phrase.of(PreemptionReason.RECLAIM, org.name(),
                                org.quota(index.flavors.get(f).name()).guaranteedGpus(), index.flavors.get(f).name(),
                                v.request().org());
                preemptions.add(new Preemption(v.id(), las ? PreemptionCause.LAS : PreemptionCause.RECLAIM, org.name(),
                        job.id(), config.preemptionGrace(), Phrase.of(PreemptionReason.REQUEUED, why)));
            }
            ReservationBook.Entry entry = entry(job.id(), at, at + wall.toMillis(), f, result, reclaimView);
            addReservation(entry);
            Instant start = Instant.ofEpochMilli(at);
            Phrase details = kept.isEmpty()
                    ? Phrase.of(ReasonDetail.WAITS_FOR_PREEMPTED, job.totalGpus(), index.flavors.get(f).name(), start)
                    : Phrase.of(ReasonDetail.PREEMPTING, kept.size(), job.totalGpus(), index.flavors.get(f).name(),
                            start);
            return new Outcome(PendingReason.RESOURCES, details, start);
        }
        return null;
    }

    private boolean onNodes(RunningJob job, Set<Integer> nodes) {
        for (NodeAllocation part : job.allocation().parts()) {
            if (nodes.contains(index.node(part.node()))) {
                return true;
            }
        }
        return false;
    }

    private void ensureReclaimView() {
        if (reclaimView != null) {
            return;
        }
        reclaimView = capacity.projection();
        reclaimOrgGpus = new HashMap<>();
        for (Map.Entry<OrgName, int[]> e : orgGpus.entrySet()) {
            reclaimOrgGpus.put(e.getKey(), e.getValue().clone());
        }
        for (RunningJob r : snapshot.running()) {
            if (r.preempting()) {
                release(r, reclaimView, 1);
            }
        }
    }

    private void release(RunningJob job, Capacity view, int sign) {
        for (NodeAllocation part : job.allocation().parts()) {
            int node = index.node(part.node());
            for (int g : part.gpuIndices()) {
                view.add(node, index.gpuFlavor[node][g], 1, 0, 0, sign);
            }
            view.add(node, -1, 0, part.cores(), part.memoryMb(), sign);
        }
    }

    /**
     * Running preemptible jobs on the flavor, in the order to take them: most served first under LAS, most
     * recently started first for a reclaim. Built once per flavor and cycle; callers skip the ones that do not
     * qualify for their job.
     */
    private List<Integer> victimOrder(int flavor, boolean las) {
        return victimsByFlavor.computeIfAbsent(flavor, f -> {
            List<Integer> out = new ArrayList<>();
            List<RunningJob> running = snapshot.running();
            for (int r = 0; r < running.size(); r++) {
                RunningJob v = running.get(r);
                if (runningFlavor[r] == f && !v.preempting() && preemptible(v)) {
                    out.add(r);
                }
            }
            Comparator<Integer> recentFirst = Comparator.comparing((Integer r) -> running.get(r).startedAt())
                    .reversed();
            if (las) {
                int[] levels = new int[running.size()];
                for (int r : out) {
                    levels[r] = lasLevel(running.get(r));
                }
                out.sort(Comparator.comparingInt((Integer r) -> -levels[r]).thenComparing(recentFirst));
            } else {
                // A job that will still run when all other known work is done is taken last: preempting it would
                // push the end of all work back by as long as it had run (criticalPath).
                out.sort(Comparator.comparing((Integer r) -> running.get(r).endsBy().toEpochMilli() > workDoneByMs)
                        .thenComparing(recentFirst));
            }
            return out;
        });
    }

    private int lasLevel(RunningJob v) {
        double run = Duration.between(v.startedAt(), now).toMillis() / 1000.0 * v.allocation().gpuCount();
        return config.lasLevel(v.request().attainedGpuSeconds() + Math.max(0, run));
    }

    private boolean preemptible(RunningJob v) {
        return v.request().preemptible()
                || snapshot.queue(v.request().queue()).map(Queue::preemptible).orElse(false);
    }

    /** A number of GPU-hours as the budget sentence writes it, whatever the machine's locale. */
    private static String oneDecimal(double value) {
        return String.format(java.util.Locale.ROOT, "%.1f", value);
    }

    // ---------------------------------------------------------------- eligibility

    private Optional<Phrase> never(JobRequest job, int q, List<Integer> flavors) {
        if (job.totalGpus() > 0 && flavors.isEmpty()) {
            return Optional.of(Texts.noFlavor(job, snapshot.queue(job.queue()).orElseThrow(), index));
        }
        Optional<Phrase> reason = Optional.empty();
        for (int f : flavors) {
            ShapeKey key = new ShapeKey(job.queue(), job.shape(), job.gpus(), job.resources(), f);
            reason = neverCache.computeIfAbsent(key, k -> everFits(job, q, f, index));
            if (reason.isEmpty()) {
                break;
            }
        }
        if (reason.isPresent() || job.totalGpus() == 0) {
            return reason;
        }
        Optional<Organisation> org = snapshot.organisation(job.org());
        if (org.isEmpty()) {
            return Optional.empty();
        }
        for (int f : flavors) {
            if (job.totalGpus() <= org.get().quota(index.flavors.get(f).name()).ceiling()) {
                return Optional.empty();
            }
        }
        int f = flavors.get(0);
        FlavorQuota quota = org.get().quota(index.flavors.get(f).name());
        return Optional.of(Phrase.of(ReasonDetail.NEVER_QUOTA, job.totalGpus(), job.org(), quota.ceiling(),
                index.flavors.get(f).name(), quota.guaranteedGpus(), quota.borrowLimit()));
    }

    private static Optional<Phrase> everFits(JobRequest job, int q, int flavor, CycleIndex index) {
        Capacity idle = index.idleTemplate();
        Placer.Result result = Placer.ever().place(job.shape(), job.resources(), new NodeDemand(q, flavor, 0, 0, 0,
                Long.MAX_VALUE), idle);
        if (result.placed()) {
            return Optional.empty();
        }
        return Optional.of(Texts.never(job, flavor < 0 ? null : index.flavors.get(flavor), result,
                index.queues.get(q)));
    }

    static Optional<Phrase> queueLimit(JobRequest job, Optional<Queue> maybeQueue, ClusterSnapshot snapshot) {
        if (maybeQueue.isEmpty()) {
            return Optional.of(Phrase.of(ReasonDetail.QUEUE_UNKNOWN, job.queue(),
                    Texts.queueNames(snapshot.queues(), null)));
        }
        Queue queue = maybeQueue.get();
        if (!queue.allowedOrgs().isEmpty() && !queue.allowedOrgs().contains(job.org())) {
            return Optional.of(Phrase.of(ReasonDetail.QUEUE_NOT_ALLOWED, job.org(), queue.name(),
                    Texts.queueNames(snapshot.queues(), job.org())));
        }
        if (job.totalGpus() > queue.maxGpusPerJob()) {
            return Optional.of(Phrase.of(ReasonDetail.QUEUE_MAX_GPUS, job.totalGpus(), queue.name(),
                    queue.maxGpusPerJob()));
        }
        if (job.wallTime().isPresent() && job.wallTime().get().compareTo(queue.maxWallTime()) > 0) {
            return Optional.of(Phrase.of(ReasonDetail.QUEUE_MAX_WALLTIME, Texts.duration(job.wallTime().get()),
                    queue.name(), Texts.duration(queue.maxWallTime())));
        }
        return Optional.empty();
    }

    /** An empty cycle over the snapshot's nodes, queues and organisations, for submit-time checks. */
    static Cycle forChecks(ClusterSnapshot snapshot) {
        return new Cycle(SchedulerConfig.defaults(Policy.FAIRSHARE_BACKFILL), snapshot.withJobs(List.of(), List.of()),
                Instant.EPOCH, new CycleIndex(snapshot));
    }

    /** The submit-time check on this cycle's (empty) cluster; answers are cached per request shape. */
    Feasibility feasibility(JobRequest job) {
        Optional<Queue> queue = snapshot.queue(job.queue());
        Optional<Phrase> limit = queueLimit(job, queue, snapshot);
        if (limit.isPresent()) {
            return new Feasibility.Infeasible(PendingReason.QUEUE_LIMIT, limit.get());
        }
        int q = index.queue(job.queue());
        List<Integer> flavors = job.totalGpus() == 0 ? List.of(-1)
                : candidateFlavors.computeIfAbsent(List.of(job.gpus(), q), k -> index.candidateFlavors(job.gpus(), q));
        Optional<Phrase> never = never(job, q, flavors);
        if (never.isPresent()) {
            return new Feasibility.Infeasible(PendingReason.NEVER_SATISFIABLE, never.get());
        }
        return new Feasibility.Feasible();
    }
}
