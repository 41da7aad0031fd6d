package fr.catie.vaniila.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** Authenticates agents by their node token; a missing or wrong token is refused with 401 at once. */
public class NodeTokenFilter extends OncePerRequestFilter {

    static final String NODE_ATTRIBUTE = "vaniila.node";

    private final NodeTokens tokens;

    public NodeTokenFilter(NodeTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        Optional<String> node = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? tokens.authenticate(header.substring(7).trim()) : Optional.empty();
        if (node.isEmpty()) {
            response.setStatus(401);
            response.setContentType("application/problem+json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                    + "\"detail\":\"The node token is missing, unknown or revoked: ask a platform admin for one "
                    + "(POST /api/v1/nodes/tokens) and start the agent with --token.\"}");
            return;
        }
        request.setAttribute(NODE_ATTRIBUTE, node.get());
        var auth = UsernamePasswordAuthenticationToken.authenticated("node:" + node.get(), null,
                List.of(new SimpleGrantedAuthority("ROLE_AGENT")));
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
