package fr.catie.vaniila.gateway;

import fr.catie.vaniila.wording.Wording;

/**
 * What the node tokens say when they refuse an administrator's request, in English; the French is in
 * messages-admin_fr.properties under {@code refusal.nodeTokens.<NAME>}.
 */
public enum NodeTokenRefusal implements Wording {
    ISSUE_ADMIN_ONLY("Only a platform administrator can issue node tokens."),
    LIST_ADMIN_ONLY("Only a platform administrator can list node tokens."),
    REVOKE_ADMIN_ONLY("Only a platform administrator can revoke node tokens."),
    NODE_NAME_INVALID("Invalid node name '{0}': use up to 63 letters, digits, '.', '_' or '-', as the agent's --node."),
    NOT_FOUND("No node token with id {0}.");

    private final String english;

    NodeTokenRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.nodeTokens." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
