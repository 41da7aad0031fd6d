package fr.catie.vaniila.scheduler;

/**
 * Name of a organisation, unique in a cluster; the portal maps it from its database. Immutable value; thread safe.
 *
 * @param value the non-blank name
 */
public record OrgName(String value) implements Comparable<OrgName> {

    /** Checks the name is not blank: a blank name would make reason sentences unreadable. */
    public OrgName {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a organisation name must not be blank");
        }
    }

    @Override
    public int compareTo(OrgName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
