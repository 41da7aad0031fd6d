package fr.catie.vaniila.identity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.platform.Problem.Kind;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.wording.Phrase;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Module API for accounts. A platform admin manages every account; an organisation admin manages
 * the accounts of its own organisation (and cannot grant PLATFORM_ADMIN); a user sees only itself.
 * Accounts of another organisation read as absent (404), so their existence does not leak.
 * Thread-safe; each call is one transaction.
 */
@Service
public class Accounts {

    /** What it takes to create an account. {@code organisation} defaults to the caller's own. */
    public record NewAccount(String username, String password, String organisation, String role) {
    }

    /** Names of system accounts: a job must never run as one of them. */
    static final java.util.Set<String> RESERVED = java.util.Set.of("root", "daemon", "bin", "sys", "sync", "games",
            "man", "lp", "mail", "news", "uucp", "proxy", "www-data", "backup", "list", "irc", "gnats", "nobody",
            "_apt", "systemd-network", "systemd-resolve", "messagebus", "sshd", "postgres", "vaniila", "admin-system");

    private static final RowMapper<Account> ROW = (rs, n) -> new Account(new AccountId(rs.getLong("id")),
            rs.getString("username"), new OrganisationId(rs.getLong("organisation_id")), rs.getString("organisation"),
            Role.valueOf(rs.getString("role")), rs.getBoolean("enabled"), rs.getInt("uid"),
            rs.getTimestamp("created_at").toInstant());
    private static final String SELECT = "SELECT a.id, a.username, a.organisation_id, o.name AS organisation, a.role, "
            + "a.enabled, a.uid, a.created_at FROM accounts a JOIN organisations o ON o.id = a.organisation_id ";

    private final JdbcClient jdbc;
    private final PasswordEncoder encoder;
    private final Organisations organisations;
    private final AuditLog audit;

    public Accounts(JdbcClient jdbc, PasswordEncoder encoder, Organisations organisations, AuditLog audit) {
        this.jdbc = jdbc;
        this.encoder = encoder;
        this.organisations = organisations;
        this.audit = audit;
    }

    @Transactional
    public Account create(Caller caller, NewAccount request) {
        if (caller.role() == Role.USER) {
            throw Problem.of(Kind.FORBIDDEN, AccountRefusal.CREATE_NOT_ADMIN);
        }
        Map<String, Phrase> errors = new LinkedHashMap<>();
        String username = request.username() == null ? "" : request.username().trim();
        if (!username.matches("^[a-z_][a-z0-9_-]{1,31}$")) {
            errors.put("username", Phrase.of(AccountRefusal.USERNAME_INVALID, username));
        }
        if (RESERVED.contains(username)) {
            errors.put("username", Phrase.of(AccountRefusal.USERNAME_RESERVED, username));
        }
        PasswordPolicy.refusal(username, request.password()).ifPresent(reason -> errors.put("password", reason));
        Role role;
        try {
            role = Role.parse(request.role());
        } catch (Problem p) {
            errors.put("role", p.phrase());
            role = Role.USER;
        }
        if (!errors.isEmpty()) {
            throw Problem.invalidPhrases(errors);
        }
        String orgName = request.organisation() == null || request.organisation().isBlank() ? caller.organisation()
                : request.organisation().trim();
        Organisation org = organisations.findByName(orgName).filter(o -> caller.sees(o.id()))
                .orElseThrow(() -> Problem.of(Kind.NOT_FOUND, OrganisationRefusal.NOT_FOUND, orgName));
        if (!caller.administers(org.id())) {
            throw Problem.of(Kind.FORBIDDEN, AccountRefusal.CREATE_OUTSIDE_OWN_ORGANISATION, caller.organisation());
        }
        if (role == Role.PLATFORM_ADMIN && !caller.isPlatformAdmin()) {
            throw Problem.of(Kind.FORBIDDEN, AccountRefusal.GRANT_PLATFORM_ADMIN);
        }
        long id;
        try {
            id = jdbc.sql("INSERT INTO accounts (organisation_id, username, password_hash, role) VALUES (?, ?, ?, ?) RETURNING id")
                    .params(org.id().value(), username, encoder.encode(request.password()), role.name())
                    .query(Long.class).single();
        } catch (DuplicateKeyException e) {
            throw Problem.of(Kind.CONFLICT, AccountRefusal.USERNAME_TAKEN, username);
        }
        audit.record(caller.username(), org.id().value(), "account.create", username, "role=" + role, null);
        return find(new AccountId(id)).orElseThrow();
    }

    /**
     * Accounts the caller may see: all (or one organisation's) for a platform admin, the
     * organisation's for an organisation admin, itself for a user.
     */
    @Transactional(readOnly = true)
    public List<Account> list(Caller caller, String organisation) {
        if (caller.isPlatformAdmin()) {
            if (organisation == null || organisation.isBlank()) {
                return jdbc.sql(SELECT + "ORDER BY o.name, a.username").query(ROW).list();
            }
            Organisation org = organisations.get(caller, organisation);
            return jdbc.sql(SELECT + "WHERE a.organisation_id = ? ORDER BY a.username").param(org.id().value())
                    .query(ROW).list();
        }
        if (organisation != null && !organisation.isBlank() && !organisation.equals(caller.organisation())) {
            throw Problem.of(Kind.NOT_FOUND, OrganisationRefusal.NOT_FOUND, organisation);
        }
        if (caller.role() == Role.ORG_ADMIN) {
            return jdbc.sql(SELECT + "WHERE a.organisation_id = ? ORDER BY a.username")
                    .param(caller.organisationId().value()).query(ROW).list();
        }
        return jdbc.sql(SELECT + "WHERE a.id = ?").param(caller.accountId().value()).query(ROW).list();
    }

