package dev.kvmfleetsim.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.testsupport.KafkaTestResource;
import dev.kvmfleetsim.testsupport.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rows round-trip through the real PostgreSQL behind the application's injected Agroal data source. */
@QuarkusTest
@WithTestResource(
        value = KafkaTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = KafkaTestResource.TOPICS_ARG, value = StoreTestProfile.TOPICS))
@WithTestResource(
        value = PostgresTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = PostgresTestResource.DATABASE_ARG, value = StoreTestProfile.DATABASE))
class ResultsStoreDatabaseRoundTripTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void rowsRoundTripThroughTheInjectedDataSource() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE exit_sample (reason TEXT, samples BIGINT, mean_ns DOUBLE PRECISION)");
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO exit_sample VALUES (?, ?, ?)")) {
                String[] reasons = {"MSR_WRITE", "HLT", "PAUSE_INSTRUCTION"};
                for (int i = 0; i < reasons.length; i++) {
                    insert.setString(1, reasons[i]);
                    insert.setLong(2, 1000L * (i + 1));
                    insert.setDouble(3, 250.5 * (i + 1));
                    insert.addBatch();
                }
                // reWriteBatchedInserts=true (application.properties) folds the rows into multi-row INSERTs
                // (2 + 1 here), which report no per-row counts.
                assertThat(insert.executeBatch()).hasSize(3).contains(Statement.SUCCESS_NO_INFO);
            }
            List<String> rows = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery("SELECT reason, samples, mean_ns FROM exit_sample ORDER BY samples DESC")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "|" + rs.getLong(2) + "|" + rs.getDouble(3));
                }
            }
            assertThat(rows).containsExactly("PAUSE_INSTRUCTION|3000|751.5", "HLT|2000|501.0", "MSR_WRITE|1000|250.5");
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT current_database(), current_user")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("results_store");
                assertThat(rs.getString(2)).isEqualTo(PostgresTestResource.USERNAME);
            }
        }
    }
}
