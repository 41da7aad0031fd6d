package fr.catie.vaniila.nodes;

import fr.catie.vaniila.wording.Wording;

/**
 * What the nodes module says when it refuses a request, in English; the French is in
 * messages-admin_fr.properties under {@code refusal.nodes.<NAME>}.
 */
public enum NodeRefusal implements Wording {
    ADMIN_ONLY("Only a platform administrator can drain or resume nodes."),
    NOT_FOUND("No node named '{0}'."),
    DOWN_NOTHING_TO_DRAIN("Node {0} is DOWN: it runs nothing to drain."),
    DOWN_COMES_BACK_BY_ITSELF("Node {0} is DOWN: it comes back UP by itself when its agent connects again.");

    private final String english;

    NodeRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.nodes." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
