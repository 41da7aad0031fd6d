package fr.catie.vaniila.ssh;

import java.time.Instant;

/**
 * A public key a user registered for SSH logins.
 *
 * @param type        the OpenSSH key type, e.g. {@code ssh-ed25519}, {@code ecdsa-sha2-nistp256}, {@code ssh-rsa}
 * @param bits        the key size (256 for ed25519)
 * @param fingerprint {@code SHA256:...}, as {@code ssh-keygen -l} prints it
 * @param publicKey   the key in authorized_keys form, without the comment
 * @param lastUsedAt  the last successful login with it, null when never used
 */
public record SshKey(SshKeyId id, String type, int bits, String fingerprint, String publicKey, String comment,
        Instant createdAt, Instant lastUsedAt) {
}
