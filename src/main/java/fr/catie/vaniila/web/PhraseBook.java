package fr.catie.vaniila.web;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

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
            return phrase.english();
        }
        return Phrase.fill(pattern, phrase.args().stream()
                .map(a -> a instanceof Phrase nested ? say(nested, locale) : (String) a).toList());
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
