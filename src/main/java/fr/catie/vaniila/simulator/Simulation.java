package fr.catie.vaniila.simulator;

import fr.catie.vaniila.scheduler.ClusterSnapshot;
import fr.catie.vaniila.scheduler.DecayedUsage;
import fr.catie.vaniila.scheduler.Decision;
import fr.catie.vaniila.scheduler.Feasibility;
import fr.catie.vaniila.scheduler.FlavorQuota;
import fr.catie.vaniila.scheduler.GpuConstraint;
import fr.catie.vaniila.scheduler.GpuFlavor;
import fr.catie.vaniila.scheduler.JobId;
import fr.catie.vaniila.scheduler.JobRequest;
import fr.catie.vaniila.scheduler.Node;
import fr.catie.vaniila.scheduler.NodeState;
import fr.catie.vaniila.scheduler.OrgName;
import fr.catie.vaniila.scheduler.Organisation;
import fr.catie.vaniila.scheduler.PendingReason;
import fr.catie.vaniila.scheduler.PendingStatus;
import fr.catie.vaniila.scheduler.Policy;
import fr.catie.vaniila.scheduler.Preemption;
import fr.catie.vaniila.scheduler.Queue;
import fr.catie.vaniila.scheduler.QueueName;
import fr.catie.vaniila.scheduler.Reservation;
import fr.catie.vaniila.scheduler.RunningJob;
import fr.catie.vaniila.scheduler.Scheduler;
import fr.catie.vaniila.scheduler.SchedulerConfig;
import fr.catie.vaniila.scheduler.Start;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Replays a trace through the real {@link Scheduler} under a simulated clock: one cycle per distinct event time
 * (arrival, completion, end of a preemption grace, and under LAS a job crossing a service threshold). Jobs run
 * for their trace duration; a preempted job is requeued with the service it received. Deterministic: the same
 * inputs give the same numbers. Not thread safe; use one instance per run.
 */
public final class Simulation {

    private enum Kind { COMPLETION, RELEASE, ARRIVAL, TICK }

    private record Event(long at, Kind kind, long seq, SimJob job, int run) {
    }

    /** A trace job's life in the simulation. */
    private static final class SimJob {
        final TraceJob trace;
        JobRequest request;
        long remainingMs;
        long runStartMs;
        long firstStartMs = -1;
        long endMs = -1;
        int run;
        double attained;
        RunningJob running;

        SimJob(TraceJob trace, JobRequest request) {
            this.trace = trace;
            this.request = request;
            this.remainingMs = trace.durationS() * 1000;
        }
    }

    private final List<Node> nodes;
    private final List<Queue> queues;
    private final QueueName defaultQueue;
    private final SchedulerConfig config;
    private final Scheduler scheduler;
    private final List<TraceJob> trace;
    private final boolean preemptibleJobs;
    private final List<SimJob> finished = new ArrayList<>();

    /**
     * @param nodes   the simulated nodes
     * @param queues  queues from the cluster file; empty for one open queue {@code default}
     * @param config  the core's configuration (its policy is the one simulated)
     * @param trace   the jobs, in any order
     */
    public Simulation(List<Node> nodes, List<Queue> queues, SchedulerConfig config, List<TraceJob> trace) {
        this.nodes = List.copyOf(nodes);
        this.config = config;
        this.scheduler = new Scheduler(config);
        this.trace = List.copyOf(trace);
        // Tiresias assumes every job can be preempted; fair share needs it to reclaim borrowed GPUs.
        this.preemptibleJobs = config.policy() == Policy.LAS || config.policy() == Policy.FAIRSHARE_BACKFILL;
        int total = 0;
        for (Node n : nodes) {
            total += n.gpus().size();
        }
        if (queues.isEmpty()) {
            Duration year = Duration.ofDays(366);
            this.queues = List.of(Queue.open("default", year, total));
        } else {
            this.queues = List.copyOf(queues);
        }
        this.defaultQueue = this.queues.get(0).name();
    }

