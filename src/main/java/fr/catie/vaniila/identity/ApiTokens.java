package fr.catie.vaniila.identity;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.platform.Problem;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Personal API tokens: created by their owner, shown once, stored as a SHA-256 of the secret
 * (the secret has 256 random bits, so a fast hash is enough and lookups stay one index probe),
 * revocable, with an optional expiry. Thread-safe.
 */
@Service
public class ApiTokens {

    /** A token as listed: never the secret. */
    public record TokenInfo(long id, String name, String prefix, Instant createdAt, Instant expiresAt,
            Instant revokedAt, Instant lastUsedAt) {
        public boolean active(Instant now) {
            return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
        }
    }

    /** A token just created: the only time the secret is available. */
    public record CreatedToken(String token, TokenInfo info) {
    }

    static final String PREFIX = "vnl_";

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final Clock clock;

    public ApiTokens(JdbcClient jdbc, AuditLog audit, Clock clock) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    public CreatedToken create(Caller caller, String name, Instant expiresAt) {
        String label = name == null || name.isBlank() ? "token" : name.trim();
        if (label.length() > 100) {
            throw Problem.invalid("name", AccountRefusal.TOKEN_NAME_TOO_LONG);
        }
        Instant now = clock.instant();
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw Problem.invalid("expiresAt", AccountRefusal.TOKEN_EXPIRY_PAST, expiresAt);
        }
        String token = fr.catie.vaniila.platform.Secrets.generate(PREFIX);
        String prefix = token.substring(0, 10);
        long id = jdbc.sql("INSERT INTO api_tokens (account_id, name, prefix, secret_hash, expires_at) "
                + "VALUES (?, ?, ?, ?, ?) RETURNING id")
                .params(caller.accountId().value(), label, prefix, hash(token), ts(expiresAt))
                .query(Long.class).single();
        audit.record(caller.username(), caller.organisationId().value(), "token.create", label, prefix, null);
        return new CreatedToken(token, info(caller, id).orElseThrow());
    }

    /** The caller's own tokens, newest first. */
    @Transactional(readOnly = true)
    public List<TokenInfo> list(Caller caller) {
        return jdbc.sql("SELECT id, name, prefix, created_at, expires_at, revoked_at, last_used_at FROM api_tokens "
                + "WHERE account_id = ? ORDER BY created_at DESC, id DESC")
                .param(caller.accountId().value()).query(ApiTokens::row).list();
    }

    /** Revokes one of the caller's own tokens; another account's token reads as absent. */
    @Transactional
    public void revoke(Caller caller, long id) {
        int n = jdbc.sql("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = ? AND account_id = ?")
                .params(id, caller.accountId().value()).update();
        if (n == 0) {
            throw Problem.of(Problem.Kind.NOT_FOUND, AccountRefusal.NO_SUCH_TOKEN, id);
        }
        audit.record(caller.username(), caller.organisationId().value(), "token.revoke", Long.toString(id), null, null);
    }

    /**
     * The caller a presented token stands for, when the token is known, not revoked, not expired,
     * and its account is enabled.
     */
    @Transactional
    public Optional<Caller> authenticate(String token, Accounts accounts) {
        if (token == null || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        byte[] hash = hash(token);
        Optional<Long> accountId = jdbc.sql("SELECT account_id FROM api_tokens WHERE secret_hash = ? "
                + "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)")
                .params(hash, ts(now)).query(Long.class).optional();
        if (accountId.isPresent()) {
            // At most once a minute: a busy client would otherwise queue every request on this one row's lock.
            jdbc.sql("UPDATE api_tokens SET last_used_at = ? WHERE secret_hash = ? "
                    + "AND (last_used_at IS NULL OR last_used_at < ?)")
                    .params(ts(now), hash, ts(now.minusSeconds(60))).update();
        }
        return accountId.flatMap(id -> accounts.byId(new AccountId(id))).filter(Account::enabled).map(Caller::of);
    }

    private Optional<TokenInfo> info(Caller caller, long id) {
        return jdbc.sql("SELECT id, name, prefix, created_at, expires_at, revoked_at, last_used_at FROM api_tokens "
                + "WHERE id = ? AND account_id = ?").params(id, caller.accountId().value())
                .query(ApiTokens::row).optional();
    }

    private static TokenInfo row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new TokenInfo(rs.getLong(1), rs.getString(2), rs.getString(3), instant(rs.getTimestamp(4)),
                instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)));
    }

    private static Instant instant(java.sql.Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static java.sql.Timestamp ts(Instant i) {
        return i == null ? null : java.sql.Timestamp.from(i);
    }

    static byte[] hash(String token) {
        return fr.catie.vaniila.platform.Secrets.sha256(token);
    }
}
