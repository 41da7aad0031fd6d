package fr.catie.vaniila.identity;

/** Database identity of an account. */
public record AccountId(long value) {
}
