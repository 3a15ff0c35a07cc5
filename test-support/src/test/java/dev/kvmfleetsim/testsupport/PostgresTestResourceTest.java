package dev.kvmfleetsim.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Round-trips rows through a real PostgreSQL server started from Debian's binaries. */
class PostgresTestResourceTest {

    @Test
    void rowsComeBackFromTheNamedDatabase() throws SQLException {
        try (PostgresTestResource postgres = PostgresTestResource.startServer("round_trip")) {
            String url = PostgresTestResource.jdbcUrl();
            assertThat(url).startsWith("jdbc:postgresql://127.0.0.1:").endsWith("/round_trip");

            try (Connection c = connect(url)) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE run (id BIGINT PRIMARY KEY, overcommit NUMERIC(4, 2), label TEXT)");
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO run VALUES (?, ?, ?)")) {
                    for (int i = 1; i <= 5; i++) {
                        insert.setLong(1, i);
                        insert.setBigDecimal(2, new java.math.BigDecimal(i + ".50"));
                        insert.setString(3, "run-" + i);
                        insert.addBatch();
                    }
                    assertThat(insert.executeBatch()).containsOnly(1).hasSize(5);
                }
                List<String> rows = new ArrayList<>();
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT id, overcommit, label FROM run ORDER BY id")) {
                    while (rs.next()) {
                        rows.add(rs.getLong(1) + "|" + rs.getBigDecimal(2) + "|" + rs.getString(3));
                    }
                }
                assertThat(rows)
                        .containsExactly(
                                "1|1.50|run-1", "2|2.50|run-2", "3|3.50|run-3", "4|4.50|run-4", "5|5.50|run-5");
                assertThat(scalar(c, "SELECT current_database() || '/' || current_user"))
                        .isEqualTo("round_trip/test");
                assertThat(scalar(c, "SHOW fsync")).isEqualTo("off");
                assertThat(scalar(c, "SHOW synchronous_commit")).isEqualTo("off");
                assertThat(scalar(c, "SHOW full_page_writes")).isEqualTo("off");
            }
        }
    }

    @Test
    void stopShutsTheServerDownAndDeletesItsDirectory() throws SQLException {
        PostgresTestResource postgres = new PostgresTestResource();
        postgres.init(Map.of(PostgresTestResource.DATABASE_ARG, "stopped"));
        Map<String, String> config = postgres.start();
        String url = config.get("quarkus.datasource.jdbc.url");
        assertThat(config).containsEntry("quarkus.datasource.db-kind", "postgresql");
        Path directory = postgres.directory();
        try (Connection c = connect(url)) {
            assertThat(scalar(c, "SELECT current_database()")).isEqualTo("stopped");
        }
        assertThat(directory.resolve("data/postmaster.pid")).exists();

        postgres.stop();

        assertThat(directory).doesNotExist();
        assertThat(postgres.directory()).isNull();
        assertThatThrownBy(() -> connect(url).close()).isInstanceOf(SQLException.class);
        assertThatThrownBy(PostgresTestResource::jdbcUrl).isInstanceOf(IllegalStateException.class);
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, PostgresTestResource.USERNAME, PostgresTestResource.PASSWORD);
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
