package fr.catie.vaniila.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import fr.catie.vaniila.PortalApplication;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that drive a whole portal from outside: a real server on a random port, a real
 * embedded PostgreSQL under a fresh home directory. Every subclass shares one portal (Spring caches
 * the context), so tests create their own organisations and users with unique names.
 */
@SpringBootTest(classes = PortalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class PortalIT {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "Integration-Boss-2026";
    public static final String USER_PASSWORD = "Correct-Horse-Battery-9";

    private static final Path HOME;

    static {
        try {
            HOME = Files.createTempDirectory("vaniila-it-");
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void portalProperties(DynamicPropertyRegistry registry) {
        registry.add("vaniila.home", HOME::toString);
        registry.add("vaniila.admin.password", () -> ADMIN_PASSWORD);
        // Tests throw the database away: durability is not what they check.
        registry.add("vaniila.database.fsync", () -> "false");
    }

    @LocalServerPort
    protected int port;

    protected ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient("http://localhost:" + port);
    }

    protected static Path home() {
        return HOME;
    }

    /** A name no other test uses, valid for organisations and usernames. */
    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected String adminToken() {
        return api.token(ADMIN, ADMIN_PASSWORD);
    }

    /** Creates an organisation and one account in it; returns the account's token. */
    protected String orgWithUser(String org, String username, String role) {
        String admin = adminToken();
        var r = api.post("/api/v1/organisations", ApiClient.json("name", org), admin);
        if (r.status() != 201) {
            throw new IllegalStateException(r.body());
        }
        r = api.post("/api/v1/users", ApiClient.json("username", username, "password", USER_PASSWORD,
                "organisation", org, "role", role), admin);
        if (r.status() != 201) {
            throw new IllegalStateException(r.body());
        }
        return api.token(username, USER_PASSWORD);
    }
}
