package fr.catie.vaniila.agent;

import fr.catie.vaniila.agent.AgentMessages.LogAck;
import fr.catie.vaniila.agent.AgentMessages.RegisterAnswer;
import fr.catie.vaniila.agent.AgentMessages.Registration;
import fr.catie.vaniila.agent.AgentMessages.SyncAnswer;
import fr.catie.vaniila.agent.AgentMessages.SyncRequest;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The agent protocol over HTTP(S) with the JDK's {@link HttpClient}: bearer token, JSON bodies, raw bytes for logs.
 * Thread-safe (the JDK client is).
 */
public final class HttpPortalLink implements PortalLink {

    private final URI portal;
    private final String token;
    private final HttpClient client;

    /**
     * @param portal the portal's base URL, e.g. {@code http://portal:8080}
     * @param token  this node's token
     */
    public HttpPortalLink(URI portal, String token) {
        if (portal.getScheme() == null || !(portal.getScheme().equals("http") || portal.getScheme().equals("https"))
                || portal.getHost() == null) {
            throw new IllegalArgumentException("portal URL '" + portal
                    + "' is not valid: write http://HOST:PORT or https://HOST:PORT");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the node token is empty: give the token a platform admin issued");
        }
        String base = portal.toString();
        this.portal = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.token = token;
        // HTTP/1.1: no h2c upgrade attempt on plain http, one connection per concurrent call (sync, logs).
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public RegisterAnswer register(Registration registration) throws IOException {
        String body = send(json("/agent/v1/register", registration, Duration.ofSeconds(30)));
        return read(body, RegisterAnswer.class);
    }

    @Override
    public SyncAnswer sync(SyncRequest request, int waitSeconds) throws IOException {
        String body = send(json("/agent/v1/sync?wait=" + waitSeconds, request, Duration.ofSeconds(waitSeconds + 30L)));
        try {
            return AgentJson.readSyncAnswer(body);
        } catch (JacksonException e) {
            throw new IOException("the portal's sync answer is not JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public LogAck uploadLog(LaunchId launchId, LogStream stream, long offset, byte[] chunk, int length)
            throws IOException {
        HttpRequest request = base("/agent/v1/logs/" + URLEncoder.encode(launchId.value(), StandardCharsets.UTF_8)
                + "?stream=" + stream.wireName() + "&offset=" + offset, Duration.ofSeconds(60))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(chunk, 0, length))
                .build();
        return read(send(request), LogAck.class);
    }

    @Override
    public TerminalStream openTerminal(LaunchId launchId, TerminalInput fromPortal) throws IOException {
        String base = portal.toString().replaceFirst("^http", "ws");
        URI uri = URI.create(base + "/agent/v1/terminals/" + URLEncoder.encode(launchId.value(), StandardCharsets.UTF_8));
        AtomicBoolean closed = new AtomicBoolean();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
                fromPortal.frames(data);
                socket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                // The portal sends no text; ignoring it keeps older agents working if it ever does.
                socket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
                if (closed.compareAndSet(false, true)) {
                    fromPortal.closed(reason == null || reason.isEmpty() ? "the portal closed the terminal" : reason);
                }
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
                return null;
            }

            @Override
            public void onError(WebSocket socket, Throwable error) {
                if (closed.compareAndSet(false, true)) {
                    fromPortal.closed("the terminal's connection to the portal broke: " + error.getMessage());
                }
            }
        };
        WebSocket socket;
        try {
            socket = client.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(uri, listener).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening the terminal of launch " + launchId, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof java.net.http.WebSocketHandshakeException h) {
                int status = h.getResponse().statusCode();
                if (status == 401 || status == 403) {
                    throw new PortalRefusedException("the portal at " + portal + " refused this agent's token for a"
                            + " terminal (HTTP " + status + ")");
                }
                if (status == 404) {
                    throw new TerminalRefusedException("the portal refused the terminal of launch " + launchId
                            + " (HTTP 404): no terminal waits for it");
                }
                throw new IOException("the portal answered HTTP " + status + " to the terminal of launch " + launchId);
            }
            throw new IOException("the terminal of launch " + launchId + " could not reach the portal: " + cause, cause);
        }
        return new TerminalStream() {
            @Override
            public synchronized void output(byte[] data, int offset, int length) throws IOException {
                await(socket.sendBinary(ByteBuffer.wrap(data, offset, length).slice(), true));
            }

            @Override
            public synchronized void exited(Integer exitCode) throws IOException {
                await(socket.sendText("{\"exit\":" + exitCode + "}", true));
                await(socket.sendClose(WebSocket.NORMAL_CLOSURE, "exited"));
            }

            @Override
            public void abort() {
                socket.abort();
            }
        };
    }

    private static void await(CompletableFuture<WebSocket> sent) throws IOException {
        try {
            sent.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while relaying a terminal", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the terminal's connection to the portal broke: "
                    + (e.getCause() == null ? e : e.getCause()), e);
        }
    }

    private HttpRequest json(String path, Object body, Duration timeout) {
        return base(path, timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(AgentJson.MAPPER.writeValueAsBytes(body)))
                .build();
    }

    private HttpRequest.Builder base(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(portal + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private String send(HttpRequest request) throws IOException {
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + request.uri(), e);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return response.body();
        }
        String detail = detail(response.body());
        String path = request.uri().getPath();
        if (status == 401 || status == 403) {
            throw new PortalRefusedException("the portal at " + portal + " refused this agent's token (HTTP " + status
                    + (detail.isEmpty() ? "" : ": " + detail) + "). Check --token (or VANIILA_AGENT_TOKEN): it must"
                    + " be a node token a platform admin issued on this portal, not revoked.");
        }
        if (status == 409 || status == 410) {
            throw new NodeUnknownException("the portal does not know this node (HTTP " + status + " to " + path + ")"
                    + (detail.isEmpty() ? "" : ": " + detail));
        }
        throw new IOException("the portal answered HTTP " + status + " to " + path
                + (detail.isEmpty() ? "" : ": " + detail));
    }

    /** The {@code detail} of a problem-details body, or the start of the body. */
    private static String detail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode node = AgentJson.MAPPER.readTree(body);
            String detail = node.path("detail").asString("");
            if (!detail.isEmpty()) {
                return detail;
            }
        } catch (JacksonException e) {
            // not JSON: show the text
        }
        String text = body.strip();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    private static <T> T read(String body, Class<T> type) throws IOException {
        try {
            return AgentJson.MAPPER.readValue(body, type);
        } catch (JacksonException e) {
            throw new IOException("the portal's answer is not a valid " + type.getSimpleName() + ": "
                    + e.getOriginalMessage());
        }
    }
}
