package fr.catie.vaniila.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import fr.catie.vaniila.agent.AgentMessages.Registration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small real HTTP server playing the portal's side of the agent protocol ({@code docs/agent-protocol.md}): checks
 * the bearer token, applies events once by {@code seq}, hands out queued commands with long polling, stores log
 * chunks once per offset, and records every request so that tests can assert on the conversation.
 */
final class PortalHarness implements AutoCloseable {

    static final String TOKEN = "node-token-good";

    static {
        // Without TCP_NODELAY the JDK's server waits on delayed ACKs: ~50 ms per upload, a harness artefact.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    final List<Registration> registrations = new CopyOnWriteArrayList<>();
    final List<AgentEvent> applied = new CopyOnWriteArrayList<>();
    final List<Integer> chunkSizes = new CopyOnWriteArrayList<>();
    final List<String> protocolErrors = new CopyOnWriteArrayList<>();
    /** Launch id to the CPU seconds of the usage a sync carried after (or with) the launch's EXITED, as the last. */
    final Map<String, Double> cpuAfterExit = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<String> exited = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<JsonNode> commands = new LinkedBlockingQueue<>();
    private final Map<String, Sink> logs = new HashMap<>();

    /** One stream as received: its size, a running digest of all of it, and its first 4 MiB kept as bytes. */
    private static final class Sink {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        final MessageDigest digest;
        long size;

        Sink() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void append(byte[] bytes, int length) {
            digest.update(bytes, 0, length);
            int keep = (int) Math.max(0, Math.min(length, HEAD_BYTES - head.size()));
            head.write(bytes, 0, keep);
            size += length;
        }
    }

    private static final int HEAD_BYTES = 4 << 20;
    private long appliedSeq;
    volatile int failWith;
    volatile boolean forgetNode;
    volatile long maxLogBytes = Long.MAX_VALUE;
    volatile long uploadDelayMillis;
    volatile int syncs;

    PortalHarness() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/agent/v1/register", ex -> handle(ex, this::register));
        server.createContext("/agent/v1/sync", ex -> handle(ex, this::sync));
        server.createContext("/agent/v1/logs/", ex -> handle(ex, this::log));
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Queues a command for the next sync. */
    void send(ObjectNode command) {
        commands.add(command);
    }

    static ObjectNode launchCommand(String commandId, LaunchSpec spec) {
        ObjectNode c = AgentJson.MAPPER.createObjectNode();
        c.put("commandId", commandId);
        c.put("type", "LAUNCH");
        c.set("launch", AgentJson.MAPPER.valueToTree(spec));
        return c;
    }

    static ObjectNode stopCommand(String commandId, LaunchId launchId, int graceSeconds) {
        ObjectNode c = AgentJson.MAPPER.createObjectNode();
        c.put("commandId", commandId);
        c.put("type", "STOP");
        c.put("launchId", launchId.value());
        c.put("reason", "CANCELLED");
        c.put("graceSeconds", graceSeconds);
        return c;
    }

    /** Waits for an applied event matching the predicate. */
    <T extends AgentEvent> T await(Class<T> type, LaunchId launchId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (AgentEvent e : applied) {
                if (type.isInstance(e) && e.launchId().equals(launchId)) {
                    return type.cast(e);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + type.getSimpleName() + " for launch " + launchId + " within " + timeout
                + "; applied: " + applied);
    }

    long count(Predicate<AgentEvent> predicate) {
        return applied.stream().filter(predicate).count();
    }

    /** The bytes of a stream received so far (its first 4 MiB). */
    synchronized byte[] log(LaunchId launchId, LogStream stream) {
        Sink sink = logs.get(launchId.value() + "/" + stream.wireName());
        return sink == null ? new byte[0] : sink.head.toByteArray();
    }

    /** How many bytes of a stream were received. */
    synchronized long logSize(LaunchId launchId, LogStream stream) {
        Sink sink = logs.get(launchId.value() + "/" + stream.wireName());
        return sink == null ? 0 : sink.size;
    }

    /** The SHA-256 of all bytes of a stream received so far, in hex. */
    synchronized String logSha256(LaunchId launchId, LogStream stream) throws CloneNotSupportedException {
        Sink sink = logs.get(launchId.value() + "/" + stream.wireName());
        MessageDigest copy = (MessageDigest) (sink == null ? new Sink().digest : sink.digest).clone();
        return HexFormat.of().formatHex(copy.digest());
    }

    String logText(LaunchId launchId, LogStream stream) {
        return new String(log(launchId, stream), StandardCharsets.UTF_8);
    }

    /** Waits until the stream received holds {@code expected}. */
    String awaitLog(LaunchId launchId, LogStream stream, String expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String text = logText(launchId, stream);
            if (text.contains(expected)) {
                return text;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(stream + " of " + launchId + " never held '" + expected + "': '"
                + logText(launchId, stream) + "'");
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ------------------------------------------------------------ handlers

    private interface Handler {
        Object handle(HttpExchange exchange, byte[] body) throws Exception;
    }

    private void handle(HttpExchange exchange, Handler handler) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (failWith != 0) {
                reply(exchange, failWith, "{\"title\":\"unavailable\",\"status\":" + failWith + "}");
                return;
            }
            if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 401, "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                        + "\"detail\":\"unknown or revoked node token\"}");
                return;
            }
            Object answer;
            try {
                answer = handler.handle(exchange, body);
            } catch (Exception e) {
                protocolErrors.add(e.toString());
                reply(exchange, 500, "{\"detail\":\"" + e.getClass().getSimpleName() + "\"}");
                return;
            }
            if (answer instanceof Integer) {
                reply(exchange, (Integer) answer, "{\"title\":\"gone\",\"status\":" + answer + "}");
            } else {
                reply(exchange, 200, AgentJson.MAPPER.writeValueAsString(answer));
            }
        } catch (IOException e) {
            // The agent went away mid-request (a stopped agent's long poll): nothing to answer.
        }
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Object register(HttpExchange exchange, byte[] body) {
        Registration r = AgentJson.MAPPER.readValue(body, Registration.class);
        registrations.add(r);
        forgetNode = false;
        synchronized (this) {
            return Map.of("node", r.node(), "heartbeatSeconds", 5, "ackSeq", appliedSeq);
        }
    }

    private Object sync(HttpExchange exchange, byte[] body) throws InterruptedException {
        if (forgetNode) {
            return 410;
        }
        syncs++;
        JsonNode request = AgentJson.MAPPER.readTree(body);
        int wait = Integer.parseInt(exchange.getRequestURI().getQuery().replace("wait=", ""));
        long ack;
        synchronized (this) {
            for (JsonNode node : request.path("events")) {
                AgentEvent e = AgentJson.MAPPER.treeToValue(node, AgentEvent.class);
                if (e.seq() <= appliedSeq) {
                    continue;
                }
                if (e.seq() != appliedSeq + 1) {
                    protocolErrors.add("event seq " + e.seq() + " after " + appliedSeq);
                }
                applied.add(e);
                appliedSeq = e.seq();
                if (e instanceof AgentEvent.Exited x) {
                    exited.add(x.launchId().value());
                }
            }
            for (JsonNode u : request.path("usage")) {
                String launch = u.path("launchId").asString("");
                if (exited.contains(launch)) {
                    cpuAfterExit.put(launch, u.path("cpuSeconds").asDouble());
                }
            }
            ack = appliedSeq;
        }
        List<JsonNode> out = new ArrayList<>();
        JsonNode first = commands.poll(wait, TimeUnit.SECONDS);
        if (first != null) {
            out.add(first);
            commands.drainTo(out);
        }
        return Map.of("ackSeq", ack, "commands", out);
    }

    private Object log(HttpExchange exchange, byte[] body) {
        String launchId = exchange.getRequestURI().getPath().substring("/agent/v1/logs/".length());
        Map<String, String> query = new HashMap<>();
        for (String pair : exchange.getRequestURI().getQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            query.put(kv[0], kv[1]);
        }
        long offset = Long.parseLong(query.get("offset"));
        chunkSizes.add(body.length);
        if (uploadDelayMillis > 0) {
            try {
                Thread.sleep(uploadDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            Sink stored = logs.computeIfAbsent(launchId + "/" + query.get("stream"), k -> new Sink());
            if (offset == stored.size && stored.size < maxLogBytes) {
                stored.append(body, (int) Math.min(body.length, maxLogBytes - stored.size));
            }
            return Map.of("next", stored.size, "truncated", stored.size >= maxLogBytes);
        }
    }
}
