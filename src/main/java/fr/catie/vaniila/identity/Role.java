package fr.catie.vaniila.identity;

/** What an account may do. Ordered from least to most powerful. */
public enum Role {
    /** a company's user: submits and watches its own jobs */
    USER,
    /** a company's administrator: manages its organisation's members, sees its usage */
    ORG_ADMIN,
    /** a platform administrator: manages every organisation, quota, queue and node */
    PLATFORM_ADMIN;

    /** Parses a role name as users type it ({@code user}, {@code org_admin}, {@code ORG-ADMIN}...). */
    public static Role parse(String text) {
        if (text == null || text.isBlank()) {
            return USER;
        }
        String normal = text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (Role role : values()) {
            if (role.name().equals(normal)) {
                return role;
            }
        }
        throw fr.catie.vaniila.platform.Problem.invalid("role", AccountRefusal.ROLE_UNKNOWN, text);
    }
}
