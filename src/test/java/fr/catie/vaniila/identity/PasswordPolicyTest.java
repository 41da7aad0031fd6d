package fr.catie.vaniila.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordPolicyTest {

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "alice | NULL                   | A password is required.",
            "alice | short                  | The password is too weak: use at least 10 characters.",
            "alice | alice-is-great         | The password is too weak: it must not contain the username.",
            "alice | Password123            | The password is too weak: it is one attackers try first; choose a less common one.",
            "alice | aaaaaaaaaaaa           | The password is too weak: it is one attackers try first; choose a less common one.",
            "alice | correct-horse-battery  | OK",
            "bob   | Correct-Horse-Battery-9 | OK"})
    void judgesPasswords(String username, String password, String expected) {
        assertThat(PasswordPolicy.check(username, password).orElse("OK")).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"user,USER", "org_admin,ORG_ADMIN", "ORG-ADMIN,ORG_ADMIN", "platform_admin,PLATFORM_ADMIN"})
    void parsesRolesAsUsersTypeThem(String text, Role expected) {
        assertThat(Role.parse(text)).isEqualTo(expected);
    }
}
