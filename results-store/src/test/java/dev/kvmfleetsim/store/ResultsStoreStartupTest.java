package dev.kvmfleetsim.store;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import dev.kvmfleetsim.testsupport.KafkaTestResource;
import dev.kvmfleetsim.testsupport.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** results-store against real Kafka and PostgreSQL: health with both checks, Prometheus metrics, its own Flyway schema. */
@QuarkusTest
@WithTestResource(
        value = KafkaTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = KafkaTestResource.TOPICS_ARG, value = StoreTestProfile.TOPICS))
@WithTestResource(
        value = PostgresTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = PostgresTestResource.DATABASE_ARG, value = StoreTestProfile.DATABASE))
class ResultsStoreStartupTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void isLive() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void isReadyWithKafkaDatabaseAndItsInstanceId() {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body(
                        "checks.name",
                        hasItems("results-store", "Kafka connection health check", "Database connections health check"))
                .body("checks.find { it.name == 'results-store' }.data.'instance-id'", equalTo("results-store-test"));
    }

    @Test
    void servesPrometheusMetrics() {
        given().accept("text/plain")
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/plain; version=0.0.4"))
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"))
                .body(containsString("# TYPE process_uptime_seconds gauge"));
    }

    @Test
    void flywayKeepsItsHistoryInItsOwnSchema() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT table_schema || '.' || table_name FROM information_schema.tables"
                        + " WHERE table_name LIKE 'flyway%'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("store.flyway_history_store");
            assertThat(rs.next()).isFalse();
        }
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT string_agg(table_name, ',' ORDER BY table_name)"
                        + " FROM information_schema.tables WHERE table_schema = 'store'"
                        + " AND table_name NOT LIKE 'flyway%'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1))
                    .isEqualTo(
                            "event_batch,exit_stat,kvm_counter,latency_summary,run_result,t_quantile,trace_batch,trace_event,"
                                    + "v_exits_per_second,v_run_metrics,v_run_trace,v_series_gain,v_yields_by_cause,"
                                    + "workload_metric");
        }
    }
}
