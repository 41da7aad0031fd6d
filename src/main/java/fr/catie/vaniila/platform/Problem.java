package fr.catie.vaniila.platform;

import java.util.List;
import java.util.Map;

/**
 * An error a user can cause, raised by module APIs and turned into an RFC 9457 problem by the
 * adapters (REST, web, SSH). The message always says what to change.
 */
public class Problem extends RuntimeException {

    /** What kind of mistake it is; the REST adapter maps each kind to one HTTP status. */
    public enum Kind {
        /** malformed or invalid input */
        INVALID(400),
        /** not logged in, or bad credentials */
        UNAUTHENTICATED(401),
        /** logged in but not allowed */
        FORBIDDEN(403),
        /** absent, or belongs to another organisation */
        NOT_FOUND(404),
        /** clashes with what exists */
        CONFLICT(409),
        /** well formed but impossible to honour (e.g. more GPUs than any node has) */
        UNPROCESSABLE(422),
        /** too many attempts */
        TOO_MANY(429);

        private final int httpStatus;

        Kind(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        /** The HTTP status every front end (REST, pages, files) answers this kind of problem with. */
        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Kind kind;
    private final Map<String, String> fieldErrors;

    public Problem(Kind kind, String message) {
        this(kind, message, Map.of());
    }

    public Problem(Kind kind, String message, Map<String, String> fieldErrors) {
        super(message);
        this.kind = kind;
        this.fieldErrors = Map.copyOf(fieldErrors);
    }

    public Kind kind() {
        return kind;
    }

    /** Per-field messages for invalid input, keyed by the field's name in the request. */
    public Map<String, String> fieldErrors() {
        return fieldErrors;
    }

    public static Problem invalid(String message) {
        return new Problem(Kind.INVALID, message);
    }

    public static Problem invalid(String field, String message) {
        return new Problem(Kind.INVALID, message, Map.of(field, message));
    }

    /** One problem for several invalid fields; the message lists them all. */
    public static Problem invalidFields(Map<String, String> errors) {
        return new Problem(Kind.INVALID, String.join(" ", List.copyOf(errors.values())), errors);
    }

    public static Problem notFound(String message) {
        return new Problem(Kind.NOT_FOUND, message);
    }

    public static Problem forbidden(String message) {
        return new Problem(Kind.FORBIDDEN, message);
    }

    public static Problem conflict(String message) {
        return new Problem(Kind.CONFLICT, message);
    }

    public static Problem unprocessable(String message) {
        return new Problem(Kind.UNPROCESSABLE, message);
    }
}
