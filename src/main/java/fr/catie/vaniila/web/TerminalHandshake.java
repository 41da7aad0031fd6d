package fr.catie.vaniila.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.platform.Problem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.csrf.XorCsrfTokenRequestAttributeHandler;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.WebUtils;

/**
 * The checks of the terminal's WebSocket handshake, after Spring Security has authenticated the
 * session cookie: the page's own origin only (a browser always sends Origin on a WebSocket
 * handshake, and cookies ride along whatever page opens the socket), and the session's CSRF token
 * as the {@code _csrf} query parameter, since a handshake is a GET that the CSRF filter lets pass.
 * Keeps the caller, the HTTP session's id and the client's address for the socket. Stateless;
 * thread-safe.
 */
final class TerminalHandshake implements HandshakeInterceptor {

    static final String CALLER = "vaniila.caller";
    static final String HTTP_SESSION = "vaniila.httpSession";
    static final String ADDRESS = "vaniila.address";
    static final String LOCALE = "vaniila.locale";

    // Spring Security's defaults, as the web chain leaves them: the token kept in the HTTP session, masked in pages.
    private final CsrfTokenRepository tokens = new HttpSessionCsrfTokenRepository();
    private final XorCsrfTokenRequestAttributeHandler masks = new XorCsrfTokenRequestAttributeHandler();

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Map<String, Object> attributes) {
        if (!(request instanceof ServletServerHttpRequest servlet)) {
            return refuse(response);
        }
        HttpServletRequest http = servlet.getServletRequest();
        if (http.getHeader("Origin") == null || !WebUtils.isSameOrigin(request)) {
            return refuse(response);
        }
        HttpSession session = http.getSession(false);
        CsrfToken expected = tokens.loadToken(http);
        if (session == null || expected == null) {
            return refuse(response);
        }
        String given = masks.resolveCsrfTokenValue(http, expected);
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getToken().getBytes(StandardCharsets.UTF_8))) {
            return refuse(response);
        }
        Caller caller;
        try {
            caller = Pages.caller();
        } catch (Problem p) {
            return refuse(response);
        }
        attributes.put(CALLER, caller);
        attributes.put(HTTP_SESSION, session.getId());
        attributes.put(ADDRESS, http.getRemoteAddr());
        // The page's language, as its login session chose it: refusals over the socket are said in it.
        attributes.put(LOCALE, org.springframework.web.servlet.support.RequestContextUtils.getLocale(http));
        return true;
    }

    private static boolean refuse(ServerHttpResponse response) {
        response.setStatusCode(HttpStatus.FORBIDDEN);
        return false;
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Exception exception) {
        // Nothing to undo: a refused handshake kept nothing.
    }
}
