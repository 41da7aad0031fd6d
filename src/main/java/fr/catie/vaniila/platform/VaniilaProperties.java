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
        @DefaultValue Login login) {

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