    /** One account by username, if the caller may see it. */
    @Transactional(readOnly = true)
    public Account get(Caller caller, String username) {
        return findByUsername(username)
                .filter(a -> caller.administers(a.organisationId()) || a.id().equals(caller.accountId()))
                .orElseThrow(() -> Problem.of(Kind.NOT_FOUND, AccountRefusal.NO_SUCH_ACCOUNT, username));
    }

    @Transactional
    public Account setEnabled(Caller caller, String username, boolean enabled) {
        Account target = managed(caller, username);
        if (target.id().equals(caller.accountId()) && !enabled) {
            throw Problem.of(Kind.INVALID, AccountRefusal.DISABLE_OWN_ACCOUNT);
        }
        jdbc.sql("UPDATE accounts SET enabled = ? WHERE id = ?").params(enabled, target.id().value()).update();
        if (!enabled) {
            // A disabled account keeps no way in: its API tokens stop working at once.
            jdbc.sql("UPDATE api_tokens SET revoked_at = now() WHERE account_id = ? AND revoked_at IS NULL")
                    .param(target.id().value()).update();
        }
        audit.record(caller.username(), target.organisationId().value(), enabled ? "account.enable" : "account.disable",
                username, null, null);
        return find(target.id()).orElseThrow();
    }

    @Transactional
    public Account changeRole(Caller caller, String username, String roleName) {
        Account target = managed(caller, username);
        Role role = Role.parse(roleName);
        if (role == Role.PLATFORM_ADMIN && !caller.isPlatformAdmin()) {
            throw Problem.of(Kind.FORBIDDEN, AccountRefusal.GRANT_PLATFORM_ADMIN);
        }
        if (target.role() == Role.PLATFORM_ADMIN && !caller.isPlatformAdmin()) {
            throw Problem.of(Kind.FORBIDDEN, AccountRefusal.CHANGE_PLATFORM_ADMIN);
        }
        if (target.id().equals(caller.accountId()) && role != target.role()) {
            throw Problem.of(Kind.INVALID, AccountRefusal.CHANGE_OWN_ROLE);
        }
        jdbc.sql("UPDATE accounts SET role = ? WHERE id = ?").params(role.name(), target.id().value()).update();
        audit.record(caller.username(), target.organisationId().value(), "account.role", username,
                target.role() + " -> " + role, null);
        return find(target.id()).orElseThrow();
    }

    @Transactional
    public void changePassword(Caller caller, String username, String newPassword) {
        Account target = username.equals(caller.username()) ? find(caller.accountId()).orElseThrow()
                : managed(caller, username);
        PasswordPolicy.refusal(target.username(), newPassword).ifPresent(reason -> {
            throw new Problem(Kind.INVALID, reason, Map.of("password", reason));
        });
        jdbc.sql("UPDATE accounts SET password_hash = ? WHERE id = ?")
                .params(encoder.encode(newPassword), target.id().value()).update();
        audit.record(caller.username(), target.organisationId().value(), "account.password", target.username(), null, null);
    }

    /** Applies several changes to one account at once: all of them or none. */
    @Transactional
    public Account update(Caller caller, String username, Boolean enabled, String role, String password) {
        Account result = get(caller, username);
        if (role != null) {
            result = changeRole(caller, username, role);
        }
        if (password != null) {
            changePassword(caller, username, password);
        }
        if (enabled != null) {
            result = setEnabled(caller, username, enabled);
        }
        return result;
    }

    private Account managed(Caller caller, String username) {
        Account target = findByUsername(username).filter(a -> caller.sees(a.organisationId()))
                .orElseThrow(() -> Problem.of(Kind.NOT_FOUND, AccountRefusal.NO_SUCH_ACCOUNT, username));
        if (!caller.administers(target.organisationId())) {
            throw Problem.of(Kind.FORBIDDEN, AccountRefusal.NOT_ADMIN_OF, target.organisation());
        }
        return target;
    }

    /** The stored password hash and account of a username, for authentication only. */
    public Optional<Credentials> credentials(String username) {
        return jdbc.sql(SELECT.replace("a.created_at FROM", "a.created_at, a.password_hash FROM") + "WHERE a.username = ?")
                .param(username)
                .query((rs, n) -> new Credentials(ROW.mapRow(rs, n), rs.getString("password_hash"))).optional();
    }

    /** An account with its password hash; never leaves the identity and security code. */
    public record Credentials(Account account, String passwordHash) {
        public Caller caller() {
            return Caller.of(account);
        }
    }

    /** Resolves the caller for an authenticated, enabled username. */
    public Optional<Caller> caller(String username) {
        return findByUsername(username).filter(Account::enabled).map(Caller::of);
    }

    Optional<Account> find(AccountId id) {
        return jdbc.sql(SELECT + "WHERE a.id = ?").param(id.value()).query(ROW).optional();
    }

    Optional<Account> findByUsername(String username) {
        return jdbc.sql(SELECT + "WHERE a.username = ?").param(username).query(ROW).optional();
    }

    /** Every account, for the platform's own background work; never for a user. */
    public Optional<Account> byId(AccountId id) {
        return find(id);
    }
}
