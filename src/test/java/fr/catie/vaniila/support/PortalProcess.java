package fr.catie.vaniila.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The packaged portal ({@code target/vaniila.jar}) run as a real process, the way an operator runs
 * it, so that tests can kill it with SIGKILL and start it again.
 */
public final class PortalProcess implements AutoCloseable {

    private final Path home;
    private final int port;
    private final Map<String, String> env;
    private final List<String> extraArgs;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;

    public PortalProcess(Path home, Map<String, String> env, String... extraArgs) {
        this.home = home;
        this.port = freePort();
        this.env = env;
        this.extraArgs = List.of(extraArgs);
    }

    public static Path jar() {
        Path jar = Path.of("target", "vaniila.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("target/vaniila.jar is missing: run './mvnw verify' (it packages before the integration tests)");
        }
        return jar;
    }

    /** Starts the portal and waits until it says it is ready. */
    public PortalProcess start() throws IOException, InterruptedException {
        output.clear();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar().toString(), "--server.port=" + port));
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("VANIILA_HOME", home.toString());
        // Several portals may run on one machine at once: the SSH server takes a free port.
        pb.environment().put("VANIILA_SSH_PORT", "0");
        pb.environment().putAll(env);
        process = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process died: its output ends here
            }
        }, "portal-output");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (output.stream().anyMatch(l -> l.startsWith("Vaniila portal ready"))) {
                return this;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the portal exited with " + process.exitValue() + ":\n" + String.join("\n", output));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the portal did not get ready in 120 s:\n" + String.join("\n", output));
    }

    public String url() {
        return "http://localhost:" + port;
    }

    public List<String> output() {
        return List.copyOf(output);
    }

    /** SIGKILL: no shutdown hook runs, the embedded PostgreSQL is orphaned. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: a graceful stop. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
