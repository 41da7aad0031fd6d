package fr.catie.vaniila.security;

import java.io.IOException;
import java.util.Optional;

import fr.catie.vaniila.identity.Accounts;
import fr.catie.vaniila.identity.ApiTokens;
import fr.catie.vaniila.identity.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <token>} with a personal API token. A presented but
 * unusable token is refused at once with a 401 problem, rather than falling through to anonymous.
 */
public class BearerTokenFilter extends OncePerRequestFilter {

    private final ApiTokens tokens;
    private final Accounts accounts;

    public BearerTokenFilter(ApiTokens tokens, Accounts accounts) {
        this.tokens = tokens;
        this.accounts = accounts;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            chain.doFilter(request, response);
            return;
        }
        Optional<Caller> caller = tokens.authenticate(header.substring(7).trim(), accounts);
        if (caller.isEmpty()) {
            ProblemWriter.write(response, 401, "Unauthorized",
                    "The API token is unknown, expired or revoked, or its account is disabled: "
                            + "get a new one with POST /api/v1/auth/token.",
                    request.getRequestURI());
            return;
        }
        VaniilaUser user = new VaniilaUser(caller.get(), null, true);
        var auth = UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(auth);
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
