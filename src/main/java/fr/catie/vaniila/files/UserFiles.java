package fr.catie.vaniila.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import fr.catie.vaniila.files.FileProblem.Reason;
import fr.catie.vaniila.identity.Caller;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.InputStreamSource;
import org.springframework.stereotype.Service;
import org.springframework.util.unit.DataSize;

/**
 * Module API for the files of the caller's own workspace, as the web pages offer them: list, read,
 * preview, zip a folder, upload, make a folder, rename, delete. Every path is the caller's
 * {@link WorkspacePath} and is refused when it leads out of the workspace, lexically or through a
 * symbolic link ({@link WorkspaceRules}); a caller can only ever name its own workspace, so another
 * user's files are out of reach. New files are 0600 and folders 0700, owned by the caller's uid.
 * Uploads stop at the workspace quota ({@code vaniila.ssh.workspace-quota}, the one SFTP and SCP keep
 * to) before any byte is written, and leave nothing behind when they fail.
 *
 * <p>Thread-safe: concurrent uploads into one workspace reserve their bytes, so that together they
 * cannot exceed the quota within this portal.
 */
@Service
public class UserFiles {

    /** How much of a text file a preview shows. */
    public static final int PREVIEW_BYTES = 256 * 1024;

    /** Image types a browser may show inline; never SVG (it may carry scripts). */
    private static final Map<String, String> IMAGES = Map.of("png", "image/png", "jpg", "image/jpeg", "jpeg",
            "image/jpeg", "gif", "image/gif", "webp", "image/webp", "bmp", "image/bmp", "avif", "image/avif");

    /** Space used in a workspace against its quota. */
    public record Usage(long usedBytes, long quotaBytes) {
        public long freeBytes() {
            return Math.max(0, quotaBytes - usedBytes);
        }

        /** Percent used, 0 to 100. */
        public int percent() {
            return quotaBytes <= 0 ? 100 : (int) Math.min(100, usedBytes * 100 / quotaBytes);
        }
    }

    /** What an entry of a folder is. A link is shown as what it leads to when that is inside the workspace. */
    public enum Kind {
        FOLDER, FILE,
        /** a symbolic link leading out of the workspace, or dangling, or a device, socket or pipe: not opened */
        OTHER
    }

    /** One entry of a folder. {@code size} is 0 for folders. */
    public record Entry(String name, WorkspacePath path, Kind kind, boolean link, long size, Instant modified) {
    }

    /** A folder's entries, folders first then by name, with the workspace's use of its quota. */
    public record Listing(WorkspacePath folder, List<Entry> entries, Usage usage) {
    }

    /** A regular file, as a download names it. {@code imageType} is its inline media type for images, else null. */
    public record FileInfo(WorkspacePath path, long size, Instant modified, String imageType) {
        public String name() {
            return path.name();
        }
    }

    /** A file opened for reading; the caller closes the stream. */
    public record Opened(FileInfo info, InputStream content) {
    }

    /** What a file's preview shows. */
    public sealed interface Preview permits Text, Image, Binary {
    }

    /** The first {@link #PREVIEW_BYTES} of a text file, decoded as UTF-8 (malformed bytes replaced). */
    public record Text(String text, boolean truncated) implements Preview {
    }

    /** An image the browser may show inline with this media type. */
    public record Image(String mediaType) implements Preview {
    }

    /** Neither text nor a known image: offered for download only. */
    public record Binary() implements Preview {
    }

    /**
     * One file sent by a user. {@code size} is the exact number of bytes {@code content} yields (a
     * multipart part already received); {@code name} may carry a client's folder, which is dropped.
     */
    public record Upload(String name, long size, InputStreamSource content) {
    }

    private final Workspaces workspaces;
    private final long quotaBytes;
    private final Map<Path, AtomicLong> reserved = new ConcurrentHashMap<>();

    public UserFiles(Workspaces workspaces, @Value("${vaniila.ssh.workspace-quota:50GB}") DataSize quota) {
        this.workspaces = workspaces;
        this.quotaBytes = quota.toBytes();
    }

    /** The most a workspace may hold, in bytes. */
    public long quotaBytes() {
        return quotaBytes;
    }

