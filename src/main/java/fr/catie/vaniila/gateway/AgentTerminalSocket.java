package fr.catie.vaniila.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import fr.catie.vaniila.interactive.InteractiveShells;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.server.HandshakeInterceptor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent protocol's terminal stream ({@code docs/agent-protocol.md}, "Interactive terminals"): the agent that
 * started an interactive launch opens a WebSocket to {@code /agent/v1/terminals/{launchId}} with its node token;
 * the portal sends it frames for the terminal (binary), it sends back the terminal's output (binary) and, at the
 * end, {@code {"exit": N}} (text). The handshake is refused (404) unless the launch is an interactive launch of that
 * node whose terminal waits on this portal. Thread-safe.
 */
@Configuration
@EnableWebSocket
public class AgentTerminalSocket extends AbstractWebSocketHandler implements WebSocketConfigurer {

    private static final Logger log = LoggerFactory.getLogger(AgentTerminalSocket.class);
    private static final String JOB = "vaniila.terminal.job";
    private static final String LAUNCH = "vaniila.terminal.launch";
    private static final String NODE = "vaniila.terminal.node";
    private static final String RELAY = "vaniila.terminal.relay";

    private final JdbcClient jdbc;
    private final InteractiveShells shells;
    private final JsonMapper json;

    public AgentTerminalSocket(JdbcClient jdbc, InteractiveShells shells, JsonMapper json) {
        this.jdbc = jdbc;
        this.shells = shells;
        this.json = json;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(this, "/agent/v1/terminals/*").addInterceptors(new HandshakeInterceptor() {
            @Override
            public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
                    WebSocketHandler handler, Map<String, Object> attributes) {
                return admit(request, response, attributes);
            }

            @Override
            public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response,
                    WebSocketHandler handler, Exception exception) {
                // nothing to do once connected
            }
        });
    }

    private boolean admit(ServerHttpRequest request, ServerHttpResponse response, Map<String, Object> attributes) {
        Object node = request instanceof ServletServerHttpRequest s
                ? s.getServletRequest().getAttribute(NodeTokenFilter.NODE_ATTRIBUTE) : null;
        if (node == null) {
            response.setStatusCode(HttpStatus.UNAUTHORIZED);
            return false;
        }
        String path = request.getURI().getPath();
        UUID launch;
        try {
            launch = UUID.fromString(path.substring(path.lastIndexOf('/') + 1));
        } catch (IllegalArgumentException e) {
            response.setStatusCode(HttpStatus.NOT_FOUND);
            return false;
        }
        List<Map<String, Object>> rows = jdbc.sql("""
                SELECT l.job_id, n.name FROM launches l JOIN nodes n ON n.id = l.node_id JOIN jobs j ON j.id = l.job_id
                WHERE l.id = ? AND j.type = 'INTERACTIVE' AND l.state IN ('LAUNCHING', 'RUNNING')""")
                .param(launch).query().listOfRows();
        if (rows.isEmpty()) {
            response.setStatusCode(HttpStatus.NOT_FOUND);
            return false;
        }
        String launchNode = (String) rows.get(0).get("name");
        if (!"*".equals(node.toString()) && !node.toString().equals(launchNode)) {
            log.warn("Node {} asked for the terminal of launch {}, which runs on {}: refused", node, launch, launchNode);
            response.setStatusCode(HttpStatus.FORBIDDEN);
            return false;
        }
        long job = ((Number) rows.get(0).get("job_id")).longValue();
        if (!shells.waiting(job)) {
            response.setStatusCode(HttpStatus.NOT_FOUND);
            return false;
        }
        attributes.put(JOB, job);
        attributes.put(LAUNCH, launch);
        attributes.put(NODE, launchNode);
        return true;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws IOException {
        WebSocketSession out = new ConcurrentWebSocketSessionDecorator(session, 30_000, 8 << 20);
        long job = (Long) session.getAttributes().get(JOB);
        UUID launch = (UUID) session.getAttributes().get(LAUNCH);
        Optional<InteractiveShells.Relay> relay = shells.attach(job, launch, (String) session.getAttributes().get(NODE),
                new InteractiveShells.NodeSide() {
                    @Override
                    public void send(byte[] frames) {
                        try {
                            out.sendMessage(new BinaryMessage(frames));
                        } catch (IOException | RuntimeException e) {
                            log.debug("terminal of job {}: frames not sent: {}", job, e.getMessage());
                        }
                    }

                    @Override
                    public void close(String why) {
                        try {
                            out.close(CloseStatus.NORMAL.withReason(why.length() > 100 ? why.substring(0, 100) : why));
                        } catch (IOException | RuntimeException e) {
                            log.debug("terminal of job {}: close failed: {}", job, e.getMessage());
                        }
                    }
                });
        if (relay.isEmpty()) {
            session.close(CloseStatus.POLICY_VIOLATION.withReason("no terminal waits for this launch"));
            return;
        }
        session.getAttributes().put(RELAY, relay.get());
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        InteractiveShells.Relay relay = (InteractiveShells.Relay) session.getAttributes().get(RELAY);
        if (relay != null) {
            ByteBuffer payload = message.getPayload();
            byte[] data = new byte[payload.remaining()];
            payload.get(data);
            relay.output(data);
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        InteractiveShells.Relay relay = (InteractiveShells.Relay) session.getAttributes().get(RELAY);
        if (relay == null) {
            return;
        }
        JsonNode status = json.readTree(message.getPayload());
        JsonNode exit = status.path("exit");
        relay.exited(exit.isNumber() ? exit.asInt() : null);
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) throws IOException {
        log.debug("terminal stream {} broke: {}", session.getId(), exception.getMessage());
        session.close(CloseStatus.SERVER_ERROR);
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        InteractiveShells.Relay relay = (InteractiveShells.Relay) session.getAttributes().remove(RELAY);
        if (relay != null) {
            relay.disconnected();
        }
    }

    @Override
    public boolean supportsPartialMessages() {
        // The output is a byte stream: a message's pieces are passed on as they come, whatever its size.
        return true;
    }
}
