package fr.catie.vaniila.platform;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One sentence said to a user: its {@link Wording}'s key and arguments, and the English it reads as. A phrase
 * without a key has only its English (sentences of the pure scheduler core, or a parser's own words). Immutable;
 * serializable, as the login failure that carries one is kept in the HTTP session.
 *
 * @param key     the bundle key, or null when the sentence exists in English only
 * @param args    the arguments, already written as text (numbers, names, paths)
 * @param english the sentence in English
 */
public record Phrase(String key, List<String> args, String english) implements Serializable {

    public Phrase {
        Objects.requireNonNull(english, "english");
        args = List.copyOf(args);
    }

    /** The wording's sentence with these arguments. */
    public static Phrase of(Wording wording, Object... args) {
        List<String> texts = Arrays.stream(args).map(String::valueOf).toList();
        return new Phrase(wording.key(), texts, fill(wording.english(), texts));
    }

    /** A sentence that exists in English only. */
    public static Phrase english(String text) {
        return new Phrase(null, List.of(), text);
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
