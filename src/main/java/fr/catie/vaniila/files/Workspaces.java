package fr.catie.vaniila.files;

import java.nio.file.Path;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.platform.VaniilaProperties;
import org.springframework.stereotype.Service;

/**
 * Where each user's files live: {@code <root>/<organisation>/<username>}, a shared filesystem in
 * production. Paths users give are resolved inside their workspace and may not leave it.
 * Thread-safe.
 */
@Service
public class Workspaces {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Workspaces.class);
    static final Path FALLBACK = Path.of("/var/lib/vaniila/workspaces");

    private final Path root;

    public Workspaces(VaniilaProperties properties) {
        Path wanted = properties.workspaceRoot().toAbsolutePath().normalize();
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        java.util.Optional<Path> blocked = asRoot ? closedAncestor(wanted) : java.util.Optional.empty();
        if (blocked.isPresent() && properties.workspaces().root() == null) {
            // Jobs run as their users, who must be able to reach their workspace: a root-only home
            // (/root is 0700) cannot hold it.
            log.warn("Users cannot traverse {}: their workspaces go to {} instead (set vaniila.workspaces.root to choose)",
                    blocked.get(), FALLBACK);
            wanted = FALLBACK;
        } else if (blocked.isPresent()) {
            log.error("Users cannot traverse {}, so their jobs cannot reach their workspaces under {}: run 'chmod o+x {}' "
                    + "or set vaniila.workspaces.root elsewhere", blocked.get(), wanted, blocked.get());
        }
        this.root = wanted;
        try {
            java.nio.file.Files.createDirectories(root);
            if (asRoot) {
                // Everyone may pass through, nobody may list: each workspace is its owner's, mode 0700.
                java.nio.file.Files.setPosixFilePermissions(root,
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
                // The training engine's native library, unpacked once by the first training job, shared by all.
                Path cache = root.resolve(".djl-cache");
                java.nio.file.Files.createDirectories(cache);
                // Sticky and writable by all, as /tmp: the JDK cannot set the sticky bit, chmod can.
                new ProcessBuilder("chmod", "1777", cache.toString()).inheritIO().start().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create the workspace root " + root + ": " + e.getMessage(), e);
        }
    }

    /** The first ancestor (or the path itself, when it exists) that other users cannot traverse. */
    static java.util.Optional<Path> closedAncestor(Path path) {
        for (Path p = path; p != null; p = p.getParent()) {
            if (!java.nio.file.Files.exists(p)) {
                continue;
            }
            try {
                var perms = java.nio.file.Files.getPosixFilePermissions(p);
                if (!perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    return java.util.Optional.of(p);
                }
            } catch (java.io.IOException | RuntimeException e) { // e.g. a file system without POSIX permissions
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.empty();
    }

    public Path root() {
        return root;
    }

    public Path of(String organisation, String username) {
        return root.resolve(organisation).resolve(username);
    }

    public Path of(Caller caller) {
        return of(caller.organisation(), caller.username());
    }

    /**
     * The caller's workspace, created private to the caller (0700, owned by the caller's uid when the
     * portal runs as root) when it does not exist yet.
     */
    public Path create(Caller caller) throws java.io.IOException {
        Path workspace = of(caller);
        if (!java.nio.file.Files.isDirectory(workspace)) {
            java.nio.file.Files.createDirectories(workspace.getParent());
            java.nio.file.Files.createDirectories(workspace);
            WorkspaceRules.makePrivate(workspace, true, caller.uid());
        }
        return workspace;
    }

    /**
     * A path the user gave, resolved against the workspace (or taken as is when absolute), refused
     * when it lands outside the workspace.
     */
    public Path inside(Caller caller, String path, String field) {
        Path workspace = of(caller);
        if (path == null || path.isBlank()) {
            return workspace;
        }
        Path p = Path.of(path.trim());
        Path resolved = (p.isAbsolute() ? p : workspace.resolve(p)).normalize();
        if (!resolved.startsWith(workspace)) {
            throw Problem.invalid(field, PathRefusal.OUTSIDE_WORKSPACE, path, workspace);
        }
        return resolved;
    }
}
