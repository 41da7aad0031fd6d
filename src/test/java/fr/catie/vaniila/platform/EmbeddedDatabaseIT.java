package fr.catie.vaniila.platform;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.PortalProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged portal on its embedded PostgreSQL, as a newcomer runs it: it starts with nothing
 * configured, prints a generated admin password once, keeps its data across a graceful restart
 * and across a {@code kill -9}, and leaves no PostgreSQL behind when it stops.
 */
class EmbeddedDatabaseIT {

    @TempDir
    Path home;

    @Test
    void dataSurvivesARestartAndAKill9() throws Exception {
        String password;
        try (PortalProcess portal = new PortalProcess(home, Map.of()).start()) {
            password = portal.output().stream().filter(l -> l.trim().startsWith("password:"))
                    .map(l -> l.trim().substring("password:".length()).trim()).findFirst().orElseThrow();
            ApiClient api = new ApiClient(portal.url());
            String admin = api.token("admin", password);
            assertThat(api.post("/api/v1/organisations", json("name", "survivor"), admin).status()).isEqualTo(201);
            assertThat(Files.exists(home.resolve("pgdata").resolve("PG_VERSION"))).isTrue();
            assertThat(portal.stop()).isIn(0, 143);
        }
        assertThat(postmasterPid()).as("a graceful stop stops PostgreSQL too").isEmpty();

        try (PortalProcess portal = new PortalProcess(home, Map.of()).start()) {
            assertThat(portal.output()).noneMatch(l -> l.trim().startsWith("password:"));
            ApiClient api = new ApiClient(portal.url());
            String admin = api.token("admin", password);
            assertThat(api.get("/api/v1/organisations/survivor", admin).status()).isEqualTo(200);
            assertThat(api.post("/api/v1/organisations", json("name", "before-kill"), admin).status()).isEqualTo(201);
            portal.kill9();
        }
        assertThat(postmasterPid()).as("after kill -9 the embedded PostgreSQL is orphaned").isPresent();

        try (PortalProcess portal = new PortalProcess(home, Map.of()).start()) {
            ApiClient api = new ApiClient(portal.url());
            String admin = api.token("admin", password);
            assertThat(api.get("/api/v1/organisations/survivor", admin).status()).isEqualTo(200);
            assertThat(api.get("/api/v1/organisations/before-kill", admin).status()).isEqualTo(200);
            assertThat(portal.output()).anyMatch(l -> l.contains("still runs on") || l.contains("stale postmaster.pid"));
            portal.stop();
        }
    }

    @Test
    void theAdminPasswordComesFromTheEnvironmentWhenSet() throws Exception {
        try (PortalProcess portal = new PortalProcess(home, Map.of("VANIILA_ADMIN_PASSWORD", "Chosen-by-operator-1")).start()) {
            assertThat(portal.output()).noneMatch(l -> l.trim().startsWith("password:"));
            ApiClient api = new ApiClient(portal.url());
            assertThat(api.get("/api/v1/me", api.token("admin", "Chosen-by-operator-1")).text("role"))
                    .isEqualTo("PLATFORM_ADMIN");
        }
    }

    @Test
    void aWeakAdminPasswordIsRefusedWithTheReason() throws Exception {
        PortalProcess portal = new PortalProcess(home, Map.of("VANIILA_ADMIN_PASSWORD", "admin"));
        try {
            portal.start();
            throw new AssertionError("the portal started with a weak admin password");
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).contains("VANIILA_ADMIN_PASSWORD is refused").contains("at least 10 characters");
        } finally {
            portal.close();
        }
    }

    private Optional<String> postmasterPid() throws Exception {
        Path pid = home.resolve("pgdata").resolve("postmaster.pid");
        if (!Files.exists(pid)) {
            return Optional.empty();
        }
        String first = Files.readAllLines(pid).get(0).trim();
        return ProcessHandle.of(Long.parseLong(first)).filter(ProcessHandle::isAlive).map(p -> first);
    }
}
