package fr.catie.vaniila.jobs;

import java.util.Map;

import fr.catie.vaniila.wording.Phrase;
import tools.jackson.databind.json.JsonMapper;

/**
 * A phrase kept in a JSONB column beside the text column that holds its English ({@code jobs.end_reason} and
 * {@code end_phrase}, {@code job_transitions.detail} and {@code detail_phrase}, {@code launches.message} and
 * {@code message_phrase}): the REST API and SSH read the English as before, the web pages say the phrase in the
 * user's language. Thread-safe.
 */
public final class PhraseColumn {

    /** Plain maps, lists and strings: no configuration matters. */
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PhraseColumn() {
    }

    /**
     * @return the phrase as JSON for its column; null for none, and for a sentence that exists in English only, as
     *         its text column already says all of it
     */
    public static String write(Phrase phrase) {
        return phrase == null || phrase.key() == null ? null : JSON.writeValueAsString(phrase.toMap());
    }

    /** @return the phrase's English for its text column, or null for none */
    public static String english(Phrase phrase) {
        return phrase == null ? null : phrase.english();
    }

    /**
     * @return the phrase stored, or null, and then the pages say the English: absent on rows written before the
     *         column, and ignored when unreadable or when it no longer reads as the English beside it
     */
    public static Phrase read(String stored, String english) {
        if (stored == null || english == null) {
            return null;
        }
        try {
            Phrase p = Phrase.fromMap(JSON.readValue(stored, Map.class));
            return p.english().equals(english) ? p : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** @return the phrase stored beside the English, or the English alone; null when there is no English */
    public static Phrase readOrEnglish(String stored, String english) {
        if (english == null) {
            return null;
        }
        Phrase p = read(stored, english);
        return p != null ? p : Phrase.english(english);
    }
}
