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

    private final Path root;

    public Workspaces(VaniilaProperties properties) {
        this.root = properties.workspaceRoot().toAbsolutePath().normalize();
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
            throw Problem.invalid(field, "The path '" + path + "' is outside your workspace " + workspace
                    + ": give a path inside it.");
        }
        return resolved;
    }
}
