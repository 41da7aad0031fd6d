package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real OpenSSH client ({@code ssh}, {@code sftp}, {@code scp}, {@code ssh-keygen}) against a server on a port. */
final class OpenSsh {

    /** What a client process did. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final int port;
    private final String user;
    private final Path key;

    OpenSsh(int port, String user, Path key) {
        this.port = port;
        this.user = user;
        this.key = key;
    }

    /** Generates a key pair without a passphrase; returns the private key's path (the public one ends in .pub). */
    static Path keygen(Path dir, String name, String... typeAndBits) throws IOException, InterruptedException {
        Path file = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-N", "", "-C", name + "@test", "-f", file.toString()));
        cmd.addAll(List.of(typeAndBits.length == 0 ? new String[] {"-t", "ed25519"} : typeAndBits));
        Result r = run(cmd, null);
        if (r.exit() != 0) {
            throw new IllegalStateException("ssh-keygen failed: " + r);
        }
        return file;
    }

    static String publicKey(Path privateKey) throws IOException {
        return Files.readString(Path.of(privateKey + ".pub")).strip();
    }

    private List<String> options() {
        return List.of("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-F", "/dev/null", "-i", key.toString());
    }

    /** {@code ssh -p PORT user@127.0.0.1 COMMAND}, with {@code stdin} fed to it. */
    Result ssh(String stdin, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-p", Integer.toString(port)));
        cmd.addAll(options());
        cmd.add(user + "@127.0.0.1");
        cmd.addAll(List.of(command));
        return run(cmd, stdin);
    }

    /** {@code ssh -W host:port}: a direct TCP forward through the server, as {@code ssh -L} opens. */
    Result forward(String target) throws IOException, InterruptedException {
        return forward(target, "");
    }

    /** {@code ssh -W host:port} sending {@code stdin} through the forward and reading what comes back. */
    Result forward(String target, String stdin) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-W", target, "-p", Integer.toString(port)));
        cmd.addAll(options());
        cmd.add(user + "@127.0.0.1");
        return run(cmd, stdin);
    }

    /** {@code ssh -tt ... COMMAND} left running: keys are typed while its output is read. */
    Typing typing(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-tt", "-p", Integer.toString(port)));
        cmd.addAll(options());
        cmd.add(user + "@127.0.0.1");
        cmd.addAll(List.of(command));
        return new Typing(cmd);
    }

    /**
     * {@code ssh -tt} run on a terminal of the given size (under util-linux {@code script}), so that the client
     * sends that size to the server as a real terminal emulator would.
     */
    Typing typingOnTerminal(int columns, int rows, String... command) throws IOException {
        List<String> ssh = new ArrayList<>(List.of("ssh", "-tt", "-p", Integer.toString(port)));
        ssh.addAll(options());
        ssh.add(user + "@127.0.0.1");
        ssh.addAll(List.of(command));
        String line = "stty cols " + columns + " rows " + rows + " && exec " + String.join(" ", ssh);
        return new Typing(List.of("script", "-q", "-e", "-c", line, "/dev/null"));
    }

    /** A client process being typed into; its stdout and stderr are read together as a terminal shows them. */
    static final class Typing implements AutoCloseable {

        private final Process process;
        private final java.io.ByteArrayOutputStream screen = new java.io.ByteArrayOutputStream();

        Typing(List<String> cmd) throws IOException {
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[4096];
                try (java.io.InputStream in = process.getInputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        synchronized (screen) {
                            screen.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the client ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        void type(String keys) throws IOException {
            process.getOutputStream().write(keys.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        String screen() {
            synchronized (screen) {
                return screen.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits until the screen matches the regular expression (anywhere); returns the first match's groups. */
        java.util.regex.Matcher await(String regex) throws InterruptedException {
            java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            do {
                java.util.regex.Matcher m = pattern.matcher(screen());
                if (m.find()) {
                    return m;
                }
                Thread.sleep(50);
            } while (System.nanoTime() < deadline);
            throw new AssertionError("the terminal never showed /" + regex + "/; it shows:\n" + screen());
        }

        /** Waits for the client to end; its exit code. */
        int exit() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the client did not end in 60 s; the terminal shows:\n" + screen());
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** {@code ssh -tt}: an interactive session on a terminal, typing {@code keys}. */
    Result shell(String keys) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-tt", "-p", Integer.toString(port)));
        cmd.addAll(options());
        cmd.add(user + "@127.0.0.1");
        return run(cmd, keys);
    }

    /** {@code sftp -b -}: runs a batch of sftp commands (a failing one stops the batch, exit 1). */
    Result sftp(String batch) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("sftp", "-P", Integer.toString(port), "-b", "-"));
        cmd.addAll(options());
        cmd.add(user + "@127.0.0.1");
        return run(cmd, batch);
    }

    /** {@code scp [-O]} from a local file to a path of the workspace. */
    Result scpTo(boolean legacy, Path local, String remote) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("scp"));
        if (legacy) {
            cmd.add("-O");
        }
        cmd.addAll(List.of("-P", Integer.toString(port)));
        cmd.addAll(options());
        cmd.add(local.toString());
        cmd.add(user + "@127.0.0.1:" + remote);
        return run(cmd, null);
    }

    static Result run(List<String> cmd, String stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile("ssh-out", ".txt");
        Path err = Files.createTempFile("ssh-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish in 90 s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
