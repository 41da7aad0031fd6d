package fr.catie.vaniila.web;

import java.time.Clock;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import fr.catie.vaniila.ssh.CommandShells;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import tools.jackson.databind.json.JsonMapper;

/**
 * The web terminal's WebSocket at {@code /terminal/socket}, behind the web security chain (the
 * session cookie authenticates the handshake) and {@link TerminalHandshake} (same origin, CSRF
 * token). Allocations come from whichever bean implements {@link InteractiveAllocations}; without
 * one, only the command shell opens.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
public class TerminalConfiguration implements WebSocketConfigurer {

    /** Where the page opens its socket. */
    public static final String SOCKET = "/terminal/socket";

    private final TerminalSocket socket;

    public TerminalConfiguration(TerminalSettings settings, TerminalSessions sessions, CommandShells shells,
            ObjectProvider<InteractiveAllocations> allocations, AuditLog audit, JsonMapper json, Clock clock,
            PhraseBook words) {
        this.socket = new TerminalSocket(settings, sessions, shells, allocations, audit, json, clock, words);
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        // No setAllowedOrigins: Spring then admits the page's own origin only, and TerminalHandshake
        // checks it again, with the CSRF token.
        registry.addHandler(socket, SOCKET).addInterceptors(new TerminalHandshake());
    }
}
