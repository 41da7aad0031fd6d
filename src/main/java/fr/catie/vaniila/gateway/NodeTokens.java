package fr.catie.vaniila.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.platform.Problem;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tokens that agents present to the gateway. A platform admin issues one per node; it is shown
 * once and stored as a SHA-256. A token issued for no node name (only the portal does that, for
 * its own in-process agents) is good for any node. Thread-safe.
 */
@Service
public class NodeTokens {

    /** A token as listed: never the secret. */
    public record NodeTokenInfo(long id, String node, String prefix, String createdBy, Instant createdAt, Instant revokedAt) {
    }

    static final String PREFIX = "vnn_";

    private final JdbcClient jdbc;
    private final AuditLog audit;

    public NodeTokens(JdbcClient jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    /** Issues a token for one node; returns the secret, the only time it is shown. */
    @Transactional
    public String issue(Caller caller, String node) {
        if (!caller.isPlatformAdmin()) {
            throw Problem.of(Problem.Kind.FORBIDDEN, NodeTokenRefusal.ISSUE_ADMIN_ONLY);
        }
        if (node == null || !node.matches("[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}")) {
            throw Problem.invalid("node", NodeTokenRefusal.NODE_NAME_INVALID, node);
        }
        String token = create(node, caller.username());
        audit.record(caller.username(), null, "node.token", node, null, null);
        return token;
    }

    /** A token for the portal's own in-process agents, good for any node name. */
    @Transactional
    public String issueForLocalAgents() {
        jdbc.sql("UPDATE node_tokens SET revoked_at = now() WHERE node IS NULL AND created_by = 'portal' AND revoked_at IS NULL")
                .update();
        return create(null, "portal");
    }

    private String create(String node, String by) {
        String token = fr.catie.vaniila.platform.Secrets.generate(PREFIX);
        jdbc.sql("INSERT INTO node_tokens (node, prefix, secret_hash, created_by) VALUES (?, ?, ?, ?)")
                .params(node, token.substring(0, 10), hash(token), by).update();
        return token;
    }

    @Transactional(readOnly = true)
    public List<NodeTokenInfo> list(Caller caller) {
        if (!caller.isPlatformAdmin()) {
            throw Problem.of(Problem.Kind.FORBIDDEN, NodeTokenRefusal.LIST_ADMIN_ONLY);
        }
        return jdbc.sql("SELECT id, node, prefix, created_by, created_at, revoked_at FROM node_tokens ORDER BY id DESC")
                .query((rs, n) -> new NodeTokenInfo(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant(), rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant()))
                .list();
    }

    @Transactional
    public void revoke(Caller caller, long id) {
        if (!caller.isPlatformAdmin()) {
            throw Problem.of(Problem.Kind.FORBIDDEN, NodeTokenRefusal.REVOKE_ADMIN_ONLY);
        }
        if (jdbc.sql("UPDATE node_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = ?").param(id).update() == 0) {
            throw Problem.of(Problem.Kind.NOT_FOUND, NodeTokenRefusal.NOT_FOUND, id);
        }
        audit.record(caller.username(), null, "node.token.revoke", Long.toString(id), null, null);
    }

    /**
     * Whether the token is valid for the node name. Empty when the token is unknown or revoked;
     * otherwise the node name the token allows (the given one for a local-agents token).
     */
    @Transactional(readOnly = true)
    public Optional<String> authenticate(String token) {
        if (token == null || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT coalesce(node, '*') FROM node_tokens WHERE secret_hash = ? AND revoked_at IS NULL")
                .param(hash(token)).query(String.class).optional();
    }

    static byte[] hash(String token) {
        return fr.catie.vaniila.platform.Secrets.sha256(token);
    }
}
