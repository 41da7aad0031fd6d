package fr.catie.vaniila.files;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A path inside a workspace, relative to it: segments joined by {@code /}, none of them empty,
 * {@code .} or {@code ..}; the empty path is the workspace itself. Parsing refuses what would leave
 * the workspace lexically ({@code ..}, a leading {@code /}); links are checked by {@link UserFiles}
 * against the disk. Immutable.
 */
public record WorkspacePath(String value) {

    /** Longest file name most Linux file systems take, in UTF-8 bytes. */
    static final int MAX_NAME_BYTES = 255;

    /** The workspace itself. */
    public static final WorkspacePath ROOT = new WorkspacePath("");

    public WorkspacePath {
        if (value == null) {
            throw new IllegalArgumentException("a workspace path is never null; the workspace itself is \"\"");
        }
        if (!value.isEmpty()) {
            for (String segment : value.split("/", -1)) {
                checkName(segment);
            }
        }
    }

    /**
     * A path as a user gave it (a query parameter, already decoded once): {@code ./} and repeated slashes
     * are dropped, {@code ..} and a leading {@code /} refused with a message that says what to give.
     */
    public static WorkspacePath parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return ROOT;
        }
        if (raw.startsWith("/") || raw.startsWith("\\")) {
            throw outside(raw);
        }
        List<String> kept = new ArrayList<>();
        for (String segment : raw.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw outside(raw);
            }
            checkName(segment);
            kept.add(segment);
        }
        return new WorkspacePath(String.join("/", kept));
    }

    private static FileProblem outside(String raw) {
        return new FileProblem(FileProblem.Reason.OUTSIDE, "The path '" + raw + "' leads outside your workspace: "
                + "give a path inside it, relative to your workspace, without '..' or a leading '/'.", raw);
    }

    /** Checks one file name: not empty, not {@code .} or {@code ..}, no {@code /} or NUL, at most 255 bytes. */
    public static String checkName(String name) {
        String why = null;
        if (name == null || name.isEmpty()) {
            why = "a name cannot be empty";
        } else if (name.equals(".") || name.equals("..")) {
            why = "'.' and '..' are not file names";
        } else if (name.indexOf('/') >= 0) {
            why = "a name cannot hold '/'";
        } else if (name.indexOf('\0') >= 0) {
            why = "a name cannot hold a NUL character";
        } else if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            why = "a name is at most " + MAX_NAME_BYTES + " bytes long";
        }
        if (why != null) {
            String shown = name == null ? "" : name.replace('\0', '?');
            throw new FileProblem(FileProblem.Reason.BAD_NAME, "'" + shown + "' cannot be a file name (" + why
                    + "): choose another name.", shown);
        }
        return name;
    }

    public boolean isRoot() {
        return value.isEmpty();
    }

    /** The last segment; empty for the workspace itself. */
    public String name() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    /** The folder holding this path; the workspace's parent is the workspace. */
    public WorkspacePath parent() {
        int slash = value.lastIndexOf('/');
        return slash < 0 ? ROOT : new WorkspacePath(value.substring(0, slash));
    }

    /** The path of a name inside this folder; the name is checked. */
    public WorkspacePath child(String name) {
        checkName(name);
        return new WorkspacePath(isRoot() ? name : value + "/" + name);
    }

    /** Every folder from the top down to this path, this path included and the workspace excluded (breadcrumbs). */
    public List<WorkspacePath> ancestors() {
        List<WorkspacePath> all = new ArrayList<>();
        for (WorkspacePath p = this; !p.isRoot(); p = p.parent()) {
            all.add(0, p);
        }
        return all;
    }

    @Override
    public String toString() {
        return value;
    }
}
