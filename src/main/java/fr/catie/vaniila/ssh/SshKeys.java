package fr.catie.vaniila.ssh;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.platform.Problem;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Module API for the public keys users log in with over SSH. A user manages its own keys only;
 * the SSH server looks keys up by fingerprint. Only ed25519, ECDSA and RSA keys of 2048 bits or
 * more are accepted; anything else is refused with the reason. Thread-safe; each call is one
 * transaction.
 */
@Service
public class SshKeys {

    /** Smallest RSA modulus accepted: shorter keys are within reach of a well-funded attacker. */
    static final int MIN_RSA_BITS = 2048;
    /** Most keys one account may register, so that a mistake in a script cannot fill the table. */
    static final int MAX_KEYS_PER_ACCOUNT = 50;

    private final JdbcClient jdbc;
    private final AuditLog audit;

    public SshKeys(JdbcClient jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    /** A parsed and accepted public key, before it is stored. */
    record ParsedKey(PublicKey key, String type, int bits, String fingerprint, String text, String comment) {
    }

    /**
     * Parses one line of authorized_keys form ({@code ssh-ed25519 AAAA... comment}) and checks the key is
     * strong enough. Throws an INVALID problem that says what to change otherwise.
     */
    static ParsedKey parse(String line) {
        if (line == null || line.isBlank()) {
            throw invalid(KeyRefusal.KEY_MISSING);
        }
        String trimmed = line.strip();
        if (trimmed.startsWith("-----BEGIN")) {
            throw invalid(KeyRefusal.KEY_PRIVATE);
        }
        if (trimmed.contains("\n") || trimmed.contains("\r")) {
            throw invalid(KeyRefusal.KEY_SEVERAL_LINES);
        }
        if (trimmed.startsWith("ssh-dss ") || trimmed.startsWith("sk-")) {
            throw invalid(trimmed.startsWith("ssh-dss") ? KeyRefusal.KEY_DSA : KeyRefusal.KEY_SECURITY_KEY);
        }
        AuthorizedKeyEntry entry;
        PublicKey key;
        try {
            entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(trimmed);
            if (entry == null) {
                throw new IllegalArgumentException("empty");
            }
            key = entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (Exception e) {
            throw invalid(KeyRefusal.KEY_NOT_OPENSSH);
        }
        if (key == null) {
            throw invalid(KeyRefusal.KEY_TYPE_UNKNOWN, entry.getKeyType());
        }
        String type = KeyUtils.getKeyType(key);
        int bits;
        if (key instanceof RSAPublicKey rsa) {
            bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                throw invalid(KeyRefusal.RSA_TOO_SHORT, bits, MIN_RSA_BITS);
            }
        } else if (key instanceof ECPublicKey ec) {
            bits = ec.getParams().getCurve().getField().getFieldSize();
        } else if ("ssh-ed25519".equals(type)) {
            bits = 256;
        } else {
            throw invalid(KeyRefusal.KEY_TYPE_REFUSED, type);
        }
        String text = PublicKeyEntry.toString(key);
        String comment = entry.getComment() == null || entry.getComment().isBlank() ? null : entry.getComment().strip();
        if (comment != null && comment.length() > 200) {
            throw invalid(KeyRefusal.COMMENT_TOO_LONG);
        }
        return new ParsedKey(key, type, bits, KeyUtils.getFingerPrint(key), text, comment);
    }

    private static Problem invalid(KeyRefusal why, Object... args) {
        return Problem.invalid("publicKey", why, args);
    }

    /** Registers a key for the caller; the same key twice is a conflict. */
    @Transactional
    public SshKey add(Caller caller, String publicKey) {
        ParsedKey parsed = parse(publicKey);
        long count = jdbc.sql("SELECT count(*) FROM ssh_keys WHERE account_id = ?").param(caller.accountId().value())
                .query(Long.class).single();
        if (count >= MAX_KEYS_PER_ACCOUNT) {
            throw Problem.of(Problem.Kind.CONFLICT, KeyRefusal.TOO_MANY_KEYS, count);
        }
        long id;
        try {
            id = jdbc.sql("""
                    INSERT INTO ssh_keys (account_id, key_type, bits, fingerprint, public_key, comment)
                    VALUES (?, ?, ?, ?, ?, ?) RETURNING id""")
                    .params(caller.accountId().value(), parsed.type(), parsed.bits(), parsed.fingerprint(), parsed.text(),
                            parsed.comment())
                    .query(Long.class).single();
        } catch (DuplicateKeyException e) {
            throw Problem.of(Problem.Kind.CONFLICT, KeyRefusal.KEY_ALREADY_REGISTERED, parsed.fingerprint());
        }
        audit.record(caller.username(), caller.organisationId().value(), "ssh-key.add", parsed.fingerprint(),
                parsed.type(), null);
        return get(caller, new SshKeyId(id));
    }

    /** The caller's keys, oldest first. */
    @Transactional(readOnly = true)
    public List<SshKey> list(Caller caller) {
        return jdbc.sql(SELECT + "WHERE account_id = ? ORDER BY id").param(caller.accountId().value()).query(SshKeys::row)
                .list();
    }

    /** One of the caller's keys; another account's key reads as absent. */
    @Transactional(readOnly = true)
    public SshKey get(Caller caller, SshKeyId id) {
        return jdbc.sql(SELECT + "WHERE account_id = ? AND id = ?").params(caller.accountId().value(), id.value())
                .query(SshKeys::row).optional()
                .orElseThrow(() -> Problem.of(Problem.Kind.NOT_FOUND, KeyRefusal.NO_SUCH_KEY, id.value()));
    }

    /** Deletes one of the caller's keys: it no longer opens a session. */
    @Transactional
    public void delete(Caller caller, SshKeyId id) {
        SshKey key = get(caller, id);
        jdbc.sql("DELETE FROM ssh_keys WHERE id = ?").param(id.value()).update();
        audit.record(caller.username(), caller.organisationId().value(), "ssh-key.delete", key.fingerprint(), key.type(),
                null);
    }

    /**
     * Whether the key is registered on the account named {@code username}; a match marks the key as used.
     * For the SSH server, which has no caller yet.
     */
    @Transactional
    public boolean matches(String username, PublicKey offered) {
        String fingerprint = KeyUtils.getFingerPrint(offered);
        Optional<Long> id = jdbc.sql("""
                SELECT k.id, k.public_key FROM ssh_keys k JOIN accounts a ON a.id = k.account_id
                WHERE a.username = ? AND a.enabled AND k.fingerprint = ?""")
                .params(username, fingerprint)
                .query((rs, n) -> sameKey(rs.getString(2), offered) ? rs.getLong(1) : null).list().stream()
                .filter(java.util.Objects::nonNull).findFirst();
        id.ifPresent(k -> jdbc.sql("UPDATE ssh_keys SET last_used_at = now() WHERE id = ?").param(k).update());
        return id.isPresent();
    }

    private static boolean sameKey(String stored, PublicKey offered) {
        // The fingerprint is a SHA-256 of the key blob; comparing the keys themselves costs nothing more.
        try {
            PublicKey key = PublicKeyEntry.parsePublicKeyEntry(stored).resolvePublicKey(null, null,
                    PublicKeyEntryResolver.FAILING);
            return KeyUtils.compareKeys(key, offered);
        } catch (Exception e) {
            return false;
        }
    }

    private static final String SELECT = "SELECT id, key_type, bits, fingerprint, public_key, comment, created_at, "
            + "last_used_at FROM ssh_keys ";

    private static SshKey row(ResultSet rs, int n) throws SQLException {
        java.sql.Timestamp used = rs.getTimestamp("last_used_at");
        return new SshKey(new SshKeyId(rs.getLong("id")), rs.getString("key_type"), rs.getInt("bits"),
                rs.getString("fingerprint"), rs.getString("public_key"), rs.getString("comment"),
                rs.getTimestamp("created_at").toInstant(), used == null ? null : used.toInstant());
    }
}
