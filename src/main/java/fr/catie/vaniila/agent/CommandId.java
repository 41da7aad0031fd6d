package fr.catie.vaniila.agent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Identity of one command from the portal (a UUID). The agent executes a command id at most once.
 *
 * @param value never blank
 */
public record CommandId(String value) {

    /** Validates the id. */
    public CommandId {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("commandId must not be blank");
        }
    }

    /** Reads the JSON string form. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static CommandId of(String value) {
        return new CommandId(value);
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
