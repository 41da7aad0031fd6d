package fr.catie.vaniila.scheduler;

/**
 * Name of a queue, unique in a cluster; the portal maps it from its database. Immutable value; thread safe.
 *
 * @param value the non-blank name
 */
public record QueueName(String value) implements Comparable<QueueName> {

    /** Checks the name is not blank: a blank name would make reason sentences unreadable. */
    public QueueName {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a queue name must not be blank");
        }
    }

    @Override
    public int compareTo(QueueName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
