package fr.catie.vaniila.web;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.wording.Phrase;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

/**
 * Says the modules' phrases in the language of the request: the bundle's sentence for the phrase's key, filled
 * the same way as the English, or the English when the bundle has none (English pages, English-only sentences).
 */
@Component
public class PhraseBook {

    /** An instant as {@link Instant#toString()} writes it, which is how the modules put one in a sentence. */
    private static final Pattern ISO_INSTANT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z");

    private final MessageSource messages;

    public PhraseBook(MessageSource messages) {
        this.messages = messages;
    }

    /** The phrase in the current request's language. */
    public String say(Phrase phrase) {
        return say(phrase, LocaleContextHolder.getLocale());
    }

    public String say(Phrase phrase, Locale locale) {
        if (phrase.key() == null) {
            return phrase.english();
        }
        // No arguments: the bundle's text comes back as written, and Phrase.fill puts them in.
        String pattern = messages.getMessage(phrase.key(), null, null, locale);
        if (pattern == null) {
            // The English as the module wrote it, but with its instants as the pages show times; the API keeps
            // the ISO form, which programs read.
            String english = phrase.english();
            for (String instant : instants(phrase, new java.util.ArrayList<>())) {
                english = english.replace(instant, JobTimes.shown(Instant.parse(instant)));
            }
            return english;
        }
        return Phrase.fill(pattern, phrase.args().stream()
                .map(a -> a instanceof Phrase nested ? say(nested, locale)
                        : ISO_INSTANT.matcher((String) a).matches() ? JobTimes.shown(Instant.parse((String) a))
                        : (String) a)
                .toList());
    }

    /** The arguments of a phrase, nested ones included, that are instants in ISO-8601 form. */
    private static List<String> instants(Phrase phrase, List<String> found) {
        for (Object a : phrase.args()) {
            if (a instanceof Phrase nested) {
                instants(nested, found);
            } else if (ISO_INSTANT.matcher((String) a).matches()) {
                found.add((String) a);
            }
        }
        return found;
    }

    /** The problem's message in the current request's language; a problem of several fields says each of theirs. */
    public String say(Problem problem) {
        return say(problem, LocaleContextHolder.getLocale());
    }

    public String say(Problem problem, Locale locale) {
        if (problem.phrase().key() == null && !problem.fieldPhrases().isEmpty()) {
            return String.join(" ", fields(problem, locale).values());
        }
        return say(problem.phrase(), locale);
    }

    /** The problem's per-field messages in the current request's language. */
    public Map<String, String> fields(Problem problem) {
        return fields(problem, LocaleContextHolder.getLocale());
    }

    public Map<String, String> fields(Problem problem, Locale locale) {
        Map<String, String> out = new LinkedHashMap<>();
        problem.fieldPhrases().forEach((field, p) -> out.put(field, say(p, locale)));
        return out;
    }
}
