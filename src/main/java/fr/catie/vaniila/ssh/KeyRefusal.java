package fr.catie.vaniila.ssh;

import fr.catie.vaniila.wording.Wording;

/**
 * What the SSH keys module says when it refuses a key, in English; the French is in messages_fr.properties under
 * {@code refusal.ssh.<NAME>}.
 */
public enum KeyRefusal implements Wording {
    KEY_MISSING("Give the public key, e.g. the content of ~/.ssh/id_ed25519.pub (\"ssh-ed25519 AAAA... comment\")."),
    KEY_PRIVATE("This is a private key or a PEM file: give the public key, the content of the .pub file "
            + "(\"ssh-ed25519 AAAA... comment\"), and keep the private key secret."),
    KEY_SEVERAL_LINES("Give one key per request: the text holds several lines."),
    KEY_DSA("DSA keys are not accepted: " + KeyRefusal.USE_STRONG_KEY + " (ssh-keygen -t ed25519)."),
    KEY_SECURITY_KEY("Security-key (sk-) keys are not accepted: " + KeyRefusal.USE_STRONG_KEY
            + " (ssh-keygen -t ed25519)."),
    KEY_NOT_OPENSSH("This is not an OpenSSH public key: give the content of your .pub file, "
            + "e.g. \"ssh-ed25519 AAAA... comment\" (ssh-keygen -t ed25519 creates one)."),
    KEY_TYPE_UNKNOWN("Unknown key type '{0}': " + KeyRefusal.USE_STRONG_KEY + "."),
    KEY_TYPE_REFUSED("Keys of type '{0}' are not accepted (DSA and security-key types are not): "
            + KeyRefusal.USE_STRONG_KEY + "."),
    RSA_TOO_SHORT("This RSA key has only {0} bits: use an RSA key of at least {1} bits, or better an ed25519 key "
            + "(ssh-keygen -t ed25519)."),
    COMMENT_TOO_LONG("The key's comment is over 200 characters: shorten it."),
    TOO_MANY_KEYS("You already have {0} SSH keys: delete the ones you no longer use first."),
    KEY_ALREADY_REGISTERED("This key ({0}) is already registered on your account."),
    NO_SUCH_KEY("No SSH key {0} among yours.");

    // A compile-time constant: the constants above may use it although it is declared after them.
    private static final String USE_STRONG_KEY = "use an ed25519, ECDSA or RSA (2048 bits or more) key";

    private final String english;

    KeyRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.ssh." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
