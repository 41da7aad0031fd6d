package fr.catie.vaniila.scheduler;

/**
 * Name of a node, unique in a cluster; the portal maps it from its database. Immutable value; thread safe.
 *
 * @param value the non-blank name
 */
public record NodeName(String value) implements Comparable<NodeName> {

    /** Checks the name is not blank: a blank name would make reason sentences unreadable. */
    public NodeName {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a node name must not be blank");
        }
    }

    @Override
    public int compareTo(NodeName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
