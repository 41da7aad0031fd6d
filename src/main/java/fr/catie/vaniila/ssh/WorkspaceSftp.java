package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import fr.catie.vaniila.identity.Caller;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

/**
 * SFTP on a workspace: every path is checked with {@link WorkspaceFiles} before use, new files are
 * 0600 and new folders 0700 whatever the client asks (the stock subsystem creates 0777 folders),
 * modes set later keep to the owner's bits, symbolic links cannot be created, and writes stop at the
 * workspace quota. Stateless; thread-safe.
 */
final class WorkspaceSftp implements SftpFileSystemAccessor {

    private final WorkspaceFiles files;
    private final long quotaBytes;

    WorkspaceSftp(WorkspaceFiles files, long quotaBytes) {
        this.files = files;
        this.quotaBytes = quotaBytes;
    }

    private static int uid(SftpSubsystemProxy subsystem) {
        Caller caller = subsystem.getServerSession().getAttribute(SshServerLifecycle.CALLER);
        return caller == null ? -1 : caller.uid();
    }

    /**
     * Every path a client names is checked here first, its folders with links followed: what lies behind a
     * link to outside the workspace is not even stat-ed. The last component is checked by each operation,
     * since an lstat of a link, or its removal, is fine.
     */
    @Override
    public Path resolveLocalFilePath(SftpSubsystemProxy subsystem, Path rootDir, String remotePath) throws IOException {
        Path resolved = SftpFileSystemAccessor.super.resolveLocalFilePath(subsystem, rootDir, remotePath);
        WorkspaceFiles.requireInside(resolved, false);
        return resolved;
    }

    @Override
    public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
            Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        Path local = WorkspaceFiles.requireInside(file);
        boolean writes = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        boolean existed = Files.exists(local, LinkOption.NOFOLLOW_LINKS);
        Set<OpenOption> opts = new HashSet<>(options);
        opts.add(LinkOption.NOFOLLOW_LINKS);
        SeekableByteChannel channel = Files.newByteChannel(local, opts,
                PosixFilePermissions.asFileAttribute(WorkspaceFiles.FILE));
        if (!existed && Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
            files.makePrivate(local, false, uid(subsystem));
        }
        if (!writes) {
            return channel;
        }
        long used = WorkspaceFiles.usage(WorkspaceFiles.workspace(file));
        return new WorkspaceFiles.QuotaChannel(channel, used - channel.size(), quotaBytes);
    }

    @Override
    public DirectoryStream<Path> openDirectory(SftpSubsystemProxy subsystem, DirectoryHandle dirHandle, Path dir,
            String handle, LinkOption... linkOptions) throws IOException {
        WorkspaceFiles.requireInside(dir);
        return SftpFileSystemAccessor.super.openDirectory(subsystem, dirHandle, dir, handle, linkOptions);
    }

    @Override
    public Map<String, ?> readFileAttributes(SftpSubsystemProxy subsystem, Path file, String view,
            LinkOption... options) throws IOException {
        // lstat of a link shows the link, not where it leads; the folders leading to it are checked all the same.
        WorkspaceFiles.requireInside(file, !java.util.Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS));
        return SftpFileSystemAccessor.super.readFileAttributes(subsystem, file, view, options);
    }

    @Override
    public void createDirectory(SftpSubsystemProxy subsystem, Path path) throws IOException {
        Path local = WorkspaceFiles.requireInside(path);
        Files.createDirectory(local, PosixFilePermissions.asFileAttribute(WorkspaceFiles.FOLDER));
        files.makePrivate(local, true, uid(subsystem));
    }

    @Override
    public void setFilePermissions(SftpSubsystemProxy subsystem, Path path, Set<PosixFilePermission> perms,
            LinkOption... options) throws IOException {
        Path local = WorkspaceFiles.requireInside(path);
        Set<PosixFilePermission> kept = WorkspaceFiles.ownerOnly(perms);
        if (Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS)) {
            kept.add(PosixFilePermission.OWNER_EXECUTE);
        }
        Files.setPosixFilePermissions(local, kept);
    }

    @Override
    public void setFileAttribute(SftpSubsystemProxy subsystem, Path file, String view, String attribute, Object value,
            LinkOption... options) throws IOException {
        WorkspaceFiles.requireInside(file);
        if (attribute.equals("uid") || attribute.equals("gid") || attribute.equals("owner") || attribute.equals("group")) {
            throw new AccessDeniedException(file.toString(), null, "the owner of workspace files cannot be changed");
        }
        if (attribute.equals("permissions") && value instanceof Set<?> perms) {
            @SuppressWarnings("unchecked")
            Set<PosixFilePermission> p = (Set<PosixFilePermission>) perms;
            setFilePermissions(subsystem, file, p, options);
            return;
        }
        SftpFileSystemAccessor.super.setFileAttribute(subsystem, file, view, attribute, value, options);
    }

    @Override
    public void setFileOwner(SftpSubsystemProxy subsystem, Path path, java.security.Principal value,
            LinkOption... options) throws IOException {
        throw new AccessDeniedException(path.toString(), null, "the owner of workspace files cannot be changed");
    }

    @Override
    public void setGroupOwner(SftpSubsystemProxy subsystem, Path path, java.security.Principal value,
            LinkOption... options) throws IOException {
        throw new AccessDeniedException(path.toString(), null, "the group of workspace files cannot be changed");
    }

    @Override
    public void createLink(SftpSubsystemProxy subsystem, Path link, Path existing, boolean symLink) throws IOException {
        throw new AccessDeniedException(link.toString(), null,
                "links cannot be created over SFTP: copy the file, or create the link from a job");
    }

    @Override
    public void renameFile(SftpSubsystemProxy subsystem, Path oldPath, Path newPath, Collection<CopyOption> opts)
            throws IOException {
        WorkspaceFiles.requireInside(oldPath, false);
        WorkspaceFiles.requireInside(newPath, false);
        SftpFileSystemAccessor.super.renameFile(subsystem, oldPath, newPath, opts);
    }

    @Override
    public void copyFile(SftpSubsystemProxy subsystem, Path src, Path dst, Collection<CopyOption> opts)
            throws IOException {
        throw new AccessDeniedException(dst.toString(), null, "server-side copies are not offered: download and upload");
    }

    @Override
    public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
        WorkspaceFiles.requireInside(path, false);
        SftpFileSystemAccessor.super.removeFile(subsystem, path, isDirectory);
    }
}
