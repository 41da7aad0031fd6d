package fr.catie.vaniila.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure the Unix account a job runs as exists on this node with the uid and gid the portal assigned,
 * creating it ({@code groupadd}, {@code useradd}) when missing. Used only when the agent runs as root.
 * Thread-safe: calls are serialised, because two launches of one new user must not both create it.
 */
final class UnixAccounts {

    /** A line of the passwd or group database. */
    record Entry(String name, int id, int gid) {
    }

    /**
     * Makes the account exist.
     *
     * @throws LaunchException when it exists with other ids, or cannot be created; the message says what to fix
     */
    void ensure(UserAccount user) throws LaunchException {
        // One lock for the whole JVM: the portal's in-process agents (one per virtual node) share /etc/passwd.
        synchronized (UnixAccounts.class) {
            ensureLocked(user);
        }
    }

    private void ensureLocked(UserAccount user) throws LaunchException {
        if (user.uid() == 0 || user.gid() == 0) {
            throw new LaunchException("refusing to run a job as root: user '" + user.name() + "' has uid "
                    + user.uid() + ", gid " + user.gid());
        }
        Optional<Entry> byName = passwd(user.name());
        if (byName.isPresent()) {
            Entry e = byName.get();
            if (e.id() != user.uid()) {
                throw new LaunchException("user account '" + user.name() + "' exists on this node with uid " + e.id()
                        + " but the portal assigned uid " + user.uid()
                        + ": change the node's account or the user's uid on the portal so that they agree");
            }
            return;
        }
        Optional<Entry> byUid = passwd(Integer.toString(user.uid()));
        if (byUid.isPresent()) {
            throw new LaunchException("user account '" + user.name() + "' could not be created: uid " + user.uid()
                    + " already belongs to '" + byUid.get().name() + "' on this node");
        }
        if (group(Integer.toString(user.gid())).isEmpty()) {
            if (group(user.name()).isPresent()) {
                throw new LaunchException("user account '" + user.name() + "' could not be created: group '"
                        + user.name() + "' exists with another gid than " + user.gid());
            }
            run("groupadd", "-g", Integer.toString(user.gid()), user.name());
        }
        run("useradd", "-u", Integer.toString(user.uid()), "-g", Integer.toString(user.gid()), "-d",
                user.workspace(), "-M", "-s", "/bin/bash", "-c", "Vaniila user", user.name());
    }

    /** The passwd entry for a name or uid. */
    static Optional<Entry> passwd(String key) throws LaunchException {
        return getent("passwd", key).map(f -> new Entry(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3])));
    }

    /** The group entry for a name or gid. */
    static Optional<Entry> group(String key) throws LaunchException {
        return getent("group", key).map(f -> new Entry(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[2])));
    }

    private static Optional<String[]> getent(String database, String key) throws LaunchException {
        Result r = exec(List.of("getent", database, key));
        if (r.code() == 2) {
            return Optional.empty();
        }
        if (r.code() != 0) {
            throw new LaunchException("getent " + database + " " + key + " failed (" + r.code() + "): " + r.output());
        }
        return Optional.of(r.output().strip().split("\n")[0].split(":", -1));
    }

    private static void run(String... command) throws LaunchException {
        Result r = exec(List.of(command));
        if (r.code() != 0) {
            throw new LaunchException("user account could not be created: '" + String.join(" ", command)
                    + "' failed with exit code " + r.code() + ": " + r.output().strip());
        }
    }

    private record Result(int code, String output) {
    }

    private static Result exec(List<String> command) throws LaunchException {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LaunchException(String.join(" ", command) + " did not finish within 30 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LaunchException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while running " + command.get(0), e);
        }
    }
}
