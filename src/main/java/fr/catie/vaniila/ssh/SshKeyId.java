package fr.catie.vaniila.ssh;

/** The id of a registered SSH public key. */
public record SshKeyId(long value) {
}
