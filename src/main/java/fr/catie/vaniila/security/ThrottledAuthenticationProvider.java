package fr.catie.vaniila.security;

import java.time.Duration;
import java.util.Optional;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Accounts;
import fr.catie.vaniila.identity.LoginThrottle;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Password authentication with throttling: a locked (username, address) pair is refused before its
 * password is even checked, every failure counts, a success clears the count. Logins and failures go
 * to the audit log.
 */
public class ThrottledAuthenticationProvider implements AuthenticationProvider {

    private final DaoAuthenticationProvider delegate;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final Accounts accounts;

    public ThrottledAuthenticationProvider(DaoAuthenticationProvider delegate, LoginThrottle throttle, AuditLog audit,
            Accounts accounts) {
        this.delegate = delegate;
        this.accounts = accounts;
        this.throttle = throttle;
        this.audit = audit;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String username = String.valueOf(authentication.getPrincipal()).trim();
        String address = address(authentication);
        Optional<Duration> locked = throttle.lockedFor(username, address);
        if (locked.isPresent()) {
            throw new LockedLogin(LoginThrottle.phrase(locked.get()));
        }
        try {
            Authentication result = delegate.authenticate(authentication);
            throttle.succeeded(username, address);
            VaniilaUser user = (VaniilaUser) result.getPrincipal();
            audit.record(username, user.caller().organisationId().value(), "login", username, "web", address);
            return result;
        } catch (DisabledException e) {
            audit.record(username, organisationOf(username), "login.disabled", username, "web", address);
            throw new DisabledException("This account is disabled: ask your organisation's administrator.");
        } catch (AuthenticationException e) {
            throttle.failed(username, address);
            audit.record(username, organisationOf(username), "login.failed", username, "web", address);
            throw e;
        }
    }

    /** A known account's organisation, so that its admins see the failures; null for an unknown name. */
    private Long organisationOf(String username) {
        return accounts.credentials(username).map(c -> c.account().organisationId().value()).orElse(null);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }

    private static String address(Authentication authentication) {
        return authentication.getDetails() instanceof WebAuthenticationDetails d && d.getRemoteAddress() != null
                ? d.getRemoteAddress() : "unknown";
    }
}
