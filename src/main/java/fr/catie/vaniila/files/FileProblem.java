package fr.catie.vaniila.files;

import java.util.List;

import fr.catie.vaniila.platform.Problem;

/**
 * A file operation the user can get wrong, with a named reason and its arguments so that the web pages
 * can say it in the user's language; the English message serves the other adapters. Immutable.
 */
public final class FileProblem extends Problem {

    /** Why a file operation was refused; each reason maps to one HTTP status through its {@link Problem.Kind}. */
    public enum Reason {
        /** the path leaves the workspace ({@code ..}, absolute): args path */
        OUTSIDE(Kind.INVALID),
        /** the path leads out of the workspace through a symbolic link: args path */
        THROUGH_LINK(Kind.INVALID),
        /** nothing at that path: args path */
        NOT_FOUND(Kind.NOT_FOUND),
        /** a folder was expected: args path */
        NOT_A_FOLDER(Kind.INVALID),
        /** a regular file was expected: args path */
        NOT_A_FILE(Kind.INVALID),
        /** a name that cannot be a file name: args name */
        BAD_NAME(Kind.INVALID),
        /** the name is taken: args name */
        EXISTS(Kind.CONFLICT),
        /** the workspace itself cannot be renamed or deleted: no args */
        WORKSPACE_ITSELF(Kind.INVALID),
        /** the write would take the workspace over its quota: args needed, free, quota (human sizes) */
        QUOTA(Kind.UNPROCESSABLE),
        /** no file was sent: no args */
        NOTHING_SENT(Kind.INVALID);

        private final Kind kind;

        Reason(Kind kind) {
            this.kind = kind;
        }
    }

    private final Reason reason;
    private final List<String> args;

    FileProblem(Reason reason, String message, String... args) {
        super(reason.kind, message);
        this.reason = reason;
        this.args = List.of(args);
    }

    public Reason reason() {
        return reason;
    }

    /** The message's arguments, in the order the reason documents. */
    public List<String> args() {
        return args;
    }
}
