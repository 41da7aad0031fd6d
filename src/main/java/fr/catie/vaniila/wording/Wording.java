package fr.catie.vaniila.wording;

/**
 * A sentence a module says to users, declared once as an enum constant: its English pattern, with {@code {0}},
 * {@code {1}}... for the arguments, serves the adapters that speak English (REST, SSH); the web pages look its key
 * up in the user's language and fall back to the English.
 */
public interface Wording {

    /** The key of its translations in the message bundles. */
    String key();

    /** The English sentence, with {@code {n}} where argument n goes. */
    String english();
}