    /** @return the metrics of the run */
    public SimulationResult run() {
        long wallStart = System.nanoTime();
        // Organisations: one per trace org, equal weights, the same guarantee on each flavor, borrowing the rest.
        TreeSet<String> orgNames = new TreeSet<>();
        for (TraceJob t : trace) {
            orgNames.add(t.org());
        }
        Map<String, Integer> flavorTotals = new TreeMap<>();
        Map<String, GpuFlavor> flavors = new TreeMap<>();
        int totalGpus = 0;
        for (Node n : nodes) {
            for (GpuFlavor f : n.gpus()) {
                flavorTotals.merge(f.name(), 1, Integer::sum);
                flavors.put(f.name(), f);
                totalGpus++;
            }
        }
        Map<OrgName, Organisation> orgs = new LinkedHashMap<>();
        Map<String, Integer> guaranteed = new HashMap<>();
        Instant origin = Instant.ofEpochSecond(trace.stream().mapToLong(TraceJob::submitS).min().orElse(0));
        for (String o : orgNames) {
            Map<String, FlavorQuota> quotas = new HashMap<>();
            int g = 0;
            for (Map.Entry<String, Integer> e : flavorTotals.entrySet()) {
                int guarantee = e.getValue() / orgNames.size();
                quotas.put(e.getKey(), new FlavorQuota(guarantee, e.getValue() - guarantee));
                g += guarantee;
            }
            guaranteed.put(o, g);
            orgs.put(new OrgName(o), new Organisation(new OrgName(o), quotas, OptionalInt.empty(),
                    OptionalDouble.empty(), 0, 1.0, DecayedUsage.none(origin)));
        }
        ClusterSnapshot empty = new ClusterSnapshot(nodes, queues, new ArrayList<>(orgs.values()), List.of(),
                List.of());

        Scheduler.SubmitCheck submitCheck = Scheduler.submitCheck(empty);
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
                : a.kind != b.kind ? a.kind.compareTo(b.kind) : Long.compare(a.seq, b.seq));
        long seq = 0;
        int rejected = 0;
        List<String> rejections = new ArrayList<>();
        for (TraceJob t : trace) {
            QueueName queue = t.queue().isEmpty() ? defaultQueue : new QueueName(t.queue());
            JobRequest request = JobRequest.builder(new JobId(t.line()), new OrgName(t.org()), queue,
                    Instant.ofEpochSecond(t.submitS())).shape(t.shape()).gpus(GpuConstraint.ANY)
                    .wallTime(Duration.ofSeconds(t.wallTimeS())).preemptible(preemptibleJobs).user(t.org()).build();
            Feasibility f = submitCheck.check(request);
            if (f instanceof Feasibility.Infeasible no) {
                rejected++;
                if (rejections.size() < 20) {
                    rejections.add("line " + t.line() + ": " + no.sentence());
                }
                continue;
            }
            events.add(new Event(t.submitS() * 1000, Kind.ARRIVAL, seq++, new SimJob(t, request), 0));
        }
        int accepted = trace.size() - rejected;

        Map<JobId, SimJob> pending = new LinkedHashMap<>();
        finished.clear();
        Map<JobId, SimJob> running = new LinkedHashMap<>();
        Map<OrgName, Integer> orgRunning = new HashMap<>();
        Map<String, Double> orgGpuSeconds = new TreeMap<>();
        double[] jct = new double[accepted];
        double[] wait = new double[accepted];
        int completed = 0;
        int preemptions = 0;
        long[] cycleNanos = new long[1024];
        int cycles = 0;
        double allocatedGpuMs = 0;
        double fragmentedMs = 0;
        double waitingMs = 0;
        double allocatedWhileWaitingGpuMs = 0;
        int usedGpus = 0;
        boolean fragmented = false;
        long firstSubmit = events.isEmpty() ? 0 : events.peek().at;
        long lastTime = firstSubmit;
        long lastCompletion = firstSubmit;
        Map<OrgName, DecayedUsage> usage = new HashMap<>();
        for (OrgName o : orgs.keySet()) {
            usage.put(o, DecayedUsage.none(Instant.ofEpochMilli(firstSubmit)));
        }

