package fr.catie.vaniila.platform;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;

import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.PortalProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged portal against an external PostgreSQL server (the machine's PostgreSQL 15, which
 * {@code .ci/run} starts), configured with the standard {@code spring.datasource.*} properties.
 * Needs {@code VANIILA_TEST_DATABASE_URL} (a JDBC URL of a database on that server),
 * {@code VANIILA_TEST_DATABASE_USER} and {@code VANIILA_TEST_DATABASE_PASSWORD} of a role that may
 * create databases; skipped without them on a developer machine, required under CI.
 */
class ExternalDatabaseIT {

    @TempDir
    Path home;

    @Test
    void runsOnAnExternalServerWithMigrationsAndNoEmbeddedDatabase() throws Exception {
        String url = System.getenv("VANIILA_TEST_DATABASE_URL");
        if (url == null) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("CI must set VANIILA_TEST_DATABASE_URL (see .ci/run)");
            }
            Assumptions.abort("VANIILA_TEST_DATABASE_URL is not set: no external PostgreSQL to test against");
        }
        String user = System.getenv("VANIILA_TEST_DATABASE_USER");
        String password = System.getenv("VANIILA_TEST_DATABASE_PASSWORD");
        String database = "vaniila_it_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.createStatement().execute("CREATE DATABASE " + database);
        }
        String dbUrl = url.replaceFirst("/[^/?]*(\\?|$)", "/" + database + "$1");
        try (PortalProcess portal = new PortalProcess(home, Map.of("SPRING_DATASOURCE_URL", dbUrl,
                "SPRING_DATASOURCE_USERNAME", user, "SPRING_DATASOURCE_PASSWORD", password,
                "VANIILA_ADMIN_PASSWORD", "External-server-pw1")).start()) {
            ApiClient api = new ApiClient(portal.url());
            String admin = api.token("admin", "External-server-pw1");
            assertThat(api.post("/api/v1/organisations", json("name", "external-co"), admin).status()).isEqualTo(201);
            assertThat(Files.exists(home.resolve("pgdata"))).as("no embedded database with an external one").isFalse();
            try (Connection c = DriverManager.getConnection(dbUrl, user, password);
                    ResultSet rs = c.createStatement().executeQuery(
                            "SELECT (SELECT count(*) FROM flyway_schema_history WHERE success), "
                                    + "(SELECT count(*) FROM organisations WHERE name = 'external-co')")) {
                rs.next();
                assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(1);
                assertThat(rs.getLong(2)).isEqualTo(1);
            }
            portal.stop();
        } finally {
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                c.createStatement().execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }
}
