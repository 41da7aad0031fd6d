package fr.catie.vaniila.identity;

import fr.catie.vaniila.wording.Wording;

/**
 * What the organisations part of the identity module says when it refuses a request, in English; the French is
 * in messages-admin_fr.properties under {@code refusal.organisations.<NAME>}.
 */
public enum OrganisationRefusal implements Wording {
    ADMIN_ONLY("Only a platform administrator can create organisations."),
    NAME_INVALID("Invalid organisation name '{0}'. " + OrganisationRefusal.NAME_RULE),
    ALREADY_EXISTS("An organisation named '{0}' already exists: choose another name."),
    NOT_FOUND("No organisation named '{0}'.");

    // A compile-time constant: the constants above may use it although it is declared after them.
    private static final String NAME_RULE = "Use 2 to 40 lowercase letters, digits or '-', starting with a letter (e.g. 'acme-ai').";

    private final String english;

    OrganisationRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.organisations." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