        while (!events.isEmpty()) {
            long now = events.peek().at;
            long dt = now - lastTime;
            allocatedGpuMs += (double) usedGpus * dt;
            if (fragmented) {
                fragmentedMs += dt;
            }
            if (!pending.isEmpty()) {
                // Demand exceeded what was started: how much of the cluster was working meanwhile.
                waitingMs += dt;
                allocatedWhileWaitingGpuMs += (double) usedGpus * dt;
            }
            lastTime = now;
            Instant at = Instant.ofEpochMilli(now);
            // Usage accrues at the GPU counts held since the previous event, before this event changes them.
            for (OrgName o : orgs.keySet()) {
                usage.put(o, usage.get(o).plus(at, orgRunning.getOrDefault(o, 0), config.usageHalfLife()));
            }
            while (!events.isEmpty() && events.peek().at == now) {
                Event e = events.poll();
                SimJob job = e.job;
                switch (e.kind) {
                    case ARRIVAL -> pending.put(job.request.id(), job);
                    case COMPLETION -> {
                        if (job.run != e.run || job.running == null) {
                            break;
                        }
                        stop(job, now, running, orgRunning, orgGpuSeconds);
                        usedGpus -= job.request.totalGpus();
                        job.endMs = now;
                        finished.add(job);
                        double j = (now - job.trace.submitS() * 1000) / 1000.0;
                        jct[completed] = j;
                        wait[completed] = j - job.trace.durationS();
                        completed++;
                        lastCompletion = Math.max(lastCompletion, now);
                    }
                    case RELEASE -> {
                        if (job.run != e.run || job.running == null) {
                            break;
                        }
                        long ran = now - job.runStartMs;
                        stop(job, now, running, orgRunning, orgGpuSeconds);
                        usedGpus -= job.request.totalGpus();
                        job.remainingMs -= ran;
                        job.attained += job.request.totalGpus() * ran / 1000.0;
                        job.request = job.request.toBuilder().attainedGpuSeconds(job.attained).build();
                        job.run++;
                        pending.put(job.request.id(), job);
                        preemptions++;
                    }
                    case TICK -> {
                        // Wakes the scheduler: a running job just crossed a LAS service threshold.
                        if (job.run == e.run && job.running != null) {
                            scheduleTick(events, seq++, job, now);
                        }
                    }
                }
            }
            if (pending.isEmpty()) {
                fragmented = false;
                continue;
            }
            List<Organisation> orgList = new ArrayList<>(orgs.size());
            for (Organisation o : orgs.values()) {
                orgList.add(o.withUsage(usage.get(o.name())));
            }
            List<RunningJob> runningJobs = new ArrayList<>(running.size());
            for (SimJob r : running.values()) {
                runningJobs.add(r.running);
            }
            List<JobRequest> pendingJobs = new ArrayList<>(pending.size());
            for (SimJob p : pending.values()) {
                pendingJobs.add(p.request);
            }
            ClusterSnapshot snapshot = new ClusterSnapshot(nodes, queues, orgList, runningJobs, pendingJobs);
            long t0 = System.nanoTime();
            Decision decision = scheduler.schedule(snapshot, at);
            long took = System.nanoTime() - t0;
            if (cycles == cycleNanos.length) {
                cycleNanos = Arrays.copyOf(cycleNanos, cycles * 2);
            }
            cycleNanos[cycles++] = took;

            for (Start s : decision.starts()) {
                SimJob job = pending.remove(s.job());
                if (job.request.holdsReservation()) {
                    // Requeued after a preemption, it waits for a new reservation like any other job.
                    job.request = job.request.toBuilder().holdsReservation(false).build();
                }
                job.runStartMs = now;
                if (job.firstStartMs < 0) {
                    job.firstStartMs = now;
                }
                job.running = new RunningJob(job.request, s.allocation(), at, s.endsBy(), false);
                running.put(s.job(), job);
                orgRunning.merge(job.request.org(), job.request.totalGpus(), Integer::sum);
                usedGpus += job.request.totalGpus();
                events.add(new Event(now + job.remainingMs, Kind.COMPLETION, seq++, job, job.run));
                scheduleTick(events, seq++, job, now);
            }
            // What the jobs module does with the estimated start it stores: the next cycle knows who holds a
            // reservation.
            Set<JobId> reserved = new HashSet<>();
            for (Reservation r : decision.reservations()) {
                reserved.add(r.job());
            }
            for (SimJob p : pending.values()) {
                boolean holds = reserved.contains(p.request.id());
                if (holds != p.request.holdsReservation()) {
                    p.request = p.request.toBuilder().holdsReservation(holds).build();
                }
            }
            for (Preemption p : decision.preemptions()) {
                SimJob job = running.get(p.job());
                long release = now + p.grace().toMillis();
                RunningJob r = job.running;
                Instant endsBy = r.endsBy().isBefore(Instant.ofEpochMilli(release)) ? r.endsBy()
                        : Instant.ofEpochMilli(release);
                job.running = new RunningJob(r.request(), r.allocation(), r.startedAt(), endsBy, true);
                if (release < job.runStartMs + job.remainingMs) {
                    events.add(new Event(release, Kind.RELEASE, seq++, job, job.run));
                }
            }
            int freeGpus = totalGpus - usedGpus - downGpus();
            fragmented = false;
            for (PendingStatus s : decision.pending()) {
                if (s.reason() == PendingReason.RESOURCES) {
                    int g = pending.get(s.job()).request.totalGpus();
                    if (g > 0 && g <= freeGpus) {
                        fragmented = true;
                        break;
                    }
                }
            }
        }

