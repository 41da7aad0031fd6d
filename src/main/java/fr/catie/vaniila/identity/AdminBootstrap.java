package fr.catie.vaniila.identity;

import java.security.SecureRandom;

import fr.catie.vaniila.platform.VaniilaProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On the first start, creates the platform's own organisation and its administrator, with the
 * password from {@code VANIILA_ADMIN_PASSWORD} or a generated one printed once. Runs under a
 * transaction-scoped advisory lock so that two portals starting together create one admin.
 */
@Component
@Order(0)
class AdminBootstrap implements ApplicationRunner {

    static final String PLATFORM_ORGANISATION = "platform";
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final JdbcClient jdbc;
    private final PasswordEncoder encoder;
    private final VaniilaProperties properties;
    private final TransactionTemplate tx;

    AdminBootstrap(JdbcClient jdbc, PasswordEncoder encoder, VaniilaProperties properties, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.encoder = encoder;
        this.properties = properties;
        this.tx = tx;
    }

    @Override
    public void run(ApplicationArguments args) {
        tx.executeWithoutResult(status -> {
            jdbc.sql("SELECT pg_advisory_xact_lock(7301001)").query(Object.class).single();
            int firstUid = properties.accounts().firstUid();
            if (firstUid > 0) {
                jdbc.sql("SELECT setval('account_uid_seq', ?, false) WHERE (SELECT last_value FROM account_uid_seq) < ?")
                        .params(firstUid, firstUid).query(Object.class).optional();
            }
            Long admins = jdbc.sql("SELECT count(*) FROM accounts WHERE role = 'PLATFORM_ADMIN'").query(Long.class).single();
            if (admins > 0) {
                return;
            }
            String username = properties.admin().username();
            String password = properties.admin().password();
            boolean generated = password == null || password.isBlank();
            if (generated) {
                password = generate();
            } else {
                PasswordPolicy.check(username, password).ifPresent(reason -> {
                    throw new IllegalStateException("VANIILA_ADMIN_PASSWORD is refused. " + reason);
                });
            }
            long org = jdbc.sql("INSERT INTO organisations (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id")
                    .param(PLATFORM_ORGANISATION).query(Long.class).single();
            jdbc.sql("INSERT INTO accounts (organisation_id, username, password_hash, role) VALUES (?, ?, ?, 'PLATFORM_ADMIN')")
                    .params(org, username, encoder.encode(password)).update();
            if (generated) {
                // Printed once, on purpose: it is the only way an operator learns it.
                String banner = "\n================================================================\n"
                        + " Vaniila: platform administrator created\n"
                        + "   username: " + username + "\n"
                        + "   password: " + password + "\n"
                        + " It is shown only this once. Set VANIILA_ADMIN_PASSWORD to choose it.\n"
                        + "================================================================";
                System.out.println(banner);
            } else {
                log.info("Platform administrator '{}' created with the password from VANIILA_ADMIN_PASSWORD", username);
            }
        });
    }

    private static String generate() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
