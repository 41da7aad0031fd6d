package fr.catie.vaniila.scheduler;

/**
 * Identifier of a job, as the jobs module numbers it in its database. Immutable value; thread safe.
 *
 * @param value the positive database id
 */
public record JobId(long value) implements Comparable<JobId> {

    /** Checks the id is positive: zero and negative ids are never issued by the jobs module. */
    public JobId {
        if (value <= 0) {
            throw new IllegalArgumentException("a job id is a positive number, got " + value);
        }
    }

    @Override
    public int compareTo(JobId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
