package fr.catie.vaniila.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's state file, {@code state.json} in the state directory, written atomically (temporary file, fsync,
 * rename) so that a kill -9 at any instant leaves either the old or the new state. The directory is locked for
 * the store's life, so that two agents never share it. Not thread-safe: the owning agent serialises calls.
 */
final class StateStore implements AutoCloseable {

    /**
     * The persisted state.
     *
     * @param version  format version, 1
     * @param node     the node this state belongs to
     * @param nextSeq  the seq the next event gets
     * @param launches the launches accepted and not yet finished
     * @param executed command ids already executed, oldest first
     * @param queue    events not yet acknowledged by the portal
     * @param finished launches that ended, newest last, so that repeats are recognised
     */
    record State(int version, String node, long nextSeq, List<TrackedLaunch> launches, List<CommandId> executed,
            List<AgentEvent> queue, List<AgentEvent> finished) {

        static State empty(String node) {
            return new State(1, node, 1, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private StateStore(Path file, FileChannel lockChannel, FileLock lock) {
        this.file = file;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating) the state directory and locks it.
     *
     * @throws IOException when the directory cannot be created, or another agent holds it (the message says so)
     */
    static StateStore open(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the agent's state directory " + dir + ": " + e
                    + "; choose another with --state-dir");
        }
        FileChannel channel = FileChannel.open(dir.resolve("agent.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("another agent is already running with state directory " + dir
                    + ": stop it, or give this one its own --state-dir");
        }
        return new StateStore(dir.resolve("state.json"), channel, lock);
    }

    /** Reads the state, or an empty one when there is none yet. */
    State load(String node) throws IOException {
        if (!Files.exists(file)) {
            return State.empty(node);
        }
        State state;
        try {
            state = AgentJson.MAPPER.readValue(Files.readAllBytes(file), State.class);
        } catch (RuntimeException e) {
            throw new IOException("the agent's state file " + file + " cannot be read (" + e.getMessage()
                    + "); move it away only if no job of this node is running");
        }
        if (!node.equals(state.node())) {
            throw new IOException("the state directory " + file.getParent() + " belongs to node '" + state.node()
                    + "', not '" + node + "': give each node its own --state-dir");
        }
        return new State(state.version(), state.node(), state.nextSeq(), orEmpty(state.launches()),
                orEmpty(state.executed()), orEmpty(state.queue()), orEmpty(state.finished()));
    }

    /** Replaces the state file atomically. */
    void save(State state) throws IOException {
        Path tmp = file.resolveSibling("state.json.tmp");
        byte[] bytes = AgentJson.MAPPER.writeValueAsBytes(state);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        lockChannel.close();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? new ArrayList<>() : new ArrayList<>(list);
    }
}
