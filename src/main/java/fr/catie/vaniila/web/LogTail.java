package fr.catie.vaniila.web;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.jobs.Jobs;
import fr.catie.vaniila.platform.Problem;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Follows a job's log for a browser over server-sent events. Logs reach the portal's database in
 * pieces as the agents ship them; each open stream polls {@link Jobs#log} from its offset on a small
 * shared scheduler (no thread per viewer) and sends what is new as a {@code log} event whose id is
 * the next offset, so that a reconnecting browser resumes where it was ({@code Last-Event-ID}).
 * When the job has ended and everything was sent, an {@code end} event closes the stream. A quiet
 * stream sends a comment now and then: writing is how a server learns that the browser left. A
 * stream ends with the login that opened it (logout or expiry of the HTTP session, as a terminal
 * does): the caller it reads for was checked once, at the start. At shutdown every stream is closed
 * first, so that the web server's graceful shutdown does not wait for them. Registered with the
 * servlet container as a session listener (Spring Boot does so for listener beans). Thread-safe.
 */
@Component
public class LogTail implements SmartLifecycle, HttpSessionListener, HttpSessionIdListener {

    /** How often an open stream asks for new log; the agents ship logs about as often. */
    static final Duration POLL = Duration.ofMillis(500);
    /** A stream is closed after this long and the browser reconnects, so that no stream lives forever. */
    static final Duration LIFETIME = Duration.ofMinutes(10);
    /** Most bytes sent in one event: a burst of output arrives in a few events, not one huge one. */
    static final int PIECE = 64 * 1024;
    /** Most streams open at once across all viewers: each one costs a query per poll. */
    static final int MAX_STREAMS = 500;
    /** A stream with nothing to send writes a comment this often, to find out whether its browser is still there. */
    static final Duration KEEPALIVE = Duration.ofSeconds(15);

    private final Jobs jobs;
    private final ScheduledExecutorService poller = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "log-tail");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger open = new AtomicInteger();
    /** The open streams, each with the login session that opened it. */
    private final Map<SseEmitter, Follower> emitters = new ConcurrentHashMap<>();
    private volatile boolean running;

    public LogTail(Jobs jobs) {
        this.jobs = jobs;
    }

    /**
     * Opens a stream of the job's {@code stream} (stdout or stderr) of rank 0 from {@code offset}. The first
     * read happens here, so that a job the caller may not see fails the request (404) rather than the stream.
     * {@code httpSession} is the id of the login session the request came with, or null: the stream ends when
     * that session does.
     */
    public SseEmitter follow(Caller caller, String httpSession, long jobId, String stream, long offset) {
        jobs.log(caller, jobId, stream, offset, 0, 1);
        if (open.incrementAndGet() > MAX_STREAMS) {
            open.decrementAndGet();
            throw new Problem(Problem.Kind.TOO_MANY, "Too many live logs are open on the portal: reload the page in a minute.");
        }
        SseEmitter emitter = new SseEmitter(LIFETIME.toMillis());
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        long[] next = {offset};
        long[] lastWrite = {System.nanoTime()};
        Runnable stop = () -> {
            ScheduledFuture<?> f = task.getAndSet(null);
            if (f != null) {
                f.cancel(false);
                open.decrementAndGet();
            }
            emitters.remove(emitter);
        };
        emitters.put(emitter, new Follower(httpSession == null ? "" : httpSession, stop));
        emitter.onCompletion(stop);
        emitter.onTimeout(stop);
        emitter.onError(e -> stop.run());
        task.set(poller.scheduleWithFixedDelay(() -> {
            try {
                boolean more = true;
                while (more) {
                    Jobs.LogPiece piece = jobs.log(caller, jobId, stream, next[0], 0, PIECE);
                    if (piece.next() > next[0]) {
                        next[0] = piece.next();
                        emitter.send(SseEmitter.event().name("log").id(Long.toString(piece.next()))
                                .data(Map.of("text", piece.data(), "truncated", piece.truncated())));
                        lastWrite[0] = System.nanoTime();
                    }
                    more = piece.next() - piece.offset() >= PIECE;
                    if (!more && piece.complete() && piece.next() == piece.offset()) {
                        emitter.send(SseEmitter.event().name("end").data(Map.of("next", next[0])));
                        stop.run();
                        emitter.complete();
                    }
                }
                if (task.get() != null && System.nanoTime() - lastWrite[0] > KEEPALIVE.toNanos()) {
                    emitter.send(SseEmitter.event().comment("keepalive"));
                    lastWrite[0] = System.nanoTime();
                }
            } catch (IOException | IllegalStateException e) {
                // The browser went away (or the emitter already completed): nothing to tell anyone.
                stop.run();
            } catch (RuntimeException e) {
                stop.run();
                emitter.completeWithError(e);
            }
        }, 0, POLL.toMillis(), TimeUnit.MILLISECONDS));
        return emitter;
    }

    @Override
    public void start() {
        running = true;
    }

    /** Closes every stream (browsers reconnect to another portal, or to this one once it is back). */
    @Override
    public void stop() {
        running = false;
        for (SseEmitter emitter : List.copyOf(emitters.keySet())) {
            emitter.complete();
        }
        emitters.clear();
    }

    /** How many streams are open now on this portal instance. */
    public int count() {
        return emitters.size();
    }

    /**
     * Ends the streams of a login session that ended (logout or expiry): the next poll would otherwise keep
     * sending a logged-out browser the log until the stream's lifetime runs out. The browser's reconnection then
     * meets the login page.
     */
    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
        String id = event.getSession().getId();
        for (Map.Entry<SseEmitter, Follower> e : List.copyOf(emitters.entrySet())) {
            if (id.equals(e.getValue().httpSession())) {
                // The completion callback would cancel the poll too, but only once the container dispatches it.
                e.getValue().stop().run();
                e.getKey().complete();
            }
        }
    }

    @Override
    public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
        String id = event.getSession().getId();
        emitters.replaceAll((emitter, f) -> oldSessionId.equals(f.httpSession()) ? new Follower(id, f.stop()) : f);
    }

    /** An open stream's login session (empty without one) and what cancels its poll. */
    private record Follower(String httpSession, Runnable stop) {
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown (a lower phase), which would otherwise wait for the streams. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    @PreDestroy
    void close() {
        poller.shutdownNow();
    }
}
