package fr.catie.vaniila.identity;

import java.time.Instant;

/**
 * A person's account. {@code uid} is the Unix uid the account's jobs run as on the nodes.
 */
public record Account(AccountId id, String username, OrganisationId organisationId, String organisation, Role role,
        boolean enabled, int uid, Instant createdAt) {
}
