package fr.catie.vaniila.web;

import java.time.Duration;

import fr.catie.vaniila.wording.Phrase;
import fr.catie.vaniila.wording.Wording;

/**
 * Why the portal closed a web terminal (the {@code why} of its {@code closed} message, which the page shows after
 * its own sentence for the reason), in English; the French is in messages-terminal_fr.properties under
 * {@code terminal.closing.<NAME>}. What the program in the terminal says when it ends stays its own words.
 */
enum TerminalClosing implements Wording {
    LOGGED_OUT("you logged out, or your login session expired"),
    IDLE("no keystroke for {0}"),
    SHUTDOWN("the portal is restarting"),
    SLOW_BROWSER("the browser did not keep up with the output"),
    ONE_MINUTE("1 minute"),
    MINUTES("{0} minutes"),
    SECONDS("{0} seconds");

    private final String english;

    TerminalClosing(String english) {
        this.english = english;
    }

    /** A duration in whole minutes when it is one, else in seconds. */
    static Phrase duration(Duration d) {
        long minutes = d.toMinutes();
        if (minutes >= 1 && d.toSecondsPart() == 0) {
            return minutes == 1 ? Phrase.of(ONE_MINUTE) : Phrase.of(MINUTES, minutes);
        }
        return Phrase.of(SECONDS, d.toSeconds());
    }

    @Override
    public String key() {
        return "terminal.closing." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
