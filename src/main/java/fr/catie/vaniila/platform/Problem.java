package fr.catie.vaniila.platform;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import fr.catie.vaniila.wording.Phrase;
import fr.catie.vaniila.wording.Wording;

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
    private final Phrase phrase;
    private final Map<String, Phrase> fields;

    public Problem(Kind kind, String message) {
        this(kind, Phrase.english(message), Map.of());
    }

    public Problem(Kind kind, String message, Map<String, String> fieldErrors) {
        this(kind, Phrase.english(message), english(fieldErrors));
    }

    /** A problem said by a module's wording, so that the web pages can say it in the user's language. */
    public Problem(Kind kind, Phrase phrase) {
        this(kind, phrase, Map.of());
    }

    public Problem(Kind kind, Phrase phrase, Map<String, Phrase> fields) {
        super(phrase.english());
        this.kind = kind;
        this.phrase = phrase;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    private static Map<String, Phrase> english(Map<String, String> fieldErrors) {
        Map<String, Phrase> out = new LinkedHashMap<>();
        fieldErrors.forEach((field, message) -> out.put(field, Phrase.english(message)));
        return out;
    }

    public Kind kind() {
        return kind;
    }

    /** The whole message as a phrase; for a problem of several fields its English joins theirs. */
    public Phrase phrase() {
        return phrase;
    }

    /** Per-field messages for invalid input, keyed by the field's name in the request, in English. */
    public Map<String, String> fieldErrors() {
        Map<String, String> out = new LinkedHashMap<>();
        fields.forEach((field, p) -> out.put(field, p.english()));
        return out;
    }

    /** The same per-field messages as phrases, for the adapters that translate them. */
    public Map<String, Phrase> fieldPhrases() {
        return fields;
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

    /** One problem for several invalid fields, each said by a wording; the English message lists them all. */
    public static Problem invalidPhrases(Map<String, Phrase> errors) {
        return new Problem(Kind.INVALID, Phrase.english(String.join(" ", errors.values().stream()
                .map(Phrase::english).toList())), errors);
    }

    /** An invalid field, said by a wording. */
    public static Problem invalid(String field, Wording wording, Object... args) {
        Phrase p = Phrase.of(wording, args);
        return new Problem(Kind.INVALID, p, Map.of(field, p));
    }

    /** A problem of this kind, said by a wording. */
    public static Problem of(Kind kind, Wording wording, Object... args) {
        return new Problem(kind, Phrase.of(wording, args));
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
