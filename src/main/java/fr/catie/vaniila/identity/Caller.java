package fr.catie.vaniila.identity;

/**
 * Who is asking. Every module API takes the caller and scopes what it reads and writes to the
 * caller's organisation, so that tenancy holds whatever adapter (web, REST, SSH) is in front.
 */
public record Caller(AccountId accountId, String username, OrganisationId organisationId, String organisation,
        Role role, int uid) {

    public boolean isPlatformAdmin() {
        return role == Role.PLATFORM_ADMIN;
    }

    /** Whether the caller may manage the members of the given organisation. */
    public boolean administers(OrganisationId org) {
        return isPlatformAdmin() || (role == Role.ORG_ADMIN && organisationId.equals(org));
    }

    /** Whether the caller may read data owned by the given organisation. */
    public boolean sees(OrganisationId org) {
        return isPlatformAdmin() || organisationId.equals(org);
    }

    static Caller of(Account account) {
        return new Caller(account.id(), account.username(), account.organisationId(), account.organisation(),
                account.role(), account.uid());
    }
}
