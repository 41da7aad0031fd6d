package fr.catie.vaniila.files;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Opens the folders and files of a workspace through real directories only: each step is an
 * {@code openat} with {@code O_NOFOLLOW} from the folder opened before it, starting at the workspace.
 * A portal running as root checks a path and then uses it; a job running as the user could swap a
 * folder for a symbolic link in between. Opened this way, a swapped link is never followed: a link is
 * only taken after its target has been read and found inside the workspace, and that target is then
 * walked again the same way. Stateless; thread-safe.
 */
final class RealFolders {

    /** Most symbolic links followed for one path, as the kernel's own limit: a loop stops there. */
    static final int MAX_LINKS = 40;

    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

    private RealFolders() {
    }

    /** The segments of a workspace path. */
    static List<String> segments(WorkspacePath path) {
        return path.isRoot() ? List.of() : List.of(path.value().split("/"));
    }

    /**
     * Opens a folder of the workspace; the caller closes it.
     *
     * @param root  the workspace, as a real path
     * @param shown the path as the user named it, for messages
     * @throws AccessDeniedException when a link on the way leads out of the workspace, or too many links
     */
    static SecureDirectoryStream<Path> folder(Path root, List<String> segments, String shown) throws IOException {
        return folder(root, segments, shown, 0);
    }

    private static SecureDirectoryStream<Path> folder(Path root, List<String> segments, String shown, int hops)
            throws IOException {
        DirectoryStream<Path> top = Files.newDirectoryStream(root);
        if (!(top instanceof SecureDirectoryStream<Path> dir)) {
            top.close();
            throw new IOException("this file system cannot open folders without following links; "
                    + "put the workspaces on a local POSIX file system");
        }
        for (int i = 0; i < segments.size(); i++) {
            Path name = Path.of(segments.get(i));
            SecureDirectoryStream<Path> next;
            try {
                next = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                boolean link = isLink(dir, name);
                dir.close();
                if (!link) {
                    throw e;
                }
                List<String> rest = new ArrayList<>(followLink(root, segments.subList(0, i + 1), shown, hops));
                rest.addAll(segments.subList(i + 1, segments.size()));
                return folder(root, rest, shown, hops + 1);
            }
            dir.close();
            dir = next;
        }
        return dir;
    }

    /**
     * Opens a regular file of the workspace for reading; the caller closes the channel. A link is followed
     * when it leads inside the workspace.
     */
    static SeekableByteChannel read(Path root, List<String> segments, String shown) throws IOException {
        return read(root, segments, shown, 0);
    }

    private static SeekableByteChannel read(Path root, List<String> segments, String shown, int hops)
            throws IOException {
        if (segments.isEmpty()) {
            throw new java.nio.file.FileSystemException(shown, null, "is a folder");
        }
        List<String> target;
        try (SecureDirectoryStream<Path> dir = folder(root, segments.subList(0, segments.size() - 1), shown)) {
            Path name = Path.of(segments.get(segments.size() - 1));
            if (!isLink(dir, name)) {
                return dir.newByteChannel(name, READ);
            }
            target = followLink(root, segments, shown, hops);
        }
        return read(root, target, shown, hops + 1);
    }

    /** The attributes of an entry of an open folder, not following a link. */
    static BasicFileAttributes attributes(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        return dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
    }

    static boolean isLink(SecureDirectoryStream<Path> dir, Path name) {
        try {
            return attributes(dir, name).isSymbolicLink();
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether an entry of an open folder exists (a dangling link counts). */
    static boolean exists(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        try {
            attributes(dir, name);
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    /** The segments a link leads to, refused when that is outside the workspace or after too many links. */
    private static List<String> followLink(Path root, List<String> linkSegments, String shown, int hops)
            throws IOException {
        if (hops >= MAX_LINKS) {
            throw new AccessDeniedException(shown, null, "too many symbolic links");
        }
        Path link = root.resolve(String.join("/", linkSegments));
        // Read by path: a swapped parent only changes which text is read, and the text is checked and walked again.
        Path target = link.getParent().resolve(Files.readSymbolicLink(link)).normalize();
        if (!target.startsWith(root)) {
            throw new AccessDeniedException(shown, null, "leads outside your workspace through a symbolic link");
        }
        List<String> segments = new ArrayList<>();
        for (Path p : root.relativize(target)) {
            if (!p.toString().isEmpty()) {
                segments.add(p.toString());
            }
        }
        return segments;
    }

    /** Deletes an entry of an open folder, and everything in it when it is a folder; links are removed, never followed. */
    static void deleteTree(SecureDirectoryStream<Path> parent, Path name) throws IOException {
        if (!attributes(parent, name).isDirectory()) {
            parent.deleteFile(name);
            return;
        }
        try (SecureDirectoryStream<Path> dir = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
            List<Path> children = new ArrayList<>();
            for (Path child : dir) {
                children.add(child.getFileName());
            }
            for (Path child : children) {
                deleteTree(dir, child);
            }
        }
        parent.deleteDirectory(name);
    }
}
