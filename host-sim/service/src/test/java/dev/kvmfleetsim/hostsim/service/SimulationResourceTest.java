package dev.kvmfleetsim.hostsim.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.kvmfleetsim.testsupport.KafkaTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** {@code POST /api/simulations}: a result for a valid scenario, RFC 9457 problems naming the field otherwise. */
@QuarkusTest
@WithTestResource(
        value = KafkaTestResource.class,
        initArgs = @ResourceArg(name = KafkaTestResource.TOPICS_ARG, value = FleetKafka.TOPICS))
class SimulationResourceTest {

    @Test
    void runsAValidScenarioAndAnswersWithItsResult() {
        given().contentType(ContentType.JSON)
                .body(FleetRunKafkaTest.SCENARIO)
                .post("/api/simulations")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/json"))
                .body("scenario", equalTo("service-test"))
                .body("seed", equalTo(1))
                .body("vcpus_per_vm", equalTo(8))
                .body("exits.size()", greaterThan(0))
                .body("exits.reason", hasItem("MSR_WRITE"))
                .body("counters.exits", greaterThan(0));
    }

    @Test
    void rejectsAnUnknownFieldWithAProblemNamingIt() {
        given().contentType(ContentType.JSON)
                .body("{\"duration_ns\": 1000000, \"kvm\": {\"enable_apcv\": true}}")
                .post("/api/simulations")
                .then()
                .statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:kvm-fleet-sim:problem:invalid-scenario"))
                .body("title", equalTo("Invalid scenario"))
                .body("status", equalTo(400))
                .body("detail", containsString("kvm.enable_apcv: unknown field"))
                .body("instance", equalTo("/api/simulations"))
                .body("errors.size()", equalTo(1))
                .body("errors[0].field", equalTo("kvm.enable_apcv"))
                .body("errors[0].reason", equalTo("unknown field"));
    }

    @Test
    void rejectsARunLongerThanTheLimitNamingDuration() {
        given().contentType(ContentType.JSON)
                .body("{\"duration_ns\": 1000000001}")
                .post("/api/simulations")
                .then()
                .statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(400))
                .body("errors.field", hasItem("duration_ns"))
                .body("errors[0].reason", containsString("host-sim.rest.max-duration-ns"));
    }

    @Test
    void rejectsABodyThatIsNotJsonAsAProblem() {
        given().contentType(ContentType.JSON)
                .body("{\"duration_ns\": ")
                .post("/api/simulations")
                .then()
                .statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("errors[0].field", equalTo("(file)"))
                .body("errors[0].reason", not(equalTo("")));
    }
}
