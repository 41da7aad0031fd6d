package fr.catie.vaniila.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Locale;

import fr.catie.vaniila.wording.Phrase;
import org.junit.jupiter.api.Test;

/** Why the portal closed a terminal: the same English as before, and French on a French page. */
class TerminalClosingTest {

    private final PhraseBook book = new PhraseBook(PhraseBookTest.bundles());

    @Test
    void theIdleTimeoutIsSaidInWholeMinutesWhenItIsSome() {
        assertThat(idle(Duration.ofMinutes(30)).english()).isEqualTo("no keystroke for 30 minutes");
        assertThat(idle(Duration.ofMinutes(1)).english()).isEqualTo("no keystroke for 1 minute");
        assertThat(idle(Duration.ofSeconds(90)).english()).isEqualTo("no keystroke for 90 seconds");
        assertThat(idle(Duration.ofSeconds(20)).english()).isEqualTo("no keystroke for 20 seconds");
        assertThat(book.say(idle(Duration.ofMinutes(30)), Locale.FRENCH)).isEqualTo("aucune frappe au clavier depuis 30 minutes");
        assertThat(book.say(idle(Duration.ofSeconds(90)), Locale.FRENCH)).isEqualTo("aucune frappe au clavier depuis 90 secondes");
    }

    private static Phrase idle(Duration timeout) {
        return Phrase.of(TerminalClosing.IDLE, TerminalClosing.duration(timeout));
    }
}
