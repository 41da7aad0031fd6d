package fr.catie.vaniila.training.collective;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Turns a stuck peer into an error instead of a hang: a daemon thread that closes any link whose
 * pending read or write has made no progress within the timeout. Blocking NIO channels have no
 * read timeout of their own; closing the channel wakes the blocked thread with an exception.
 *
 * <p>Thread safety: links may be added from any thread.
 */
final class Watchdog implements AutoCloseable {

    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final long timeoutNanos;
    private final Thread thread;
    private volatile boolean running = true;

    Watchdog(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        this.thread = new Thread(this::watch, "collective-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    void add(Link link) {
        links.add(link);
    }

    private void watch() {
        while (running) {
            long now = System.nanoTime();
            for (Link link : links) {
                link.checkProgress(now, timeoutNanos);
            }
            try {
                Thread.sleep(Math.max(10, Math.min(250, timeoutNanos / 4_000_000)));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
