package fr.catie.vaniila.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import fr.catie.vaniila.wording.Phrase;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The open web terminals of this portal instance, so that they end with the login that opened them
 * (logout or expiry of the HTTP session: a terminal must not outlive the authentication it was
 * opened with) and after {@link TerminalSettings#idleTimeout()} without a keystroke. Registered with
 * the servlet container as a session listener (Spring Boot does so for listener beans). Thread-safe.
 */
@Component
public class TerminalSessions implements HttpSessionListener, HttpSessionIdListener, SmartLifecycle {

    private final Map<String, TerminalConnection> open = new ConcurrentHashMap<>();
    private final Duration idleTimeout;
    private final Clock clock;
    private volatile ScheduledExecutorService sweeper;

    public TerminalSessions(TerminalSettings settings, Clock clock) {
        this.idleTimeout = settings.idleTimeout();
        this.clock = clock;
    }

    void opened(TerminalConnection connection) {
        open.put(connection.id(), connection);
    }

    void closed(TerminalConnection connection) {
        open.remove(connection.id());
    }

    /** How many terminals are open now, for all users of this portal instance. */
    public int count() {
        return open.size();
    }

    /** How many terminals the user has open now on this portal instance. */
    public int count(String username) {
        return (int) open.values().stream().filter(c -> c.caller().username().equals(username)).count();
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
        String id = event.getSession().getId();
        for (TerminalConnection c : List.copyOf(open.values())) {
            if (id.equals(c.httpSession())) {
                c.end(TerminalConnection.Ending.LOGGED_OUT, -1, Phrase.of(TerminalClosing.LOGGED_OUT));
            }
        }
    }

    @Override
    public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
        String id = event.getSession().getId();
        for (TerminalConnection c : open.values()) {
            if (oldSessionId.equals(c.httpSession())) {
                c.httpSessionRenamed(id);
            }
        }
    }

    /**
     * Ends the terminals that had no keystroke since {@code now} minus the idle timeout; returns how
     * many. The sweeper calls it with the clock's time.
     */
    public int closeIdle(Instant now) {
        Instant limit = now.minus(idleTimeout);
        int closed = 0;
        for (TerminalConnection c : List.copyOf(open.values())) {
            if (c.lastInput().isBefore(limit)) {
                c.end(TerminalConnection.Ending.IDLE, -1,
                        Phrase.of(TerminalClosing.IDLE, TerminalClosing.duration(idleTimeout)));
                closed++;
            }
        }
        return closed;
    }

    @Override
    public synchronized void start() {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "terminal-idle-sweeper");
            t.setDaemon(true);
            return t;
        });
        // Often enough that a terminal ends within a quarter of the timeout past it, at most every 30 s.
        long period = Math.max(1, Math.min(30, idleTimeout.toSeconds() / 4));
        s.scheduleWithFixedDelay(() -> {
            try {
                closeIdle(clock.instant());
            } catch (RuntimeException e) {
                // One failed sweep must not stop the next ones.
                org.slf4j.LoggerFactory.getLogger(TerminalSessions.class).warn("idle terminal sweep failed", e);
            }
        }, period, period, TimeUnit.SECONDS);
        sweeper = s;
    }

    @Override
    public synchronized void stop() {
        ScheduledExecutorService s = sweeper;
        sweeper = null;
        if (s != null) {
            s.shutdownNow();
        }
        for (TerminalConnection c : List.copyOf(open.values())) {
            c.end(TerminalConnection.Ending.SHUTDOWN, -1, Phrase.of(TerminalClosing.SHUTDOWN));
        }
    }

    @Override
    public boolean isRunning() {
        return sweeper != null;
    }
}
