package fr.catie.vaniila.web;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.AllocationRequest;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import fr.catie.vaniila.interactive.Terminal;
import fr.catie.vaniila.interactive.TerminalSize;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.ssh.CommandShells;
import fr.catie.vaniila.wording.Phrase;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The web terminal's WebSocket ({@code /terminal/socket}). The page sends, as text (JSON):
 * <pre>
 * {"type":"open","mode":"shell"|"allocation","columns":120,"rows":40,
 *  "queue":"gpu","gpus":"1","flavor":"","cores":"4","memoryGb":"16","walltime":"01:00:00"}
 * {"type":"resize","columns":100,"rows":30}
 * </pre>
 * and keystrokes and pastes as binary messages (UTF-8 bytes, in pieces a character may straddle).
 * The portal answers output as binary messages, and as text {@code {"type":"opened"}},
 * {@code {"type":"error","message":...,"fields":{...}}} (the terminal could not open; the socket
 * closes) and, last, {@code {"type":"closed","reason":"exited|idle|logged-out|shutdown","exitCode":0,"why":...}}.
 * A socket carries one terminal. Thread-safe.
 */
final class TerminalSocket extends AbstractWebSocketHandler {

    static final String CONNECTION = "vaniila.terminal";

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TerminalSocket.class);

    private final TerminalSettings settings;
    private final TerminalSessions sessions;
    private final CommandShells shells;
    private final ObjectProvider<InteractiveAllocations> allocations;
    private final AuditLog audit;
    private final JsonMapper json;
    private final Clock clock;
    private final PhraseBook words;

    TerminalSocket(TerminalSettings settings, TerminalSessions sessions, CommandShells shells,
            ObjectProvider<InteractiveAllocations> allocations, AuditLog audit, JsonMapper json, Clock clock,
            PhraseBook words) {
        this.words = words;
        this.settings = settings;
        this.sessions = sessions;
        this.shells = shells;
        this.allocations = allocations;
        this.audit = audit;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        int limit = (int) settings.maxMessageSize().toBytes();
        session.setTextMessageSizeLimit(limit);
        session.setBinaryMessageSizeLimit(limit);
        if (session instanceof NativeWebSocketSession nativeSession
                && nativeSession.getNativeSession() instanceof jakarta.websocket.Session standard) {
            // Tomcat's bound on one blocking send: a browser that stops reading is dropped after it.
            standard.getUserProperties().put("org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT",
                    settings.sendTimeLimit().toMillis());
        }
        Map<String, Object> attributes = session.getAttributes();
        TerminalConnection connection = new TerminalConnection(session, (Caller) attributes.get(TerminalHandshake.CALLER),
                (String) attributes.get(TerminalHandshake.HTTP_SESSION), (String) attributes.get(TerminalHandshake.ADDRESS),
                clock.instant(), json, words);
        attributes.put(CONNECTION, connection);
        sessions.opened(connection);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        TerminalConnection connection = connection(session);
        if (connection == null || connection.hasEnded()) {
            return;
        }
        JsonNode m;
        try {
            m = json.readTree(message.getPayload());
        } catch (JacksonException e) {
            refuse(connection, Problem.of(Problem.Kind.INVALID, TerminalRefusal.NOT_JSON));
            return;
        }
        String type = m.path("type").asString("");
        switch (type) {
            case "open" -> open(connection, m);
            case "resize" -> {
                Terminal terminal = connection.terminal();
                TerminalSize size = size(m);
                if (terminal != null && size != null) {
                    terminal.resize(size);
                }
            }
            default -> refuse(connection, Problem.of(Problem.Kind.INVALID, TerminalRefusal.UNKNOWN_MESSAGE, type));
        }
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        TerminalConnection connection = connection(session);
        if (connection == null) {
            return;
        }
        Terminal terminal = connection.terminal();
        if (terminal != null) {
            connection.touched(clock.instant());
            java.nio.ByteBuffer payload = message.getPayload();
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            terminal.input(bytes);
        }
    }

    private void open(TerminalConnection connection, JsonNode m) {
        if (connection.terminal() != null) {
            refuse(connection, Problem.of(Problem.Kind.CONFLICT, TerminalRefusal.ALREADY_OPEN));
            return;
        }
        TerminalSize size = size(m);
        if (size == null) {
            size = TerminalSize.DEFAULT;
        }
        Caller caller = connection.caller();
        String mode = m.path("mode").asString("shell");
        Terminal terminal;
        String detail;
        try {
            if (mode.equals("allocation")) {
                InteractiveAllocations relay = allocations.getIfAvailable();
                if (relay == null) {
                    throw Problem.of(Problem.Kind.UNPROCESSABLE, TerminalRefusal.NO_ALLOCATIONS);
                }
                AllocationRequest request = allocationRequest(m);
                detail = "web terminal, allocation " + describe(request) + ", " + size.columns() + "x" + size.rows();
                terminal = relay.open(caller, request, size, connection);
            } else if (mode.equals("shell")) {
                detail = "web terminal, command shell, " + size.columns() + "x" + size.rows();
                terminal = shells.open(caller, connection.address(), "terminal.command", size, connection);
            } else {
                throw Problem.invalid("mode", TerminalRefusal.UNKNOWN_MODE, mode);
            }
        } catch (Problem p) {
            refuse(connection, p);
            return;
        } catch (RuntimeException e) {
            log.warn("terminal of {} did not open", caller.username(), e);
            refuse(connection, Problem.of(Problem.Kind.UNPROCESSABLE, TerminalRefusal.COULD_NOT_OPEN, e.getMessage()));
            return;
        }
        connection.touched(clock.instant());
        // Bound first, so that whatever fails next, the socket's end still closes the terminal.
        connection.bind(terminal);
        audit.record(caller.username(), caller.organisationId().value(), "terminal.open", mode, detail,
                connection.address());
        connection.control(Map.of("type", "opened", "mode", mode));
    }

    /** The allocation form's fields: empty ones take the queue's defaults; numbers must be whole. */
    static AllocationRequest allocationRequest(JsonNode m) {
        Map<String, Phrase> errors = new LinkedHashMap<>();
        String queue = text(m, "queue");
        String flavor = text(m, "flavor");
        String walltime = text(m, "walltime");
        Integer gpus = whole(m, "gpus", TerminalRefusal.GPUS_RANGE, 0, 64, errors);
        Integer cores = whole(m, "cores", TerminalRefusal.CORES_RANGE, 1, 4096, errors);
        Integer memoryGb = whole(m, "memoryGb", TerminalRefusal.MEMORY_RANGE, 1, 65536, errors);
        if (walltime != null && !walltime.matches("(\\d+-)?\\d+(:\\d{1,2}){0,2}")) {
            errors.put("walltime", Phrase.of(TerminalRefusal.WALLTIME, walltime));
        }
        if (!errors.isEmpty()) {
            throw Problem.invalidPhrases(errors);
        }
        return new AllocationRequest(null, queue, gpus, flavor, cores, memoryGb == null ? null : memoryGb * 1024,
                walltime);
    }

    private static String text(JsonNode m, String field) {
        String v = m.path(field).asString("").strip();
        return v.isEmpty() ? null : v;
    }

    private static Integer whole(JsonNode m, String field, TerminalRefusal range, int min, int max,
            Map<String, Phrase> errors) {
        String v = text(m, field);
        if (v == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below, with the range
        }
        errors.put(field, Phrase.of(range, min, max, v));
        return null;
    }

    private static String describe(AllocationRequest r) {
        return "queue=" + (r.queue() == null ? "default" : r.queue()) + " gpus=" + (r.gpus() == null ? 0 : r.gpus())
                + " flavor=" + (r.flavor() == null ? "any" : r.flavor()) + " cores=" + (r.cores() == null ? "default" : r.cores())
                + " memoryMb=" + (r.memoryMb() == null ? "default" : r.memoryMb())
                + " time=" + (r.walltime() == null ? "default" : r.walltime());
    }

    /** The size the page measured; null when it sent none or an impossible one. */
    private static TerminalSize size(JsonNode m) {
        if (!m.path("columns").canConvertToInt() || !m.path("rows").canConvertToInt()) {
            return null;
        }
        try {
            return new TerminalSize(m.path("columns").asInt(), m.path("rows").asInt());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The allocation form's field for each field of a job submission, so that the page marks the right one. */
    private static final Map<String, String> FORM_FIELDS = Map.of("gpusPerNode", "gpus", "gpuFlavor", "flavor",
            "minGpuMemoryMb", "flavor", "coresPerNode", "cores", "cpusPerGpu", "cores", "memPerNodeMb", "memoryGb",
            "memPerGpuMb", "memoryGb", "walltime", "walltime", "queue", "queue");

    /** The terminal cannot open or the page misbehaved: says why, in the page's language, then closes the socket. */
    private void refuse(TerminalConnection connection, Problem p) {
        Locale locale = connection.locale();
        String said = words.say(p, locale);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", "error");
        error.put("message", said);
        Map<String, String> fields = new LinkedHashMap<>();
        words.fields(p, locale).forEach((field, message) -> fields.put(FORM_FIELDS.getOrDefault(field, field),
                message));
        error.put("fields", fields);
        connection.control(error);
        connection.end(TerminalConnection.Ending.EXITED, -1, said);
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("terminal socket {}: {}", session.getId(), exception.getMessage());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        TerminalConnection connection = connection(session);
        if (connection != null) {
            sessions.closed(connection);
            connection.socketClosed();
        }
    }

    private static TerminalConnection connection(WebSocketSession session) {
        return (TerminalConnection) session.getAttributes().get(CONNECTION);
    }
}
