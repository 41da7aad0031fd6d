package fr.catie.vaniila.identity;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

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

    /** Returns the reason the password is refused, or empty when it is acceptable. */
    public static Optional<String> check(String username, String password) {
        if (password == null || password.isEmpty()) {
            return Optional.of("A password is required.");
        }
        if (password.length() < MIN_LENGTH) {
            return Optional.of("The password is too weak: use at least " + MIN_LENGTH + " characters.");
        }
        if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LENGTH) {
            return Optional.of("The password is too long: use at most " + MAX_LENGTH + " bytes.");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (username != null && !username.isBlank() && lower.contains(username.toLowerCase(Locale.ROOT))) {
            return Optional.of("The password is too weak: it must not contain the username.");
        }
        if (COMMON.contains(lower) || password.chars().distinct().count() < 4) {
            return Optional.of("The password is too weak: it is one attackers try first; choose a less common one.");
        }
        return Optional.empty();
    }
}
