package fr.catie.vaniila.agent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Identity of one launch: one rank of one job on one node, chosen by the portal (a UUID). The agent runs a launch
 * id at most once, whatever number of times the portal sends it.
 *
 * @param value the id as the portal wrote it; never blank, no path separator (it names a cgroup)
 */
public record LaunchId(String value) {

    /** Validates the id. */
    public LaunchId {
        if (value == null || value.isBlank() || !value.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("launchId '" + value
                    + "' is not valid: use 1 to 128 letters, digits, '.', '_' or '-' (a UUID)");
        }
    }

    /** Reads the JSON string form. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static LaunchId of(String value) {
        return new LaunchId(value);
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
