package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

import org.apache.sshd.common.file.root.RootedFileSystem;

/**
 * The rules every file transfer into a workspace follows, for SFTP and SCP alike: a path may not
 * lead out of the workspace (not through {@code ..}, an absolute path or a symbolic link); what is
 * created is private to its owner (files 0600, folders 0700) and owned by the user's Unix account;
 * and writes stop at the workspace quota. Stateless; thread-safe.
 */
public final class WorkspaceFiles {

    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private final boolean asRoot = "root".equals(System.getProperty("user.name"));

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
        Path root = workspace(rooted);
        Path local = local(rooted);
        if (!followLast) {
            Path parent = local.getParent();
            if (parent == null || !parent.startsWith(root)) {
                return local; // the workspace itself
            }
            Path real = nearestReal(parent);
            if (real == null || !real.startsWith(root)) {
                throw new AccessDeniedException(rooted.toString(), null,
                        "leads outside your workspace through a symbolic link");
            }
            return local;
        }
        Path probe = local;
        while (probe != null && !Files.exists(probe, LinkOption.NOFOLLOW_LINKS)) {
            probe = probe.getParent();
        }
        if (probe == null) {
            throw new AccessDeniedException(rooted.toString(), null, "outside your workspace");
        }
        Path real;
        if (Files.isSymbolicLink(probe) && !Files.exists(probe)) {
            // A dangling link: where it would lead is what matters.
            Path target = Files.readSymbolicLink(probe);
            real = probe.getParent().resolve(target).normalize();
        } else {
            real = probe.toRealPath();
        }
        if (!real.startsWith(root)) {
            throw new AccessDeniedException(rooted.toString(), null,
                    "leads outside your workspace through a symbolic link");
        }
        return local;
    }

    private static Path nearestReal(Path local) throws IOException {
        Path probe = local;
        while (probe != null && !Files.exists(probe, LinkOption.NOFOLLOW_LINKS)) {
            probe = probe.getParent();
        }
        if (probe == null) {
            return null;
        }
        if (Files.isSymbolicLink(probe) && !Files.exists(probe)) {
            return probe.getParent().resolve(Files.readSymbolicLink(probe)).normalize();
        }
        return probe.toRealPath();
    }

    /** Makes a new file or folder private to the user and owned by the user's account (when the portal is root). */
    void makePrivate(Path local, boolean folder, int uid) throws IOException {
        Files.setPosixFilePermissions(local, folder ? FOLDER : FILE);
        if (asRoot && uid > 0) {
            Files.setAttribute(local, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(local, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** Permissions a client asks for, kept to the owner's: a workspace is never shared through a mode. */
    static Set<PosixFilePermission> ownerOnly(Set<PosixFilePermission> asked) {
        Set<PosixFilePermission> kept = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : asked) {
            if (OWNER.contains(p)) {
                kept.add(p);
            }
        }
        kept.add(PosixFilePermission.OWNER_READ);
        kept.add(PosixFilePermission.OWNER_WRITE);
        return kept;
    }

    /** Bytes used by the files of a workspace (links not followed). */
    static long usage(Path workspace) throws IOException {
        long[] total = {0};
        if (!Files.exists(workspace)) {
            return 0;
        }
        Files.walkFileTree(workspace, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.isRegularFile() ? attrs.size() : 0;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    /** The message of a write refused by the quota, saying what to do. */
    static String quotaMessage(long quota) {
        return "workspace quota of " + human(quota) + " reached: delete files you no longer need, then retry";
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
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
