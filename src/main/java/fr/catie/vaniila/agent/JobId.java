package fr.catie.vaniila.agent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Identity of a job as the portal numbers it (the {@code VANIILA_JOB_ID} a job's processes see).
 *
 * @param value positive
 */
public record JobId(long value) {

    /** Validates the id. */
    public JobId {
        if (value <= 0) {
            throw new IllegalArgumentException("jobId " + value + " is not valid: job ids are positive");
        }
    }

    /** Reads the JSON number form. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static JobId of(long value) {
        return new JobId(value);
    }

    @JsonValue
    @Override
    public long value() {
        return value;
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
