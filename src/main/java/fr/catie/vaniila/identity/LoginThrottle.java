package fr.catie.vaniila.identity;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import fr.catie.vaniila.platform.VaniilaProperties;
import fr.catie.vaniila.wording.Phrase;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Slows password guessing: after {@code maxFailures} failed logins for one username from one
 * address within the window, that pair is locked out for a while. Kept in PostgreSQL so that every
 * portal instance (and a restart) sees the same counts. Used by the web form, the token endpoint
 * and SSH alike. Thread-safe.
 */
@Service
public class LoginThrottle {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final VaniilaProperties.Login settings;

    public LoginThrottle(JdbcClient jdbc, Clock clock, VaniilaProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.settings = properties.login();
    }

    /** How long the pair stays locked, when it is. */
    @Transactional(readOnly = true)
    public Optional<Duration> lockedFor(String username, String address) {
        Instant now = clock.instant();
        return jdbc.sql("SELECT locked_until FROM login_failures WHERE username = ? AND address = ?")
                .params(key(username), address).query(Timestamp.class).optional()
                .map(Timestamp::toInstant).filter(until -> until.isAfter(now))
                .map(until -> Duration.between(now, until));
    }

    @Transactional
    public void failed(String username, String address) {
        Instant now = clock.instant();
        Instant windowStart = now.minus(settings.window());
        // One statement so that concurrent failures from several portals all count.
        jdbc.sql("""
                INSERT INTO login_failures (username, address, failures, first_at) VALUES (?, ?, 1, ?)
                ON CONFLICT (username, address) DO UPDATE SET
                  failures = CASE WHEN login_failures.first_at < ? THEN 1 ELSE login_failures.failures + 1 END,
                  first_at = CASE WHEN login_failures.first_at < ? THEN EXCLUDED.first_at ELSE login_failures.first_at END
                """).params(key(username), address, Timestamp.from(now), Timestamp.from(windowStart),
                Timestamp.from(windowStart)).update();
        jdbc.sql("UPDATE login_failures SET locked_until = ? WHERE username = ? AND address = ? AND failures >= ?")
                .params(Timestamp.from(now.plus(settings.lockout())), key(username), address, settings.maxFailures())
                .update();
    }

    @Transactional
    public void succeeded(String username, String address) {
        jdbc.sql("DELETE FROM login_failures WHERE username = ? AND address = ?").params(key(username), address).update();
    }

    /** A human sentence for a lock, rounding up to whole minutes, in English. */
    public static String message(Duration left) {
        return phrase(left).english();
    }

    /** The same sentence as a phrase, for the adapters that say it in the user's language. */
    public static Phrase phrase(Duration left) {
        long minutes = Math.max(1, (left.getSeconds() + 59) / 60);
        return Phrase.of(minutes == 1 ? AccountRefusal.LOGIN_LOCKED_MINUTE : AccountRefusal.LOGIN_LOCKED_MINUTES,
                minutes);
    }

    private static String key(String username) {
        return username == null ? "" : username.trim().toLowerCase(java.util.Locale.ROOT);
    }
}
