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
 * itself a phrase, said in the same language as the sentence around it. Immutable (its English is written on first
 * use, as the scheduler builds a phrase for every pending job of every cycle and most are never read); serializable,
 * as the login failure that carries one is kept in the HTTP session.
 */
public final class Phrase implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final List<Object> args;
    /** The wording's English pattern, until the English is written; null once it is, or when it was given. */
    private transient String pattern;
    private volatile String english;

    /**
     * @param key     the bundle key, or null when the sentence exists in English only
     * @param args    the arguments: each a {@link String} or a {@code Phrase}
     * @param english the sentence in English
     */
    public Phrase(String key, List<Object> args, String english) {
        this(key, List.copyOf(args), null, Objects.requireNonNull(english, "english"));
    }

    private Phrase(String key, List<Object> args, String pattern, String english) {
        for (Object a : args) {
            if (!(a instanceof String) && !(a instanceof Phrase)) {
                throw new IllegalArgumentException("an argument is text or a phrase, not " + a.getClass());
            }
        }
        this.key = key;
        this.args = args;
        this.pattern = pattern;
        this.english = english;
    }

    /** The wording's sentence with these arguments; a phrase stays a phrase, anything else becomes its text. */
    public static Phrase of(Wording wording, Object... args) {
        Object[] kept = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            kept[i] = args[i] instanceof Phrase p ? p : String.valueOf(args[i]);
        }
        return new Phrase(wording.key(), List.of(kept), wording.english(), null);
    }

    /** A sentence that exists in English only. */
    public static Phrase english(String text) {
        return new Phrase(null, List.of(), null, Objects.requireNonNull(text, "text"));
    }

    /** @return the bundle key, or null when the sentence exists in English only */
    public String key() {
        return key;
    }

    /** @return the arguments: each a {@link String} or a {@code Phrase} */
    public List<Object> args() {
        return args;
    }

    /** @return the sentence in English */
    public String english() {
        String e = english;
        if (e == null) {
            // Written at most a few times over, always to the same text: no lock needed.
            List<String> texts = new ArrayList<>(args.size());
            for (Object a : args) {
                texts.add(a instanceof Phrase p ? p.english() : (String) a);
            }
            e = fill(pattern, texts);
            english = e;
        }
        return e;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Phrase p && Objects.equals(key, p.key) && args.equals(p.args) && english().equals(p.english());
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, args, english());
    }

    @Override
    public String toString() {
        return english();
    }

    /** Writes the English before serializing, as the pattern is not kept. */
    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
        english();
        out.defaultWriteObject();
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
        out.put("english", english());
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
