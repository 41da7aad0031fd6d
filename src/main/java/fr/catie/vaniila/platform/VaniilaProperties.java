package fr.catie.vaniila.platform;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The portal's own settings, under {@code vaniila.*} (environment {@code VANIILA_*}).
 *
 * @param home      data directory: the embedded database, host keys, workspaces
 * @param admin     the platform administrator created on first start
 * @param database  the embedded PostgreSQL used when no {@code spring.datasource.url} is set
 * @param login     throttling of failed logins
 */
@ConfigurationProperties("vaniila")
public record VaniilaProperties(
        @DefaultValue("${user.home}/.vaniila") Path home,
        @DefaultValue Admin admin,
        @DefaultValue Database database,
        @DefaultValue Login login,
        @DefaultValue Workspaces workspaces,
        @DefaultValue Local local,
        @DefaultValue Scheduling scheduling,
        @DefaultValue Agents agents,
        @DefaultValue Logs logs,
        @DefaultValue Quotas quotas,
        @DefaultValue Jobs jobs,
        @DefaultValue Accounts accounts) {

    /** Where users' workspaces live: {@code root/<organisation>/<username>}; defaults to {@code home/workspaces}. */
    public Path workspaceRoot() {
        return workspaces.root() == null ? home.resolve("workspaces") : workspaces.root();
    }

    /** @param root the root of the users' workspaces (a shared filesystem in production) */
    public record Workspaces(Path root) {
    }

    /**
     * The in-process agent of the one-command portal.
     *
     * @param virtualNodes {@code auto} (the local machine when it has NVIDIA GPUs, the {@code catie} demo
     *                     inventory otherwise), {@code local} (the local machine as it is), {@code none}
     *                     (no in-process agent), the name of a built-in cluster ({@code catie}) or the
     *                     path of a cluster file
     */
    public record Local(@DefaultValue("auto") String virtualNodes) {
    }

    /**
     * @param interval          how often the scheduler loop runs when nothing triggers it sooner
     * @param policy            fifo, fifo-backfill, fairshare-backfill or las
     * @param reservationDepth  how many blocked jobs get a backfill reservation
     * @param preemptionGrace   time between SIGTERM and SIGKILL for a preempted job
     * @param usageHalfLife     half-life of past usage in fair share
     */
    public record Scheduling(@DefaultValue("2s") Duration interval, @DefaultValue("fairshare-backfill") String policy,
            @DefaultValue("4") int reservationDepth, @DefaultValue("60s") Duration preemptionGrace,
            @DefaultValue("7d") Duration usageHalfLife) {
    }

    /**
     * @param heartbeatTimeout a node silent for longer goes DOWN and its jobs NODE_FAIL
     * @param stopGrace        time between SIGTERM and SIGKILL when a job is cancelled
     */
    public record Agents(@DefaultValue("60s") Duration heartbeatTimeout, @DefaultValue("10s") Duration stopGrace) {
    }

    /** @param maxBytesPerStream the portal keeps at most this much of each log stream; the file keeps all */
    public record Logs(@DefaultValue("67108864") long maxBytesPerStream) {
    }

    /**
     * What a new organisation may use before an admin sets its quota: by default nothing guaranteed,
     * but any idle GPU may be borrowed, so a newcomer's first job runs without an admin step.
     */
    public record Quotas(@DefaultValue("0") int defaultGuaranteedGpus, @DefaultValue("1000") int defaultBorrowLimit) {
    }

    /**
     * @param maxScriptBytes largest batch script accepted
     * @param maxArrayTasks  most tasks in one job array
     */
    public record Jobs(@DefaultValue("1048576") int maxScriptBytes, @DefaultValue("10000") int maxArrayTasks) {
    }

    /** @param firstUid when set, Unix uids of new accounts start there (tests use it to avoid earlier runs' accounts) */
    public record Accounts(@DefaultValue("0") int firstUid) {
    }

    /**
     * @param username the platform administrator's login
     * @param password its password on first start; generated and printed once when empty
     */
    public record Admin(@DefaultValue("admin") String username, String password) {
    }

    /**
     * @param port     port of the embedded PostgreSQL; 0 picks a free one at each start
     * @param fsync    keep fsync on: the embedded database holds real data, not test data
     */
    public record Database(@DefaultValue("0") int port, @DefaultValue("true") boolean fsync) {
    }

    /**
     * @param maxFailures failed attempts per user and address before the account is locked for them
     * @param window      the window in which failures are counted
     * @param lockout     how long the lock lasts
     */
    public record Login(@DefaultValue("5") int maxFailures, @DefaultValue("15m") Duration window,
            @DefaultValue("15m") Duration lockout) {
    }
}
