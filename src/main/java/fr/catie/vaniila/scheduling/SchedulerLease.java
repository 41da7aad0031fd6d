package fr.catie.vaniila.scheduling;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which portal runs the scheduler loop: the one holding a PostgreSQL session-level advisory lock on
 * a connection of its own. When that connection dies (database restart, network cut), the lock is
 * gone with it and any portal may take it. Not thread-safe: used by the loop's single thread.
 */
final class SchedulerLease implements AutoCloseable {

    static final long LOCK_KEY = 7301002L;
    private static final Logger log = LoggerFactory.getLogger(SchedulerLease.class);

    private final DataSource dataSource;
    private Connection connection;
    private boolean held;

    SchedulerLease(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Whether this portal holds the lease now, taking it when it is free. */
    boolean holds() {
        try {
            if (connection != null && !connection.isValid(2)) {
                drop();
            }
            if (connection == null) {
                connection = dataSource.getConnection();
                connection.setAutoCommit(true);
                held = false;
            }
            if (!held) {
                try (Statement s = connection.createStatement();
                        ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
                    rs.next();
                    held = rs.getBoolean(1);
                    if (held) {
                        log.info("This portal now runs the scheduler loop");
                    }
                }
            }
            return held;
        } catch (SQLException e) {
            log.warn("Scheduler lease unavailable: {}", e.getMessage());
            drop();
            return false;
        }
    }

    private void drop() {
        held = false;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is dead already
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        drop();
    }
}
