package fr.catie.vaniila.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Relays one interactive launch's terminal between the PTY relay program (the job, through its wrapper's standard
 * input and output) and the portal ({@link PortalLink#openTerminal}). Frames from the portal go to the relay as they
 * are; the relay's output goes to the portal as it comes; when the output ends (the wrapper exited, having written
 * the exit status), the status is sent and the stream closed. When the portal cannot be reached or closes the
 * stream, the relay is told to hang up: the shell gets SIGHUP and the launch ends, as a terminal closing would end
 * it. Two threads per terminal (connect and output, and the portal link's own); thread-safe.
 */
final class TerminalRelay {

    private static final System.Logger LOG = System.getLogger(TerminalRelay.class.getName());
    private static final int CONNECT_ATTEMPTS = 5;

    private final LaunchId launchId;
    private final Path jobDir;
    private final Process wrapper;
    private final PortalLink link;
    private final OutputStream toRelay;
    private final AtomicBoolean hungUp = new AtomicBoolean();
    private volatile PortalLink.TerminalStream stream;

    TerminalRelay(LaunchId launchId, Path jobDir, Process wrapper, PortalLink link) {
        this.launchId = launchId;
        this.jobDir = jobDir;
        this.wrapper = wrapper;
        this.link = link;
        this.toRelay = wrapper.getOutputStream();
    }

    /** Connects to the portal and relays, on a thread of its own. */
    void start(String node) {
        Thread thread = new Thread(this::run, "vaniila-agent-" + node + "-terminal-" + launchId.value());
        thread.setDaemon(true);
        thread.start();
    }

    /** Hangs the terminal up and drops the portal's stream (the agent stops). */
    void stop() {
        hangUp();
        PortalLink.TerminalStream s = stream;
        if (s != null) {
            s.abort();
        }
    }

    private void run() {
        PortalLink.TerminalStream s = connect();
        if (s == null) {
            hangUp();
            drain();
            return;
        }
        stream = s;
        byte[] buffer = new byte[16 * 1024];
        InputStream fromRelay = wrapper.getInputStream();
        try {
            int n;
            while ((n = fromRelay.read(buffer)) >= 0) {
                if (n > 0) {
                    s.output(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // The portal's side broke: nobody sees this terminal any more.
            LOG.log(Level.INFO, "terminal of launch " + launchId + " lost its portal: " + e.getMessage());
            hangUp();
            drain();
            s.abort();
            return;
        }
        try {
            s.exited(exitCode().orElse(null));
        } catch (IOException e) {
            LOG.log(Level.INFO, "terminal of launch " + launchId + ": exit status not sent: " + e.getMessage());
            s.abort();
        }
    }

    private PortalLink.TerminalStream connect() {
        long pause = 250;
        for (int attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt++) {
            try {
                return link.openTerminal(launchId, new PortalLink.TerminalInput() {
                    @Override
                    public void frames(ByteBuffer bytes) {
                        toRelay(bytes);
                    }

                    @Override
                    public void closed(String why) {
                        hangUp();
                    }
                });
            } catch (PortalRefusedException | TerminalRefusedException e) {
                LOG.log(Level.WARNING, "terminal of launch " + launchId + " not relayed, hanging up: " + e.getMessage());
                return null;
            } catch (IOException e) {
                if (attempt == CONNECT_ATTEMPTS) {
                    LOG.log(Level.WARNING, "terminal of launch " + launchId + " not relayed, hanging up: "
                            + e.getMessage());
                    return null;
                }
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            pause *= 2;
        }
        return null;
    }

    private void toRelay(ByteBuffer bytes) {
        byte[] data = new byte[bytes.remaining()];
        bytes.get(data);
        synchronized (toRelay) {
            try {
                toRelay.write(data);
                toRelay.flush();
            } catch (IOException e) {
                // The relay has ended: its exit reaches the portal through the output's end.
            }
        }
    }

    private void hangUp() {
        if (!hungUp.compareAndSet(false, true)) {
            return;
        }
        synchronized (toRelay) {
            try {
                toRelay.write(TerminalFrames.hangup());
                toRelay.flush();
                toRelay.close();
            } catch (IOException e) {
                // Already gone.
            }
        }
    }

    /** Reads the output nobody will see, so that the relay never blocks writing it while it ends. */
    private void drain() {
        try (InputStream in = wrapper.getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // ended
        }
    }

    /** The wrapper writes the status before it exits, and it exits before the output ends. */
    private Optional<Integer> exitCode() {
        Path file = jobDir.resolve(JobLauncher.EXIT_CODE);
        for (int i = 0; i < 40; i++) {
            Optional<Long> code = JobLauncher.readLong(file);
            if (code.isPresent()) {
                return Optional.of(code.get().intValue());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Optional.empty();
    }
}