        double makespan = Math.max(0, (lastCompletion - firstSubmit) / 1000.0);
        double[] j = Arrays.copyOf(jct, completed);
        double[] w = Arrays.copyOf(wait, completed);
        Arrays.sort(j);
        Arrays.sort(w);
        long[] c = Arrays.copyOf(cycleNanos, cycles);
        Arrays.sort(c);
        double allGpuSeconds = 0;
        for (double v : orgGpuSeconds.values()) {
            allGpuSeconds += v;
        }
        Map<String, SimulationResult.OrgShare> perOrg = new TreeMap<>();
        for (String o : orgNames) {
            double s = orgGpuSeconds.getOrDefault(o, 0.0);
            perOrg.put(o, new SimulationResult.OrgShare(s, allGpuSeconds > 0 ? s / allGpuSeconds : 0,
                    totalGpus > 0 ? guaranteed.get(o) / (double) totalGpus : 0));
        }
        double available = totalGpus * (lastCompletion - firstSubmit);
        return new SimulationResult(config.policy().cliName(), trace.size(), rejected, completed,
                accepted - completed, mean(j), percentile(j, 0.50), percentile(j, 0.99), mean(w), percentile(w, 0.99),
                makespan, available > 0 ? allocatedGpuMs / available : 0,
                makespan > 0 ? fragmentedMs / (makespan * 1000) : 0,
                waitingMs > 0 ? allocatedWhileWaitingGpuMs / (totalGpus * waitingMs) : 1, preemptions, perOrg,
                cycles,
                percentileLong(c, 0.50) / 1e6, percentileLong(c, 0.99) / 1e6, (System.nanoTime() - wallStart) / 1e9,
                rejections);
    }

    /**
     * The completed jobs of the last {@link #run()}, one CSV line each:
     * {@code line,org,gpus,submit_s,first_start_s,end_s,run_s,preemptions} (times in trace seconds).
     *
     * @return the CSV text with its header
     */
    public String jobsCsv() {
        StringBuilder sb = new StringBuilder("line,org,gpus,submit_s,first_start_s,end_s,run_s,preemptions\n");
        for (SimJob j : finished) {
            sb.append(j.trace.line()).append(',').append(j.trace.org()).append(',').append(j.request.totalGpus())
                    .append(',').append(j.trace.submitS()).append(',').append(j.firstStartMs / 1000).append(',')
                    .append(j.endMs / 1000).append(',').append(j.trace.durationS()).append(',').append(j.run)
                    .append('\n');
        }
        return sb.toString();
    }

    /** Under LAS, wakes the scheduler when the running job's service reaches the next threshold. */
    private void scheduleTick(PriorityQueue<Event> events, long seq, SimJob job, long now) {
        if (config.policy() != Policy.LAS || job.request.totalGpus() == 0) {
            return;
        }
        double attainedNow = job.attained + job.request.totalGpus() * (now - job.runStartMs) / 1000.0;
        for (double threshold : config.lasThresholds()) {
            if (threshold > attainedNow) {
                long tick = now + (long) Math.ceil((threshold - attainedNow) * 1000 / job.request.totalGpus());
                if (tick < job.runStartMs + job.remainingMs) {
                    events.add(new Event(tick, Kind.TICK, seq, job, job.run));
                }
                return;
            }
        }
    }

    private int downGpus() {
        int n = 0;
        for (Node node : nodes) {
            if (node.state() != NodeState.UP) {
                n += node.gpus().size();
            }
        }
        return n;
    }

    private static void stop(SimJob job, long now, Map<JobId, SimJob> running, Map<OrgName, Integer> orgRunning,
            Map<String, Double> orgGpuSeconds) {
        running.remove(job.request.id());
        orgRunning.merge(job.request.org(), -job.request.totalGpus(), Integer::sum);
        orgGpuSeconds.merge(job.trace.org(), job.request.totalGpus() * (now - job.runStartMs) / 1000.0, Double::sum);
        job.running = null;
    }

    private static double mean(double[] v) {
        if (v.length == 0) {
            return 0;
        }
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double percentileLong(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