    /** The caller's workspace's use of its quota. */
    public Usage usage(Caller caller) {
        try {
            return new Usage(WorkspaceRules.usage(resolve(caller, "", true).root()), quotaBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entries of a folder of the caller's workspace. */
    public Listing list(Caller caller, String folder) {
        Resolved dir = resolve(caller, folder, true);
        if (!Files.isDirectory(dir.local())) {
            throw notAFolder(dir);
        }
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir.local())) {
            for (Path child : children) {
                entries.add(entry(dir.root(), dir.path().child(child.getFileName().toString()), child));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entries.sort(Comparator.comparing((Entry e) -> e.kind() != Kind.FOLDER)
                .thenComparing(e -> e.name().toLowerCase(Locale.ROOT)).thenComparing(Entry::name));
        return new Listing(dir.path(), List.copyOf(entries), usage(caller));
    }

    private static Entry entry(Path root, WorkspacePath path, Path local) throws IOException {
        BasicFileAttributes own = Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        BasicFileAttributes shown = own;
        if (own.isSymbolicLink()) {
            Path real = WorkspaceRules.nearestReal(local);
            boolean inside = real != null && real.startsWith(root) && Files.exists(local);
            shown = inside ? Files.readAttributes(local, BasicFileAttributes.class) : null;
        }
        Kind kind = shown == null ? Kind.OTHER
                : shown.isDirectory() ? Kind.FOLDER : shown.isRegularFile() ? Kind.FILE : Kind.OTHER;
        return new Entry(path.name(), path, kind, own.isSymbolicLink(), kind == Kind.FILE ? shown.size() : 0,
                own.lastModifiedTime().toInstant());
    }

    /** Whether the path names a folder (rather than a file) of the caller's workspace; refused when it names nothing. */
    public boolean isFolder(Caller caller, String path) {
        Resolved r = resolve(caller, path, true);
        if (Files.isDirectory(r.local())) {
            return true;
        }
        if (Files.isRegularFile(r.local())) {
            return false;
        }
        throw Files.exists(r.local(), LinkOption.NOFOLLOW_LINKS) ? notAFile(r) : notFound(r);
    }

    /** A regular file of the caller's workspace. */
    public FileInfo stat(Caller caller, String path) {
        return info(file(caller, path));
    }

    /** Opens a regular file of the caller's workspace for reading. */
    public Opened open(Caller caller, String path) {
        Resolved r = file(caller, path);
        try {
            return new Opened(info(r), Files.newInputStream(r.local(), LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            // The last component was checked as a link leading inside; open what it leads to.
            try {
                return new Opened(info(r), Files.newInputStream(r.local().toRealPath()));
            } catch (IOException again) {
                throw new UncheckedIOException(again);
            }
        }
    }

    /** What a preview of the file shows: text (its start), an image, or nothing but a download. */
    public Preview preview(Caller caller, String path) {
        FileInfo info = stat(caller, path);
        if (info.imageType() != null) {
            return new Image(info.imageType());
        }
        byte[] head;
        try (InputStream in = open(caller, path).content()) {
            head = in.readNBytes(PREVIEW_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < Math.min(head.length, 8192); i++) {
            if (head[i] == 0) {
                return new Binary(); // text files hold no NUL byte
            }
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        CharBuffer text = CharBuffer.allocate(head.length);
        utf8.decode(ByteBuffer.wrap(head), text, true);
        utf8.flush(text);
        text.flip();
        return new Text(text.toString(), info.size() > head.length);
    }

    /**
     * Writes a folder of the caller's workspace as a zip to {@code out}, streamed (nothing is held in
     * memory). Symbolic links are left out, so that nothing outside the workspace gets in the zip.
     * Entries are named under the folder's name (the username for the workspace itself).
     */
    public void zip(Caller caller, String folder, OutputStream out) throws IOException {
        Resolved dir = resolve(caller, folder, true);
        if (!Files.isDirectory(dir.local())) {
            throw notAFolder(dir);
        }
        Path start = dir.local().toRealPath();
        String top = dir.path().isRoot() ? caller.username() : dir.path().name();
        ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8);
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                ZipEntry entry = new ZipEntry(name(d) + "/");
                entry.setLastModifiedTime(attrs.lastModifiedTime());
                zip.putNextEntry(entry);
                zip.closeEntry();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                    ZipEntry entry = new ZipEntry(name(file));
                    entry.setLastModifiedTime(attrs.lastModifiedTime());
                    zip.putNextEntry(entry);
                    in.transferTo(zip);
                    zip.closeEntry();
                } catch (AccessDeniedException e) {
                    // A file the portal cannot read (a job made it 000): the rest of the folder still comes.
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }

            private String name(Path p) {
                Path relative = start.relativize(p);
                return relative.toString().isEmpty() ? top : top + "/" + relative.toString().replace('\\', '/');
            }
        });
        zip.finish();
    }

    /** Makes a folder (0700, the caller's) in a folder of the caller's workspace; returns its path. */
    public WorkspacePath mkdir(Caller caller, String parent, String name) {
        Resolved dir = resolve(caller, parent, true);
        if (!Files.isDirectory(dir.local())) {
            throw notAFolder(dir);
        }
        String clean = WorkspacePath.checkName(name == null ? "" : name.strip());
        Path target = dir.local().resolve(clean);
        try {
            Files.createDirectory(target, PosixFilePermissions.asFileAttribute(WorkspaceRules.FOLDER));
            WorkspaceRules.makePrivate(target, true, caller.uid());
        } catch (FileAlreadyExistsException e) {
            throw exists(clean);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.path().child(clean);
    }

    /** Renames a file, folder or link within its folder; returns the new path. The new name may not be taken. */
    public WorkspacePath rename(Caller caller, String path, String newName) {
        Resolved r = resolve(caller, path, false);
        if (r.path().isRoot()) {
            throw itself();
        }
        if (!Files.exists(r.local(), LinkOption.NOFOLLOW_LINKS)) {
            throw notFound(r);
        }
        String clean = WorkspacePath.checkName(newName == null ? "" : newName.strip());
        WorkspacePath renamed = r.path().parent().child(clean);
        if (renamed.equals(r.path())) {
            return renamed;
        }
        Path target = r.local().resolveSibling(clean);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw exists(clean);
        }
        try {
            Files.move(r.local(), target, LinkOption.NOFOLLOW_LINKS);
        } catch (FileAlreadyExistsException e) {
            throw exists(clean);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return renamed;
    }

    /** Deletes a file or link, or a folder with everything in it (links inside are removed, never followed). */
    public void delete(Caller caller, String path) {
        Resolved r = resolve(caller, path, false);
        if (r.path().isRoot()) {
            throw itself();
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(r.local(), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isDirectory()) {
                Files.delete(r.local());
                return;
            }
            Files.walkFileTree(r.local(), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    if (exc != null) {
                        throw exc;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            throw notFound(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stores files in a folder of the caller's workspace, replacing files of the same names. The quota is
     * checked for the whole batch before anything is written; each file is written under a hidden
     * temporary name and renamed into place once complete, so a failure leaves no partial file.
     *
     * @return the paths of the stored files, in the order given
     */
    public List<WorkspacePath> upload(Caller caller, String folder, List<Upload> uploads) {
        if (uploads.isEmpty()) {
            throw new FileProblem(Reason.NOTHING_SENT, "No file was sent: choose one or more files to upload.");
        }
        Resolved dir = resolve(caller, folder, true);
        if (!Files.isDirectory(dir.local())) {
            throw notAFolder(dir);
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long needed = 0;
        try {
            for (Upload u : uploads) {
                String name = baseName(u.name());
                WorkspacePath.checkName(name);
                Path target = dir.local().resolve(name);
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw exists(name);
                }
                if (seen.add(name) && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    needed -= Files.size(target); // replaced
                }
                needed += u.size();
                names.add(name);
            }
            Path root = dir.root();
            AtomicLong pending = reserved.computeIfAbsent(root, k -> new AtomicLong());
            long used = WorkspaceRules.usage(root);
            long reservedNow = pending.addAndGet(Math.max(0, needed));
            try {
                if (needed > 0 && used + reservedNow > quotaBytes) {
                    long free = Math.max(0, quotaBytes - used - (reservedNow - needed));
                    throw new FileProblem(Reason.QUOTA, "These files need " + WorkspaceRules.human(needed)
                            + " but your workspace has " + WorkspaceRules.human(free) + " free of its quota of "
                            + WorkspaceRules.human(quotaBytes) + ": delete files you no longer need, then retry.",
                            WorkspaceRules.human(needed), WorkspaceRules.human(free), WorkspaceRules.human(quotaBytes));
                }
                List<WorkspacePath> stored = new ArrayList<>();
                for (int i = 0; i < uploads.size(); i++) {
                    store(caller, dir.local(), names.get(i), uploads.get(i));
                    stored.add(dir.path().child(names.get(i)));
                }
                return stored;
            } finally {
                pending.addAndGet(-Math.max(0, needed));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void store(Caller caller, Path folder, String name, Upload upload) throws IOException {
        Path temp = folder.resolve("." + name.substring(0, Math.min(name.length(), 100)) + ".upload-" + UUID.randomUUID());
        try {
            try (InputStream in = upload.content().getInputStream();
                    OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                // transferTo copies through a small buffer: a large file never sits in memory.
                long copied = in.transferTo(out);
                if (copied != upload.size()) {
                    throw new IOException("received " + copied + " bytes of " + name + " instead of " + upload.size());
                }
            }
            WorkspaceRules.makePrivate(temp, false, caller.uid());
            Files.setLastModifiedTime(temp, FileTime.from(Instant.now()));
            Files.move(temp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The file name a client sent, without any folder some browsers prefix it with. */
    static String baseName(String sent) {
        if (sent == null) {
            return "";
        }
        int cut = Math.max(sent.lastIndexOf('/'), sent.lastIndexOf('\\'));
        return sent.substring(cut + 1);
    }

    /** A path of the caller's workspace: parsed, and checked against links leading out. */
    private record Resolved(WorkspacePath path, Path root, Path local) {
    }

    private Resolved resolve(Caller caller, String raw, boolean followLast) {
        WorkspacePath path = WorkspacePath.parse(raw);
        try {
            Path root = workspaces.create(caller).toRealPath();
            Path local = path.isRoot() ? root : root.resolve(path.value());
            WorkspaceRules.requireInside(root, local, followLast, path.value());
            return new Resolved(path, root, local);
        } catch (AccessDeniedException e) {
            throw new FileProblem(Reason.THROUGH_LINK, "The path '" + raw + "' leads outside your workspace through "
                    + "a symbolic link: open the files inside your workspace instead.", raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Resolved file(Caller caller, String path) {
        Resolved r = resolve(caller, path, true);
        if (Files.isRegularFile(r.local())) {
            return r;
        }
        throw Files.exists(r.local(), LinkOption.NOFOLLOW_LINKS) ? notAFile(r) : notFound(r);
    }

    private static FileInfo info(Resolved r) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(r.local(), BasicFileAttributes.class);
            return new FileInfo(r.path(), attrs.size(), attrs.lastModifiedTime().toInstant(), imageType(r.path().name()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The inline media type of an image file by its extension; null for anything else. */
    static String imageType(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : IMAGES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static FileProblem notFound(Resolved r) {
        return new FileProblem(Reason.NOT_FOUND, "Nothing is at '" + r.path() + "' in your workspace: it may have been "
                + "moved or deleted; open its folder to see what is there.", r.path().value());
    }

    private static FileProblem notAFolder(Resolved r) {
        return Files.exists(r.local(), LinkOption.NOFOLLOW_LINKS)
                ? new FileProblem(Reason.NOT_A_FOLDER, "'" + r.path() + "' is not a folder: choose a folder.",
                        r.path().value())
                : notFound(r);
    }

    private static FileProblem notAFile(Resolved r) {
        return new FileProblem(Reason.NOT_A_FILE, "'" + r.path() + "' is not a regular file: only files can be "
                + "opened or downloaded (folders as a zip).", r.path().value());
    }

    private static FileProblem exists(String name) {
        return new FileProblem(Reason.EXISTS, "'" + name + "' already exists in this folder: choose another name, "
                + "or delete or rename the existing one first.", name);
    }

    private static FileProblem itself() {
        return new FileProblem(Reason.WORKSPACE_ITSELF, "Your workspace itself cannot be renamed or deleted: choose a "
                + "file or folder inside it.");
    }
}
