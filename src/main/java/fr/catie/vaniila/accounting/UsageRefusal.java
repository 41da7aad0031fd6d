package fr.catie.vaniila.accounting;

import fr.catie.vaniila.wording.Wording;

/**
 * What the accounting module says when it refuses a request for usage, in English; the French is in
 * messages-admin_fr.properties under {@code refusal.usage.<NAME>}.
 */
public enum UsageRefusal implements Wording {
    TO_NOT_AFTER_FROM("'to' must come after 'from'.");

    private final String english;

    UsageRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.usage." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
