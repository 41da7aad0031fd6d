package fr.catie.vaniila.web;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.Terminal;
import fr.catie.vaniila.interactive.TerminalOutput;
import fr.catie.vaniila.wording.Phrase;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One browser tab's terminal: its WebSocket, who opened it, and the {@link Terminal} behind it once
 * opened. Is the terminal's {@link TerminalOutput}: output goes to the browser as binary messages
 * (raw bytes, so a UTF-8 character split by the program arrives whole once the browser's decoder
 * has both halves), the end as one {@code closed} text message. Thread-safe: one lock orders the
 * messages sent, and the close after the last of them (a browser slow to read holds back the
 * program's output rather than filling the portal's memory, up to the send time limit); the
 * terminal ends at most once, whoever ends it first (the program, the browser, logout, idleness).
 */
final class TerminalConnection implements TerminalOutput {

    /** Why a terminal ended, as the page tells it in the user's language. */
    enum Ending {
        /** the program in the terminal ended (exit, Ctrl-D, the allocation ended) */
        EXITED("exited"),
        /** no keystroke for the idle timeout */
        IDLE("idle"),
        /** the user logged out, or the login session expired */
        LOGGED_OUT("logged-out"),
        /** the portal is shutting down */
        SHUTDOWN("shutdown");

        final String code;

        Ending(String code) {
            this.code = code;
        }
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TerminalConnection.class);

    private final WebSocketSession session;
    private final Caller caller;
    private final String address;
    private final JsonMapper json;
    private final PhraseBook words;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Object sending = new Object();
    private volatile String httpSession;
    private volatile Instant lastInput;
    private volatile Terminal terminal;

    TerminalConnection(WebSocketSession session, Caller caller, String httpSession, String address, Instant now,
            JsonMapper json, PhraseBook words) {
        this.session = session;
        this.caller = caller;
        this.httpSession = httpSession;
        this.address = address;
        this.lastInput = now;
        this.json = json;
        this.words = words;
    }

    String id() {
        return session.getId();
    }

    Caller caller() {
        return caller;
    }

    String address() {
        return address;
    }

    /** The language of the page that opened it, English when the handshake did not tell. */
    java.util.Locale locale() {
        return session.getAttributes().get(TerminalHandshake.LOCALE) instanceof java.util.Locale l ? l
                : java.util.Locale.ENGLISH;
    }

    String httpSession() {
        return httpSession;
    }

    /** The login session got a new id (a new login in the same browser): the terminal follows it. */
    void httpSessionRenamed(String id) {
        this.httpSession = id;
    }

    Instant lastInput() {
        return lastInput;
    }

    void touched(Instant now) {
        this.lastInput = now;
    }

    Terminal terminal() {
        return terminal;
    }

    /** Binds the opened terminal; false when one was bound already (one terminal per socket). */
    synchronized boolean bind(Terminal opened) {
        if (terminal != null) {
            return false;
        }
        terminal = opened;
        if (ended.get()) {
            // The socket closed while the terminal was opening: nobody is left to use it.
            opened.close();
        }
        return true;
    }

    boolean hasEnded() {
        return ended.get();
    }

    @Override
    public void output(byte[] data) {
        if (ended.get() || !session.isOpen()) {
            return;
        }
        try {
            send(new BinaryMessage(data));
        } catch (IOException | RuntimeException e) {
            // A browser that does not take its output within the send time limit is dropped.
            log.debug("terminal {} of {}: output not delivered ({}), closing", id(), caller.username(), e.getMessage());
            end(Ending.EXITED, -1, Phrase.of(TerminalClosing.SLOW_BROWSER));
        }
    }

    @Override
    public void closed(int exitCode, String why) {
        end(Ending.EXITED, exitCode, why);
    }

    /** Sends one control message (JSON) to the page; false when the socket is gone. */
    boolean control(Map<String, Object> message) {
        if (!session.isOpen()) {
            return false;
        }
        try {
            send(new TextMessage(json.writeValueAsString(message)));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Ends the terminal once, for a reason of the portal's, said in the page's language. */
    void end(Ending ending, int exitCode, Phrase why) {
        end(ending, exitCode, words.say(why, locale()));
    }

    /**
     * Ends the terminal once: tells the page why, closes the socket and the terminal (which ends the
     * shell, or the allocation's job).
     */
    void end(Ending ending, int exitCode, String why) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        Map<String, Object> closed = new LinkedHashMap<>();
        closed.put("type", "closed");
        closed.put("reason", ending.code);
        closed.put("exitCode", exitCode);
        closed.put("why", why == null ? "" : why);
        control(closed);
        try {
            synchronized (sending) {
                session.close(ending == Ending.SHUTDOWN ? CloseStatus.GOING_AWAY : CloseStatus.NORMAL);
            }
        } catch (IOException e) {
            log.debug("terminal {}: close failed: {}", id(), e.getMessage());
        }
        closeTerminal();
    }

    private void send(org.springframework.web.socket.WebSocketMessage<?> message) throws IOException {
        synchronized (sending) {
            session.sendMessage(message);
        }
    }

    /** The socket is gone (the tab closed, the network dropped): the terminal is hung up. */
    void socketClosed() {
        ended.set(true);
        closeTerminal();
    }

    private synchronized void closeTerminal() {
        Terminal t = terminal;
        if (t != null) {
            t.close();
        }
    }
}
