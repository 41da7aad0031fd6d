package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import fr.catie.vaniila.identity.Caller;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.scp.common.helpers.DefaultScpFileOpener;
import org.apache.sshd.scp.common.helpers.ScpTimestampCommandDetails;

/**
 * The legacy SCP protocol ({@code scp -O}) on a workspace, under the same rules as SFTP: no path out
 * of the workspace, new files 0600 and folders 0700, the quota checked against the announced size
 * before any byte is written. Stateless; thread-safe.
 */
final class WorkspaceScp extends DefaultScpFileOpener {

    private final WorkspaceFiles files;
    private final long quotaBytes;

    WorkspaceScp(WorkspaceFiles files, long quotaBytes) {
        this.files = files;
        this.quotaBytes = quotaBytes;
    }

    private static int uid(Session session) {
        Caller caller = session.getAttribute(SshServerLifecycle.CALLER);
        return caller == null ? -1 : caller.uid();
    }

    @Override
    public Path resolveIncomingFilePath(Session session, Path localPath, String name, boolean preserve,
            Set<PosixFilePermission> permissions, ScpTimestampCommandDetails time) throws IOException {
        Path file = super.resolveIncomingFilePath(session, localPath, name, preserve, permissions, time);
        WorkspaceFiles.requireInside(file);
        return file;
    }

    @Override
    public Path resolveIncomingReceiveLocation(Session session, Path path, boolean recursive, boolean shouldBeDir,
            boolean preserve) throws IOException {
        Path local = WorkspaceFiles.requireInside(path);
        if (recursive && shouldBeDir && !Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(local);
            files.makePrivate(local, true, uid(session));
        }
        return super.resolveIncomingReceiveLocation(session, path, recursive, shouldBeDir, preserve);
    }

    @Override
    public Path resolveOutgoingFilePath(Session session, Path localPath, LinkOption... options) throws IOException {
        WorkspaceFiles.requireInside(localPath);
        return super.resolveOutgoingFilePath(session, localPath, options);
    }

    @Override
    public InputStream openRead(Session session, Path file, long size, Set<PosixFilePermission> permissions,
            OpenOption... options) throws IOException {
        Path local = WorkspaceFiles.requireInside(file);
        return Files.newInputStream(local, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public OutputStream openWrite(Session session, Path file, long size, Set<PosixFilePermission> permissions,
            OpenOption... options) throws IOException {
        Path local = WorkspaceFiles.requireInside(file);
        long existing = Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS) ? Files.size(local) : 0;
        long used = WorkspaceFiles.usage(WorkspaceFiles.workspace(file));
        if (used - existing + size > quotaBytes) {
            throw new AccessDeniedException(file.toString(), null, WorkspaceFiles.quotaMessage(quotaBytes));
        }
        boolean existed = Files.exists(local, LinkOption.NOFOLLOW_LINKS);
        OutputStream out = Files.newOutputStream(local, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
        if (!existed) {
            files.makePrivate(local, false, uid(session));
        }
        return out;
    }

    @Override
    public void closeWrite(Session session, Path file, long size, Set<PosixFilePermission> permissions,
            OutputStream os) throws IOException {
        os.close();
        // SCP sends the source's mode (often 0644): keep only the owner's bits.
        Files.setPosixFilePermissions(WorkspaceFiles.local(file), WorkspaceFiles.ownerOnly(permissions));
    }
}
