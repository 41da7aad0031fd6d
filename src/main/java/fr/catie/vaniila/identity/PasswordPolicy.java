package fr.catie.vaniila.identity;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import fr.catie.vaniila.wording.Phrase;

/**
 * The rule every new password must pass: long enough to resist guessing, not the username, not
 * one of the passwords attackers try first. Stateless and thread-safe.
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 10;
    static final int MAX_LENGTH = 72; // BCrypt reads no further than 72 bytes

    private static final Set<String> COMMON = Set.of("password", "password1", "password123", "1234567890",
            "12345678910", "qwertyuiop", "azertyuiop", "motdepasse", "changeme123", "letmein123", "administrator",
            "welcome123", "iloveyou12", "0123456789", "abcdefghij");

    private PasswordPolicy() {
    }

    /** Returns the reason the password is refused, in English, or empty when it is acceptable. */
    public static Optional<String> check(String username, String password) {
        return refusal(username, password).map(Phrase::english);
    }

    /** The reason the password is refused, as a phrase, or empty when it is acceptable. */
    public static Optional<Phrase> refusal(String username, String password) {
        if (password == null || password.isEmpty()) {
            return Optional.of(Phrase.of(AccountRefusal.PASSWORD_REQUIRED));
        }
        if (password.length() < MIN_LENGTH) {
            return Optional.of(Phrase.of(AccountRefusal.PASSWORD_TOO_SHORT, MIN_LENGTH));
        }
        if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LENGTH) {
            return Optional.of(Phrase.of(AccountRefusal.PASSWORD_TOO_LONG, MAX_LENGTH));
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (username != null && !username.isBlank() && lower.contains(username.toLowerCase(Locale.ROOT))) {
            return Optional.of(Phrase.of(AccountRefusal.PASSWORD_HAS_USERNAME));
        }
        if (COMMON.contains(lower) || password.chars().distinct().count() < 4) {
            return Optional.of(Phrase.of(AccountRefusal.PASSWORD_COMMON));
        }
        return Optional.empty();
    }
}
