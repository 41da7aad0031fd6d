package fr.catie.vaniila.scheduling;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import fr.catie.vaniila.accounting.Accounting;
import fr.catie.vaniila.jobs.EndReason;
import fr.catie.vaniila.jobs.JobControl;
import fr.catie.vaniila.jobs.JobQueue;
import fr.catie.vaniila.jobs.Jobs;
import fr.catie.vaniila.jobs.PhraseColumn;
import fr.catie.vaniila.jobs.TimelineDetail;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.platform.VaniilaProperties;
import fr.catie.vaniila.queues.Queues;
import fr.catie.vaniila.quotas.Quotas;
import fr.catie.vaniila.scheduler.ClusterSnapshot;
import fr.catie.vaniila.scheduler.Decision;
import fr.catie.vaniila.scheduler.DecayedUsage;
import fr.catie.vaniila.scheduler.FlavorQuota;
import fr.catie.vaniila.scheduler.NodeAllocation;
import fr.catie.vaniila.scheduler.OrgName;
import fr.catie.vaniila.scheduler.Organisation;
import fr.catie.vaniila.scheduler.PendingStatus;
import fr.catie.vaniila.scheduler.Policy;
import fr.catie.vaniila.scheduler.Preemption;
import fr.catie.vaniila.scheduler.Scheduler;
import fr.catie.vaniila.scheduler.SchedulerConfig;
import fr.catie.vaniila.scheduler.Start;
import fr.catie.vaniila.wording.Phrase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The scheduler loop of the portal, in numbered phases:
 * <ol>
 * <li>take the lease (one loop across all portals on one database);</li>
 * <li>mark silent nodes DOWN and fail their jobs;</li>
 * <li>read a snapshot of the cluster from the database;</li>
 * <li>ask the pure core for a decision ({@link Scheduler#schedule});</li>
 * <li>commit it in one transaction that re-checks, per start, that the job still waits, that no GPU
 * is claimed twice (a unique key) and that the organisation stays within its GPU ceiling; a start
 * that no longer holds is rolled back to its savepoint and retried next cycle;</li>
 * <li>tell the agent gateway that commands wait.</li>
 * </ol>
 * Runs at a fixed interval and soon after any job or node change. One thread.
 */
@Component
public class SchedulerLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SchedulerLoop.class);

    private final DataSource dataSource;
    private final TransactionTemplate tx;
    private final JdbcClient jdbc;
    private final Nodes nodes;
    private final Queues queues;
    private final Quotas quotas;
    private final Accounting accounting;
    private final JobQueue jobQueue;
    private final JobControl control;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final VaniilaProperties properties;
    private final Scheduler scheduler;
    private final Timer cycleTimer;
    private final MeterRegistry meters;
    private final AtomicBoolean triggered = new AtomicBoolean();
    private ScheduledExecutorService executor;
    private SchedulerLease lease;
    private volatile boolean running;
    private volatile Instant lastCycle;

    public SchedulerLoop(DataSource dataSource, TransactionTemplate tx, JdbcClient jdbc, Nodes nodes, Queues queues,
            Quotas quotas, Accounting accounting, JobQueue jobQueue, JobControl control,
            ApplicationEventPublisher events, Clock clock, VaniilaProperties properties, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.tx = tx;
        this.jdbc = jdbc;
        this.nodes = nodes;
        this.queues = queues;
        this.quotas = quotas;
        this.accounting = accounting;
        this.jobQueue = jobQueue;
        this.control = control;
        this.events = events;
        this.clock = clock;
        this.properties = properties;
        this.meters = meters;
        Policy policy = Policy.parse(properties.scheduling().policy());
        this.scheduler = new Scheduler(SchedulerConfig.defaults(policy)
                .withReservationDepth(properties.scheduling().reservationDepth())
                .withPreemptionGrace(properties.scheduling().preemptionGrace()));
        this.cycleTimer = Timer.builder("vaniila.scheduler.cycle").description("one scheduler cycle, snapshot to commit")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onJobsChanged(Jobs.JobsChanged event) {
        trigger();
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onNodesChanged(Nodes.NodesChanged event) {
        trigger();
    }

    /** Asks for a cycle soon (coalesced: many triggers, one cycle). */
    public void trigger() {
        if (executor != null && triggered.compareAndSet(false, true)) {
            // Coalesce bursts (a thousand submissions, an array) into a few cycles: at most one every
            // MIN_GAP_MS, so that reading the queue does not starve the submissions themselves.
            long sinceLast = System.nanoTime() / 1_000_000 - lastCycleEndMs;
            executor.schedule(this::cycle, Math.max(50, MIN_GAP_MS - sinceLast), TimeUnit.MILLISECONDS);
        }
    }

    static final long MIN_GAP_MS = 250;
    private volatile long lastCycleEndMs;

    /** When the last cycle ran, for health and tests. */
    public Instant lastCycle() {
        return lastCycle;
    }

    void cycle() {
        triggered.set(false);
        if (!running) {
            return;
        }
        try {
            if (!lease.holds()) {
                return;
            }
            Timer.Sample sample = Timer.start(meters);
            failSilentNodes();
            Decision decision = tx.execute(this::decideAndCommit);
            sample.stop(cycleTimer);
            lastCycle = clock.instant();
            lastCycleEndMs = System.nanoTime() / 1_000_000;
            if (decision != null && (!decision.starts().isEmpty() || !decision.preemptions().isEmpty())) {
                events.publishEvent(new JobControl.CommandsQueued());
            }
        } catch (RuntimeException e) {
            log.error("Scheduler cycle failed; the next one retries", e);
        }
    }

    private Decision decideAndCommit(TransactionStatus status) {
        Instant now = clock.instant();
        JobQueue.Jobs jobs = jobQueue.read(now);
        List<fr.catie.vaniila.scheduler.Node> inventory = nodes.coreNodes(false);
        ClusterSnapshot snapshot = new ClusterSnapshot(inventory,
                queues.list().stream().map(Queues::toCore).toList(), organisations(now, inventory), jobs.running(),
                jobs.pending());
        Decision decision = scheduler.schedule(snapshot, now);
        Map<OrgName, Organisation> orgs = new HashMap<>();
        snapshot.organisations().forEach(o -> orgs.put(o.name(), o));
        List<Long> started = new ArrayList<>();
        for (Start start : decision.starts()) {
            Object savepoint = status.createSavepoint();
            try {
                if (!withinCeiling(start, snapshot, orgs)) {
                    status.rollbackToSavepoint(savepoint);
                    continue;
                }
                List<JobControl.NodePart> parts = new ArrayList<>();
                for (NodeAllocation p : start.allocation().parts()) {
                    parts.add(new JobControl.NodePart(p.node().value(), p.gpuIndices(), p.cores(), p.memoryMb(),
                            start.flavor() == null ? null : start.flavor().name()));
                }
                Phrase detail = Phrase.of(TimelineDetail.started(start.backfilled(), start.borrowing()));
                boolean ok = control.start(new JobControl.StartPlan(start.job().value(), parts, start.endsBy(), detail));
                if (ok) {
                    status.releaseSavepoint(savepoint);
                    started.add(start.job().value());
                } else {
                    status.rollbackToSavepoint(savepoint);
                }
            } catch (JobControl.GpuTaken e) {
                log.warn("Start of job {} skipped: {}", start.job().value(), e.getMessage());
                status.rollbackToSavepoint(savepoint);
            }
        }
        for (Preemption p : decision.preemptions()) {
            control.preempt(p.job().value(), p.grace().toSeconds(), p.said());
        }
        List<PendingStatus> pending = new ArrayList<>(decision.pending());
        pending.addAll(jobs.throttled());
        jobQueue.writePending(pending);
        if (!started.isEmpty()) {
            log.info("Scheduler started jobs {}", started);
            meters.counter("vaniila.scheduler.launches").increment(started.size());
        }
        return decision;
    }

    /** Quota re-check at commit: the organisation's claimed GPUs of the flavor, plus this start, within its ceiling. */
    private boolean withinCeiling(Start start, ClusterSnapshot snapshot, Map<OrgName, Organisation> orgs) {
        int gpus = start.allocation().gpuCount();
        if (gpus == 0 || start.flavor() == null) {
            return true;
        }
        String orgName = snapshot.pending().stream().filter(j -> j.id().equals(start.job())).findFirst()
                .map(j -> j.org().value()).orElse(null);
        Organisation org = orgName == null ? null : orgs.get(new OrgName(orgName));
        if (org == null) {
            return false;
        }
        long held = jdbc.sql("""
                SELECT count(*) FROM gpu_claims c JOIN jobs j ON j.id = c.job_id JOIN organisations o ON o.id = j.organisation_id
                JOIN node_gpus g ON g.node_id = c.node_id AND g.index = c.gpu_index
                WHERE o.name = ? AND g.flavor = ?""").params(orgName, start.flavor().name()).query(Long.class).single();
        return held + gpus <= org.quota(start.flavor().name()).ceiling();
    }

    private List<Organisation> organisations(Instant now, List<fr.catie.vaniila.scheduler.Node> inventory) {
        Map<String, Accounting.OrgUsage> usage = accounting.forScheduling(properties.scheduling().usageHalfLife());
        List<String> flavors = inventory.stream().flatMap(n -> n.gpus().stream())
                .map(fr.catie.vaniila.scheduler.GpuFlavor::name).distinct().toList();
        List<Organisation> out = new ArrayList<>();
        quotas.all().forEach((name, q) -> {
            Map<String, FlavorQuota> limits = new LinkedHashMap<>();
            for (String f : flavors) {
                Quotas.FlavorLimit l = q.limit(f, quotas.platformDefault());
                limits.put(f, new FlavorQuota(l.guaranteedGpus(), l.borrowLimit()));
            }
            Accounting.OrgUsage u = usage.getOrDefault(name, new Accounting.OrgUsage(0, 0));
            out.add(new Organisation(new OrgName(name), limits,
                    q.cpuCores() == null ? OptionalInt.empty() : OptionalInt.of(q.cpuCores()),
                    q.gpuHoursPerMonth() == null ? OptionalDouble.empty() : OptionalDouble.of(q.gpuHoursPerMonth()),
                    u.gpuHoursThisMonth(), q.fairShareWeight(), new DecayedUsage(u.decayedGpuSeconds(), now)));
        });
        return out;
    }

    /** A node silent past the heartbeat timeout goes DOWN; its jobs' processes are lost and the jobs settled. */
    private void failSilentNodes() {
        Duration timeout = properties.agents().heartbeatTimeout();
        tx.executeWithoutResult(s -> {
            List<Long> down = jdbc.sql("""
                    UPDATE nodes SET state = 'DOWN', state_reason = 'no heartbeat since ' || to_char(last_seen_at, 'YYYY-MM-DD HH24:MI:SS') || ' UTC'
                    WHERE state <> 'DOWN' AND last_seen_at < ? RETURNING id""")
                    .param(java.sql.Timestamp.from(clock.instant().minus(timeout))).query(Long.class).list();
            for (long nodeId : down) {
                String name = jdbc.sql("SELECT name FROM nodes WHERE id = ?").param(nodeId).query(String.class).single();
                log.warn("Node {} stopped answering: DOWN, its jobs NODE_FAIL", name);
                Phrase lost = Phrase.of(EndReason.NODE_STOPPED_ANSWERING, name);
                List<Long> jobIds = jdbc.sql("""
                        UPDATE launches SET state = 'LOST', ended_at = now(), message = ?, message_phrase = ?::jsonb
                        WHERE node_id = ? AND state IN ('LAUNCHING', 'RUNNING') RETURNING job_id""")
                        .params(lost.english(), PhraseColumn.write(lost), nodeId).query(Long.class).list();
                jdbc.sql("UPDATE agent_commands SET done_at = now() WHERE node_id = ? AND done_at IS NULL").param(nodeId).update();
                // Should the agent come back, its lost processes must not go on beside the requeued jobs.
                jdbc.sql("""
                        INSERT INTO agent_commands (id, node_id, type, launch_id, payload)
                        SELECT gen_random_uuid(), l.node_id, 'STOP', l.id, jsonb_build_object('commandId', '', 'type', 'STOP',
                          'launchId', l.id::text, 'jobId', l.job_id, 'reason', 'CANCELLED', 'graceSeconds', 10)
                        FROM launches l WHERE l.node_id = ? AND l.state = 'LOST' AND l.ended_at > now() - interval '1 minute'""")
                        .param(nodeId).update();
                jdbc.sql("UPDATE agent_commands SET payload = jsonb_set(payload, '{commandId}', to_jsonb(id::text)) "
                        + "WHERE node_id = ? AND done_at IS NULL AND payload->>'commandId' = ''").param(nodeId).update();
                for (long jobId : new java.util.TreeSet<>(jobIds)) {
                    control.settle(jobId);
                }
            }
        });
    }

    @Override
    public void start() {
        lease = new SchedulerLease(dataSource);
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scheduler-loop");
            t.setDaemon(true);
            return t;
        });
        running = true;
        long interval = properties.scheduling().interval().toMillis();
        executor.scheduleWithFixedDelay(this::cycle, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (lease != null) {
            lease.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Start after the web server and the database are up; stop before them.
        return Integer.MAX_VALUE - 1000;
    }
}
