package fr.catie.vaniila.api;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.security.VaniilaUser;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** The module-API caller behind the current request. */
public final class CurrentCaller {

    private CurrentCaller() {
    }

    public static Caller get() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof VaniilaUser user) {
            return user.caller();
        }
        throw new Problem(Problem.Kind.UNAUTHENTICATED, "Authentication required.");
    }
}
