package dev.kvmfleetsim.controller;

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

/** fleet-controller against real Kafka and PostgreSQL: health with both checks, Prometheus metrics, its own Flyway schema. */
@QuarkusTest
@WithTestResource(
        value = KafkaTestResource.class,
        parallel = true,
        initArgs =
                @ResourceArg(
                        name = KafkaTestResource.TOPICS_ARG,
                        value = "fleet.runs:2,fleet.results:2,fleet.dead-letter:1"))
@WithTestResource(
        value = PostgresTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = PostgresTestResource.DATABASE_ARG, value = "fleet_controller"))
class FleetControllerStartupTest {

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
                        hasItems(
                                "fleet-controller",
                                "Kafka connection health check",
                                "Database connections health check"))
                .body(
                        "checks.find { it.name == 'fleet-controller' }.data.'instance-id'",
                        equalTo("fleet-controller-test"));
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
            assertThat(rs.getString(1)).isEqualTo("controller.flyway_history_controller");
            assertThat(rs.next()).isFalse();
        }
    }
}
