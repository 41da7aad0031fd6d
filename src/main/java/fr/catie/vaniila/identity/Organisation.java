package fr.catie.vaniila.identity;

import java.time.Instant;

/** A company using the cluster: the unit of tenancy, quota and accounting. */
public record Organisation(OrganisationId id, String name, Instant createdAt, int members) {
}
