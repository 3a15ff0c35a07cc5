package dev.kvmfleetsim.store;

import dev.kvmfleetsim.testsupport.PostgresTestResource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.flywaydb.core.Flyway;

/**
 * A real PostgreSQL with the store's Flyway migrations applied, for plain JUnit tests of the writers (no Quarkus).
 * Connections are configured like the service's data source (schema {@code store}, batched inserts rewritten).
 */
final class PlainDatabase implements AutoCloseable {
    private final PostgresTestResource server;
    private final String url;

    PlainDatabase(String database) {
        server = PostgresTestResource.startServer(database);
        url = PostgresTestResource.jdbcUrl();
        Flyway.configure()
                .dataSource(url, PostgresTestResource.USERNAME, PostgresTestResource.PASSWORD)
                .schemas("store")
                .defaultSchema("store")
                .table("flyway_history_store")
                .load()
                .migrate();
    }

    Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", PostgresTestResource.USERNAME);
        p.setProperty("password", PostgresTestResource.PASSWORD);
        p.setProperty("currentSchema", "store");
        p.setProperty("reWriteBatchedInserts", "true");
        return DriverManager.getConnection(url, p);
    }

    @Override
    public void close() {
        server.close();
    }
}
