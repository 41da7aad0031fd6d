package fr.catie.vaniila.security;

import fr.catie.vaniila.wording.Phrase;
import org.springframework.security.authentication.LockedException;

/**
 * A login refused because of too many failures, with the sentence as a phrase so that the login page says how long
 * to wait in the user's language; its message is the English.
 */
public class LockedLogin extends LockedException {

    private final Phrase phrase;

    public LockedLogin(Phrase phrase) {
        super(phrase.english());
        this.phrase = phrase;
    }

    public Phrase phrase() {
        return phrase;
    }
}
