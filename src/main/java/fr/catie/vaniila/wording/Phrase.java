package fr.catie.vaniila.wording;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One sentence said to a user: its {@link Wording}'s key and arguments, and the English it reads as. A phrase
 * without a key has only its English (a parser's own words). An argument is text (a number, a name, a path) or
 * itself a phrase, said in the same language as the sentence around it. Immutable; serializable, as the login
 * failure that carries one is kept in the HTTP session.
 *
 * @param key     the bundle key, or null when the sentence exists in English only
 * @param args    the arguments: each a {@link String} or a {@code Phrase}
 * @param english the sentence in English
 */
public record Phrase(String key, List<Object> args, String english) implements Serializable {

    public Phrase {
        Objects.requireNonNull(english, "english");
        args = List.copyOf(args);
        for (Object a : args) {
            if (!(a instanceof String) && !(a instanceof Phrase)) {
                throw new IllegalArgumentException("an argument is text or a phrase, not " + a.getClass());
            }
        }
    }

    /** The wording's sentence with these arguments; a phrase stays a phrase, anything else becomes its text. */
    public static Phrase of(Wording wording, Object... args) {
        List<Object> kept = new ArrayList<>(args.length);
        for (Object a : args) {
            kept.add(a instanceof Phrase p ? p : String.valueOf(a));
        }
        return new Phrase(wording.key(), kept, fill(wording.english(), kept.stream()
                .map(a -> a instanceof Phrase p ? p.english() : (String) a).toList()));
    }

    /** A sentence that exists in English only. */
    public static Phrase english(String text) {
        return new Phrase(null, List.of(), text);
    }

    /**
     * A phrase as {@link #toMap()} wrote it (e.g. read back from JSON), its nested phrases included.
     *
     * @throws IllegalArgumentException when the map is not one
     */
    public static Phrase fromMap(Map<?, ?> map) {
        Object english = map.get("english");
        Object key = map.get("key");
        Object args = map.get("args");
        if (!(english instanceof String text) || (key != null && !(key instanceof String))
                || (args != null && !(args instanceof List))) {
            throw new IllegalArgumentException("not a phrase: " + map);
        }
        List<Object> out = new ArrayList<>();
        for (Object a : args == null ? List.of() : (List<?>) args) {
            out.add(a instanceof Map<?, ?> nested ? fromMap(nested) : String.valueOf(a));
        }
        return new Phrase((String) key, out, text);
    }

    /** The phrase as plain maps, lists and strings, for a JSON column. */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", key);
        out.put("args", args.stream().map(a -> a instanceof Phrase p ? p.toMap() : a).toList());
        out.put("english", english);
        return out;
    }

    /**
     * The pattern with {@code {n}} replaced by argument n. Deliberately not {@link java.text.MessageFormat}: the
     * sentences quote names with apostrophes ("No queue named 'gpu'"), which MessageFormat would swallow.
     */
    public static String fill(String pattern, List<String> args) {
        StringBuilder out = new StringBuilder(pattern.length() + 32);
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            int close = c == '{' ? pattern.indexOf('}', i) : -1;
            if (close > i + 1 && pattern.substring(i + 1, close).chars().allMatch(Character::isDigit)) {
                int n = Integer.parseInt(pattern.substring(i + 1, close));
                out.append(n < args.size() ? args.get(n) : pattern.substring(i, close + 1));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
