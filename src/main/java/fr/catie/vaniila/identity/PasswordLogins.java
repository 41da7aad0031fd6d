package fr.catie.vaniila.identity;

import java.time.Duration;
import java.util.Optional;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.platform.Problem;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

/**
 * Password checks outside the web form (the token endpoint; SSH when password login is enabled),
 * with the same throttling and audit as the form. Thread-safe.
 */
@Service
public class PasswordLogins {

    private final Accounts accounts;
    private final PasswordEncoder encoder;
    private final LoginThrottle throttle;
    private final AuditLog audit;

    public PasswordLogins(Accounts accounts, PasswordEncoder encoder, LoginThrottle throttle, AuditLog audit) {
        this.accounts = accounts;
        this.encoder = encoder;
        this.throttle = throttle;
        this.audit = audit;
    }

    /**
     * The caller for a username and password, or a problem: UNAUTHENTICATED for wrong credentials
     * (one message for unknown user and wrong password, so usernames do not leak), FORBIDDEN for a
     * disabled account, TOO_MANY while locked out.
     */
    public Caller login(String username, String password, String address, String channel) {
        String name = username == null ? "" : username.trim();
        Optional<Duration> locked = throttle.lockedFor(name, address);
        if (locked.isPresent()) {
            throw new Problem(Problem.Kind.TOO_MANY, LoginThrottle.phrase(locked.get()));
        }
        Optional<Accounts.Credentials> credentials = accounts.credentials(name);
        boolean ok = credentials.isPresent() && password != null
                && encoder.matches(password, credentials.get().passwordHash());
        if (!ok) {
            throttle.failed(name, address);
            // A known account's failures concern its organisation: its admins see them in their audit log.
            audit.record(name, credentials.map(c -> c.account().organisationId().value()).orElse(null), "login.failed",
                    name, channel, address);
            throw Problem.of(Problem.Kind.UNAUTHENTICATED, AccountRefusal.LOGIN_WRONG);
        }
        if (!credentials.get().account().enabled()) {
            audit.record(name, credentials.get().account().organisationId().value(), "login.disabled", name, channel,
                    address);
            throw Problem.of(Problem.Kind.FORBIDDEN, AccountRefusal.LOGIN_DISABLED);
        }
        throttle.succeeded(name, address);
        Caller caller = credentials.get().caller();
        audit.record(name, caller.organisationId().value(), "login", name, channel, address);
        return caller;
    }
}
