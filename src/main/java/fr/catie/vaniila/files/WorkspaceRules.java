package fr.catie.vaniila.files;

import java.io.IOException;
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

/**
 * The rules every way into a workspace follows (SFTP, SCP and the web pages): a path may not lead out
 * of the workspace, not even through a symbolic link; what is created is private to its owner (files
 * 0600, folders 0700) and owned by the user's Unix account; the workspace quota counts the bytes of its
 * regular files. Stateless; thread-safe.
 */
public final class WorkspaceRules {

    /** Mode of a new file: its owner's only. */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    /** Mode of a new folder: its owner's only. */
    public static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    /** Only a portal running as root may hand files over to the user's uid. */
    private static final boolean AS_ROOT = "root".equals(System.getProperty("user.name"));

    private WorkspaceRules() {
    }

    /**
     * Refuses a local path that leads out of the workspace once symbolic links are followed: the path
     * itself when it exists (with {@code followLast}), else its nearest existing ancestor. With
     * {@code followLast} false the last component is taken as it is (lstat, removing or renaming a link),
     * so only the folders leading to it are checked.
     *
     * @param root  the workspace, as a real path (no link in it)
     * @param local the path, already normalized and lexically inside {@code root}
     * @param shown the path as the user named it, for the message
     * @throws AccessDeniedException saying "outside your workspace" when it leads out
     */
    public static Path requireInside(Path root, Path local, boolean followLast, String shown) throws IOException {
        if (!local.startsWith(root)) {
            throw new AccessDeniedException(shown, null, "outside your workspace");
        }
        if (!followLast) {
            Path parent = local.getParent();
            if (parent == null || !parent.startsWith(root)) {
                return local; // the workspace itself
            }
            Path real = nearestReal(parent);
            if (real == null || !real.startsWith(root)) {
                throw new AccessDeniedException(shown, null, "leads outside your workspace through a symbolic link");
            }
            return local;
        }
        Path real = nearestReal(local);
        if (real == null) {
            throw new AccessDeniedException(shown, null, "outside your workspace");
        }
        if (!real.startsWith(root)) {
            throw new AccessDeniedException(shown, null, "leads outside your workspace through a symbolic link");
        }
        return local;
    }

    /**
     * Where the path, or its nearest existing ancestor, really is once links are followed; a dangling
     * link counts as where it would lead. Null when nothing along the path exists.
     */
    static Path nearestReal(Path local) throws IOException {
        Path probe = local;
        while (probe != null && !Files.exists(probe, LinkOption.NOFOLLOW_LINKS)) {
            probe = probe.getParent();
        }
        if (probe == null) {
            return null;
        }
        if (Files.isSymbolicLink(probe) && !Files.exists(probe)) {
            // A dangling link: where it would lead is what matters.
            return probe.getParent().resolve(Files.readSymbolicLink(probe)).normalize();
        }
        return probe.toRealPath();
    }

    /** Makes a new file or folder private to the user and owned by the user's account (when the portal is root). */
    public static void makePrivate(Path local, boolean folder, int uid) throws IOException {
        Files.setPosixFilePermissions(local, folder ? FOLDER : FILE);
        if (AS_ROOT && uid > 0) {
            Files.setAttribute(local, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(local, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** Permissions a client asks for, kept to the owner's: a workspace is never shared through a mode. */
    public static Set<PosixFilePermission> ownerOnly(Set<PosixFilePermission> asked) {
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

    /** Bytes used by the regular files of a workspace (links not followed, unreadable entries skipped). */
    public static long usage(Path workspace) throws IOException {
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
    public static String quotaMessage(long quota) {
        return "workspace quota of " + human(quota) + " reached: delete files you no longer need, then retry";
    }

    /** A size in MiB or GiB, one decimal, for messages. */
    public static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
