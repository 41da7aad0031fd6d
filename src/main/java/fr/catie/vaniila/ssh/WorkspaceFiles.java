package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import fr.catie.vaniila.files.WorkspaceRules;
import org.apache.sshd.common.file.root.RootedFileSystem;

/**
 * The workspace rules of {@link WorkspaceRules} applied to SSHD's rooted paths, for SFTP and SCP alike:
 * a path may not lead out of the workspace (not through {@code ..}, an absolute path or a symbolic
 * link); what is created is private to its owner (files 0600, folders 0700) and owned by the user's
 * Unix account; and writes stop at the workspace quota. Stateless; thread-safe.
 */
public final class WorkspaceFiles {

    static final Set<PosixFilePermission> FILE = WorkspaceRules.FILE;
    static final Set<PosixFilePermission> FOLDER = WorkspaceRules.FOLDER;

    /** The workspace of a rooted path, as a real path on the local disk. */
    static Path workspace(Path rooted) throws IOException {
        if (!(rooted.getFileSystem() instanceof RootedFileSystem fs)) {
            throw new AccessDeniedException(rooted.toString(), null, "not a workspace path");
        }
        return fs.getRoot().toRealPath();
    }

    /** The local path a rooted path ({@code /data/x} inside the workspace) stands for. */
    static Path local(Path rooted) throws IOException {
        Path root = workspace(rooted);
        String relative = rooted.toAbsolutePath().normalize().toString();
        while (relative.startsWith("/")) {
            relative = relative.substring(1);
        }
        Path local = root.resolve(relative).normalize();
        if (!local.startsWith(root)) {
            throw new AccessDeniedException(rooted.toString(), null, "outside your workspace");
        }
        return local;
    }

    /**
     * Refuses a path that leads out of the workspace once symbolic links are followed: the path itself
     * when it exists, else its nearest existing ancestor.
     */
    static Path requireInside(Path rooted) throws IOException {
        return requireInside(rooted, true);
    }

    /**
     * As {@link #requireInside(Path)}; with {@code followLast} false the last component is taken as it is
     * (lstat, removing a link), so only the folders leading to it are checked.
     */
    static Path requireInside(Path rooted, boolean followLast) throws IOException {
        return WorkspaceRules.requireInside(workspace(rooted), local(rooted), followLast, rooted.toString());
    }

    /** Makes a new file or folder private to the user and owned by the user's account (when the portal is root). */
    void makePrivate(Path local, boolean folder, int uid) throws IOException {
        WorkspaceRules.makePrivate(local, folder, uid);
    }

    /** Permissions a client asks for, kept to the owner's: a workspace is never shared through a mode. */
    static Set<PosixFilePermission> ownerOnly(Set<PosixFilePermission> asked) {
        return WorkspaceRules.ownerOnly(asked);
    }

    /** Bytes used by the files of a workspace (links not followed). */
    static long usage(Path workspace) throws IOException {
        return WorkspaceRules.usage(workspace);
    }

    /** The message of a write refused by the quota, saying what to do. */
    static String quotaMessage(long quota) {
        return WorkspaceRules.quotaMessage(quota);
    }

    /**
     * A channel that refuses the writes taking the workspace over its quota. {@code usedOutside} is what the
     * rest of the workspace holds; the file's own size is counted as it grows.
     */
    static final class QuotaChannel implements SeekableByteChannel {
        private final SeekableByteChannel delegate;
        private final long usedOutside;
        private final long quota;

        QuotaChannel(SeekableByteChannel delegate, long usedOutside, long quota) {
            this.delegate = delegate;
            this.usedOutside = usedOutside;
            this.quota = quota;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            long end = Math.max(delegate.size(), delegate.position() + src.remaining());
            if (usedOutside + end > quota) {
                throw new java.nio.file.FileSystemException(quotaMessage(quota));
            }
            return delegate.write(src);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return delegate.read(dst);
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public SeekableByteChannel position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public SeekableByteChannel truncate(long size) throws IOException {
            delegate.truncate(size);
            return this;
        }

        @Override
        public boolean isOpen() {
            return delegate.isOpen();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
