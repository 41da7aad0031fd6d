package fr.catie.vaniila.ssh;

import com.fasterxml.jackson.annotation.JsonValue;

/** The id of a registered SSH public key; written as a bare number in JSON. */
public record SshKeyId(@JsonValue long value) {
}
