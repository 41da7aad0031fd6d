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
        List<String> cmd = new ArrayList<>(List.of("ssh", "-W", target, "-p", Integer.toString(port)));
        cmd.addAll(options());
        cmd.add(user + "@127.0.0.1");
        return run(cmd, "");
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
