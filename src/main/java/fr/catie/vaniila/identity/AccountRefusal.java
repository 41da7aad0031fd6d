package fr.catie.vaniila.identity;

import fr.catie.vaniila.wording.Wording;

/**
 * What the identity module (accounts, passwords, logins, API tokens, roles) says when it refuses a request, in
 * English; the French is in messages_fr.properties under {@code refusal.identity.<NAME>}.
 */
public enum AccountRefusal implements Wording {
    CREATE_NOT_ADMIN("Only an organisation or platform administrator can create accounts."),
    USERNAME_INVALID("Invalid username '{0}'. " + AccountRefusal.USERNAME_RULE),
    USERNAME_RESERVED("The username '{0}' is reserved for the system: choose another one."),
    USERNAME_TAKEN("The username '{0}' is taken: choose another one."),
    CREATE_OUTSIDE_OWN_ORGANISATION("You can only create accounts in your own organisation '{0}'."),
    GRANT_PLATFORM_ADMIN("Only a platform administrator can grant the PLATFORM_ADMIN role."),
    CHANGE_PLATFORM_ADMIN("Only a platform administrator can change a platform administrator's role."),
    NO_SUCH_ACCOUNT("No account named '{0}'."),
    NOT_ADMIN_OF("Only an administrator of '{0}' can change this account."),
    DISABLE_OWN_ACCOUNT("You cannot disable your own account: ask another administrator."),
    CHANGE_OWN_ROLE("You cannot change your own role: ask another administrator."),
    ROLE_UNKNOWN("Unknown role '{0}': use USER, ORG_ADMIN or PLATFORM_ADMIN."),
    PASSWORD_REQUIRED("A password is required."),
    PASSWORD_TOO_SHORT("The password is too weak: use at least {0} characters."),
    PASSWORD_TOO_LONG("The password is too long: use at most {0} bytes."),
    PASSWORD_HAS_USERNAME("The password is too weak: it must not contain the username."),
    PASSWORD_COMMON("The password is too weak: it is one attackers try first; choose a less common one."),
    LOGIN_WRONG("Wrong username or password."),
    LOGIN_DISABLED("This account is disabled: ask your organisation's administrator."),
    LOGIN_LOCKED_MINUTE("Too many failed logins: try again in {0} minute."),
    LOGIN_LOCKED_MINUTES("Too many failed logins: try again in {0} minutes."),
    TOKEN_NAME_TOO_LONG("The token name is too long: use at most 100 characters."),
    TOKEN_EXPIRY_PAST("The expiry {0} is in the past: give a future date or none."),
    NO_SUCH_TOKEN("No token with id {0} among yours.");

    // A compile-time constant: the constants above may use it although it is declared after them.
    private static final String USERNAME_RULE = "Use 2 to 32 lowercase letters, digits, '_' or '-', starting with a "
            + "letter or '_' (it becomes the Unix login).";

    private final String english;

    AccountRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.identity." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
