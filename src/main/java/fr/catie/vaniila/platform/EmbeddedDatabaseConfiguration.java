package fr.catie.vaniila.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Starts a real PostgreSQL under {@code ${vaniila.home}/pgdata} when no external database is
 * configured, so that one command gives a working portal. Active only without
 * {@code spring.datasource.url}; with it, Spring Boot's own data source is used.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfiguration.NoExternalDatabase.class)
public class EmbeddedDatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(VaniilaProperties properties) throws IOException {
        Path dataDir = properties.home().resolve("pgdata");
        Files.createDirectories(dataDir);
        stopOrphanedServer(dataDir);
        long started = System.nanoTime();
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                // The bean's close stops it, after the web server drained and the scheduler stopped. Its own JVM
                // hook would stop it at the same time as Spring's, under the requests still finishing.
                .setRegisterShutdownHook(false)
                .setPort(properties.database().port())
                // The embedded database holds the cluster's real state: keep it crash-safe.
                .setServerConfig("fsync", properties.database().fsync() ? "on" : "off")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("max_connections", "200")
                .setPGStartupWait(java.time.Duration.ofSeconds(60))
                .start();
        log.info("Embedded PostgreSQL ready on port {} with data in {} ({} ms)", postgres.getPort(), dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return postgres;
    }

    @Bean
    DataSource dataSource(EmbeddedPostgres postgres) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        config.setUsername("postgres");
        config.setMaximumPoolSize(20);
        config.setPoolName("vaniila-embedded");
        return new HikariDataSource(config);
    }

    /**
     * After a {@code kill -9} of the portal, its PostgreSQL child keeps running and holds the data
     * directory, and a stale {@code postmaster.pid} blocks the next start. Stop that orphan with a
     * fast shutdown (it has no clients left: they died with the portal), then remove a stale pid file.
     */
    static void stopOrphanedServer(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<Long> pid = Files.readAllLines(pidFile).stream().findFirst().map(String::trim)
                .filter(s -> s.matches("\\d+")).map(Long::parseLong);
        Optional<ProcessHandle> orphan = pid.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false))
                // A reused pid could be another PostgreSQL (the machine's own): only stop ours.
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(dataDir.toString())).orElse(true));
        if (orphan.isPresent()) {
            log.warn("An earlier embedded PostgreSQL (pid {}) still runs on {}; stopping it", pid.get(), dataDir);
            try {
                // SIGINT is PostgreSQL's "fast" shutdown: roll back, checkpoint, exit.
                new ProcessBuilder("kill", "-INT", Long.toString(pid.get())).inheritIO().start().waitFor();
                orphan.get().onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("could not stop the earlier embedded PostgreSQL (pid " + pid.get()
                        + ") that holds " + dataDir + "; stop it by hand and start again", e);
            }
        }
        if (Files.deleteIfExists(pidFile)) {
            log.info("Removed a stale postmaster.pid from {}", dataDir);
        }
    }

    static final class NoExternalDatabase implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }
}
