package dev.kvmfleetsim.hostsim.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import dev.kvmfleetsim.testsupport.KafkaTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * host-sim against a real Kafka broker: liveness, readiness (with the Kafka check, its instance id and worker count)
 * and Prometheus metrics with the service's own meters.
 */
@QuarkusTest
@WithTestResource(
        value = KafkaTestResource.class,
        initArgs = @ResourceArg(name = KafkaTestResource.TOPICS_ARG, value = FleetKafka.TOPICS))
class HostSimStartupTest {

    @Test
    void isLive() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void isReadyWithKafkaAndItsInstanceId() {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("host-sim", "Kafka connection health check"))
                .body("checks.find { it.name == 'host-sim' }.data.'instance-id'", equalTo("host-sim-test"))
                .body(
                        "checks.find { it.name == 'host-sim' }.data.workers",
                        equalTo(Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void servesPrometheusMetrics() {
        given().accept("text/plain")
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/plain; version=0.0.4"))
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"))
                .body(containsString("# TYPE process_uptime_seconds gauge"))
                .body(containsString("hostsim_runs_total{outcome=\"completed\""))
                .body(containsString("hostsim_runs_total{outcome=\"rejected\""))
                .body(containsString("hostsim_runs_total{outcome=\"failed\""))
                .body(containsString("# TYPE hostsim_events_published_total counter"))
                .body(containsString("hostsim_run_duration_seconds_count"));
    }
}
