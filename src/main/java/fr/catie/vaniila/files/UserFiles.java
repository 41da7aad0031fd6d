package fr.catie.vaniila.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
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

    /**
     * Refuses at once a write of {@code bytes} that cannot fit in the caller's workspace, before the bytes
     * are even received (an upload announces its length); {@link #upload} checks again, exactly.
     */
    public void requireRoom(Caller caller, long bytes) {
        long used = usage(caller).usedBytes();
        long pending = reserved.getOrDefault(resolve(caller, "", true).root(), new AtomicLong()).get();
        if (bytes > 0 && used + pending + bytes > quotaBytes) {
            throw quota(bytes, Math.max(0, quotaBytes - used - pending), quotaBytes);
        }
    }

    private static FileProblem quota(long needed, long free, long quotaBytes) {
        return new FileProblem(Reason.QUOTA, "These files need " + WorkspaceRules.human(needed)
                + " but your workspace has " + WorkspaceRules.human(free) + " free of its quota of "
                + WorkspaceRules.human(quotaBytes) + ": delete files you no longer need, then retry.",
                WorkspaceRules.human(needed), WorkspaceRules.human(free), WorkspaceRules.human(quotaBytes));
    }

    /** The entries of a folder of the caller's workspace. */
    public Listing list(Caller caller, String folder) {
        Resolved dir = resolve(caller, folder, true);
        if (!Files.isDirectory(dir.local())) {
            throw notAFolder(dir);
        }
        List<Entry> entries = new ArrayList<>();
        try (SecureDirectoryStream<Path> open = open(dir)) {
            for (Path child : open) {
                String name = child.getFileName().toString();
                entries.add(entry(dir.root(), dir.path().child(name), dir.local().resolve(name),
                        RealFolders.attributes(open, child.getFileName())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entries.sort(Comparator.comparing((Entry e) -> e.kind() != Kind.FOLDER)
                .thenComparing(e -> e.name().toLowerCase(Locale.ROOT)).thenComparing(Entry::name));
        return new Listing(dir.path(), List.copyOf(entries), usage(caller));
    }

    private static Entry entry(Path root, WorkspacePath path, Path local, BasicFileAttributes own) throws IOException {
        BasicFileAttributes shown = own;
        if (own.isSymbolicLink()) {
            // Only what the listing shows: opening the link later walks it again without following links out.
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
            return new Opened(info(r), Channels.newInputStream(
                    RealFolders.read(r.root(), RealFolders.segments(r.path()), r.path().value())));
        } catch (AccessDeniedException e) {
            throw throughLink(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
        zip(caller, folder, out, ZIP_LEVEL);
    }

    /**
     * Deflate level of the zips: the fastest. Folders hold mostly model weights and datasets that barely
     * compress, where higher levels only cost time (docs/benchmarks/web-files.md).
     */
    static final int ZIP_LEVEL = java.util.zip.Deflater.BEST_SPEED;

    /** As {@link #zip(Caller, String, OutputStream)} with a given deflate level (the benchmark compares them). */
    void zip(Caller caller, String folder, OutputStream out, int level) throws IOException {
        Resolved dir = resolve(caller, folder, true);
        if (!Files.isDirectory(dir.local())) {
            throw notAFolder(dir);
        }
        String top = dir.path().isRoot() ? caller.username() : dir.path().name();
        ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8);
        zip.setLevel(level);
        try (SecureDirectoryStream<Path> open = open(dir)) {
            zipEntry(zip, top + "/", null);
            zip.closeEntry();
            zipFolder(open, top + "/", zip);
        }
        zip.finish();
    }

    private static void zipEntry(ZipOutputStream zip, String name, FileTime modified) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        if (modified != null) {
            entry.setLastModifiedTime(modified);
        }
        zip.putNextEntry(entry);
    }

    /** Zips a folder opened without following links: each entry is opened from it, so none leads out. */
    private static void zipFolder(SecureDirectoryStream<Path> dir, String prefix, ZipOutputStream zip) throws IOException {
        List<Path> names = new ArrayList<>();
        for (Path child : dir) {
            names.add(child.getFileName());
        }
        names.sort(null);
        for (Path name : names) {
            BasicFileAttributes attrs;
            try {
                attrs = RealFolders.attributes(dir, name);
            } catch (IOException e) {
                continue; // gone meanwhile
            }
            if (attrs.isDirectory()) {
                try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    zipEntry(zip, prefix + name + "/", attrs.lastModifiedTime());
                    zip.closeEntry();
                    zipFolder(sub, prefix + name + "/", zip);
                } catch (AccessDeniedException e) {
                    // A folder the portal cannot read: the rest still comes.
                }
            } else if (attrs.isRegularFile()) {
                try (SeekableByteChannel in = dir.newByteChannel(name,
                        Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
                    zipEntry(zip, prefix + name, attrs.lastModifiedTime());
                    Channels.newInputStream(in).transferTo(zip);
                    zip.closeEntry();
                } catch (AccessDeniedException e) {
                    // A file the portal cannot read (a job made it 000): the rest of the folder still comes.
                }
            }
        }
    }

    /** Makes a folder (0700, the caller's) in a folder of the caller's workspace; returns its path. */
    public WorkspacePath mkdir(Caller caller, String parent, String name) {
        Resolved dir = resolve(caller, parent, true);
        if (!Files.isDirectory(dir.local())) {
            throw notAFolder(dir);
        }
        String clean = WorkspacePath.checkName(name == null ? "" : name.strip());
        try (SecureDirectoryStream<Path> open = open(dir)) {
            if (RealFolders.exists(open, Path.of(clean))) {
                throw exists(clean);
            }
            // No mkdirat in Java: made by path, but handed to the user only through the folder opened above,
            // so a folder swapped for a link meanwhile gets nothing of the user's (the mode is 0700 from the start).
            Files.createDirectory(dir.local().resolve(clean), PosixFilePermissions.asFileAttribute(WorkspaceRules.FOLDER));
            makePrivate(open, Path.of(clean), true, caller.uid());
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
        String clean = WorkspacePath.checkName(newName == null ? "" : newName.strip());
        WorkspacePath renamed = r.path().parent().child(clean);
        try (SecureDirectoryStream<Path> parent = open(resolve(caller, r.path().parent().value(), true))) {
            Path from = Path.of(r.path().name());
            if (!RealFolders.exists(parent, from)) {
                throw notFound(r);
            }
            if (renamed.equals(r.path())) {
                return renamed;
            }
            if (RealFolders.exists(parent, Path.of(clean))) {
                throw exists(clean);
            }
            parent.move(from, parent, Path.of(clean));
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
        try (SecureDirectoryStream<Path> parent = open(resolve(caller, r.path().parent().value(), true))) {
            RealFolders.deleteTree(parent, Path.of(r.path().name()));
        } catch (NoSuchFileException e) {
            throw notFound(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stores files in a folder of the caller's workspace, replacing files of the same names. The quota is
     * checked for the whole batch before anything is written; each file is written under a hidden
     * temporary name and renamed into place once complete, so a failure leaves no partial file. Files are
     * created and renamed from the folder opened without following links, so that nothing is written
     * outside the workspace even when a job swaps a folder for a link meanwhile.
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
        try (SecureDirectoryStream<Path> open = open(dir)) {
            for (Upload u : uploads) {
                String name = baseName(u.name());
                WorkspacePath.checkName(name);
                BasicFileAttributes existing = null;
                if (RealFolders.exists(open, Path.of(name))) {
                    existing = RealFolders.attributes(open, Path.of(name));
                }
                if (existing != null && existing.isDirectory()) {
                    throw exists(name);
                }
                if (seen.add(name) && existing != null && existing.isRegularFile()) {
                    needed -= existing.size(); // replaced
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
                    throw quota(needed, Math.max(0, quotaBytes - used - (reservedNow - needed)), quotaBytes);
                }
                List<WorkspacePath> stored = new ArrayList<>();
                for (int i = 0; i < uploads.size(); i++) {
                    store(caller, open, names.get(i), uploads.get(i));
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

    private static void store(Caller caller, SecureDirectoryStream<Path> folder, String name, Upload upload)
            throws IOException {
        Path temp = Path.of("." + name.substring(0, Math.min(name.length(), 100)) + ".upload-" + UUID.randomUUID());
        boolean moved = false;
        try {
            try (InputStream in = upload.content().getInputStream();
                    SeekableByteChannel channel = folder.newByteChannel(temp, Set.of(StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                            PosixFilePermissions.asFileAttribute(WorkspaceRules.FILE));
                    OutputStream out = Channels.newOutputStream(channel)) {
                // transferTo copies through a small buffer: a large file never sits in memory.
                long copied = in.transferTo(out);
                if (copied != upload.size()) {
                    throw new IOException("received " + copied + " bytes of " + name + " instead of " + upload.size());
                }
            }
            makePrivate(folder, temp, false, caller.uid());
            folder.move(temp, folder, Path.of(name));
            moved = true;
        } finally {
            if (!moved) {
                try {
                    folder.deleteFile(temp);
                } catch (NoSuchFileException e) {
                    // never created
                }
            }
        }
    }

    /** Only a portal running as root may hand files over to the user's uid. */
    private static final boolean AS_ROOT = "root".equals(System.getProperty("user.name"));

    /** As {@link WorkspaceRules#makePrivate}, on an entry of a folder opened without following links. */
    private static void makePrivate(SecureDirectoryStream<Path> dir, Path name, boolean folder, int uid)
            throws IOException {
        PosixFileAttributeView view = dir.getFileAttributeView(name, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setPermissions(folder ? WorkspaceRules.FOLDER : WorkspaceRules.FILE);
        if (AS_ROOT && uid > 0) {
            // A uid with no account on this machine is looked up as the number itself.
            var lookup = FileSystems.getDefault().getUserPrincipalLookupService();
            view.setOwner(lookup.lookupPrincipalByName(Integer.toString(uid)));
            view.setGroup(lookup.lookupPrincipalByGroupName(Integer.toString(uid)));
        }
    }

    /** The folder of a resolved path, opened without following links out of the workspace; the caller closes it. */
    private static SecureDirectoryStream<Path> open(Resolved dir) throws IOException {
        try {
            return RealFolders.folder(dir.root(), RealFolders.segments(dir.path()), dir.path().value());
        } catch (AccessDeniedException e) {
            throw throughLink(dir.path().value());
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
            throw throughLink(raw);
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

    private static FileProblem throughLink(String raw) {
        return new FileProblem(Reason.THROUGH_LINK, "The path '" + raw + "' leads outside your workspace through "
                + "a symbolic link: open the files inside your workspace instead.", raw);
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
