package fr.catie.vaniila.identity;

/** Database identity of an organisation. */
public record OrganisationId(long value) {
}
