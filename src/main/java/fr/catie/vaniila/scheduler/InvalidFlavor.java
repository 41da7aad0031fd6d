package fr.catie.vaniila.scheduler;

import fr.catie.vaniila.wording.Phrase;
import fr.catie.vaniila.wording.Wording;

/**
 * A GPU flavor name that is not of the {@code model-NNg} form, with the sentence that says so as a phrase, so that
 * the pages of the modules that read flavors (jobs, queues, quotas) say it in the user's language. Its message is
 * the English.
 */
public final class InvalidFlavor extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The parser's sentences; the French is in messages-jobs_fr.properties under {@code refusal.flavor.<NAME>}. */
    enum Refusal implements Wording {
        NOT_THE_FORM("GPU flavor '{0}' is not of the form model-NNg (e.g. v100-16g: model v100 with 16 GB)"),
        NO_MEMORY("GPU flavor '{0}' has 0 GB of memory; write its memory, e.g. v100-16g");

        private final String english;

        Refusal(String english) {
            this.english = english;
        }

        @Override
        public String key() {
            return "refusal.flavor." + name();
        }

        @Override
        public String english() {
            return english;
        }
    }

    private final Phrase phrase;

    InvalidFlavor(Refusal why, String text) {
        this(Phrase.of(why, text));
    }

    private InvalidFlavor(Phrase phrase) {
        super(phrase.english());
        this.phrase = phrase;
    }

    /** @return the sentence as a phrase */
    public Phrase phrase() {
        return phrase;
    }
}
