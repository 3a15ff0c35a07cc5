package dev.kvmfleetsim.controller.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvmfleetsim.contract.Problem;
import dev.kvmfleetsim.contract.RunRequest;
import dev.kvmfleetsim.contract.Topics;
import dev.kvmfleetsim.controller.FleetTopics;
import dev.kvmfleetsim.controller.FleetTopics.Received;
import dev.kvmfleetsim.controller.sweep.Run;
import dev.kvmfleetsim.testsupport.KafkaTestResource;
import dev.kvmfleetsim.testsupport.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * The sweep API against a real Kafka broker and a real PostgreSQL; plain Kafka clients play the host-sims. The test
 * profile dispatches every second with a 2 s lease.
 */
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
class SweepResourceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AgroalDataSource dataSource;

    @TestHTTPResource("/")
    URI base;

    private static String createSweep(String body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .post("/api/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    private static JsonPath awaitSweep(String id, Predicate<JsonPath> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonPath sweep;
        do {
            sweep = given().get("/api/sweeps/" + id)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            if (condition.test(sweep)) {
                return sweep;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("sweep " + id + " did not get there: " + sweep.prettify());
    }

    private long storedRuns(String sweepId) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT count(*) FROM controller.run WHERE sweep_id = ? AND (scenario->>'seed')::bigint = seed")) {
            s.setString(1, sweepId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void aSweepIsStoredDispatchedAnsweredAndFinished() throws Exception {
        var created = given().contentType(ContentType.JSON)
                .body("""
                        {"name": "tracking x window", "seed": 11, "repetitions": 2,
                         "base_scenario": {"duration_ns": 1000000},
                         "grid": {"ipi_tracking_enabled": [true, false], "ipi_window_ns": [1000000, 50000000]}}""")
                .post("/api/sweeps")
                .then()
                .statusCode(202)
                .header("Location", containsString("/api/sweeps/"))
                .body("state", equalTo("running"))
                .body("grid_points", equalTo(4))
                .body("runs", equalTo(8))
                .body("deduplicated", equalTo(0))
                .body("progress.total", equalTo(8))
                .body("detail", equalTo("aggregate"))
                .extract();
        String id = created.path("id");
        assertThat(created.header("Location")).endsWith("/api/sweeps/" + id);
        assertThat(storedRuns(id)).isEqualTo(8);

        List<Received<RunRequest>> requests = FleetTopics.awaitRunRequests(id, r -> r.attempt() == 1, 8, WAIT);
        assertThat(requests).hasSize(8);
        assertThat(requests)
                .allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().runId()));
        Set<String> expectedIds = Stream.of(0, 1, 2, 3)
                .flatMap(p -> Stream.of(Run.idOf(id, p, 0), Run.idOf(id, p, 1)))
                .collect(Collectors.toSet());
        assertThat(requests).extracting(r -> r.value().runId()).containsExactlyInAnyOrderElementsOf(expectedIds);
        Map<Boolean, Set<Long>> seedsByRepetition = requests.stream()
                .collect(Collectors.partitioningBy(
                        r -> r.value().runId().endsWith("-r0"),
                        Collectors.mapping(r -> r.value().seed(), Collectors.toSet())));
        assertThat(seedsByRepetition.get(true)).hasSize(1); // every point of a repetition: one seed (pairs on/off)
        assertThat(seedsByRepetition.get(false)).hasSize(1);
        assertThat(seedsByRepetition.get(true)).doesNotContainAnyElementsOf(seedsByRepetition.get(false));
        assertThat(requests)
                .allSatisfy(r -> assertThat(r.value().scenario().get("seed").longValue())
                        .isEqualTo(r.value().seed()));

        // A record that is no RunResult goes to the dead letters and does not stop the consumer.
        FleetTopics.produce(Topics.RESULTS, "garbage-" + id, "not json".getBytes(StandardCharsets.UTF_8));
        for (Received<RunRequest> r : requests) {
            FleetTopics.answer(r.value());
        }
        awaitSweep(id, s -> s.getInt("progress.done") == 8 && "done".equals(s.getString("state")));
        assertThat(FleetTopics.awaitRecords(
                        Topics.DEAD_LETTER,
                        WAIT,
                        records -> records.stream().anyMatch(r -> ("garbage-" + id).equals(r.key()))))
                .filteredOn(r -> ("garbage-" + id).equals(r.key()))
                .singleElement()
                .satisfies(r -> assertThat(new String(
                                r.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                        .startsWith("not JSON"));

        // A redelivered result changes nothing.
        RecordMetadata duplicate = FleetTopics.answer(requests.get(0).value());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!FleetTopics.committedPast("fleet-controller", duplicate) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(FleetTopics.committedPast("fleet-controller", duplicate)).isTrue();
        given().get("/api/sweeps/" + id)
                .then()
                .body("state", equalTo("done"))
                .body("finished_at", startsWith("20"))
                .body("progress.total", equalTo(8))
                .body("progress.done", equalTo(8));
        given().get("/api/sweeps/" + id + "/runs")
                .then()
                .statusCode(200)
                .body("size()", equalTo(8))
                .body("state", everyItem(equalTo("done")))
                .body("result_attempt", everyItem(equalTo(1)))
                .body("[0].parameters.ipi_tracking_enabled", equalTo(true));

        given().get("/api/sweeps").then().statusCode(200).body("id", hasItem(id));
        given().get("/api/sweeps?state=done").then().statusCode(200).body("id", hasItem(id));
        given().post("/api/sweeps/" + id + "/cancel")
                .then()
                .statusCode(409)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(409))
                .body("detail", containsString("is done"));
    }

    @Test
    void identicalConfigurationsAreStoredOnce() throws Exception {
        // 16 pCPUs and 16-vCPU VMs: overcommit 1 and 1.2 both mean one VM, so 6 grid points are 4 configurations.
        String id = createSweep("""
                {"base_scenario": {"duration_ns": 1000000, "host": {"pcpus": 16}, "vms": {"vcpus": 16}},
                 "grid": {"overcommit": [1, 1.2, 2], "ipi_window_ns": [1000000, 50000000]}, "repetitions": 2}""");
        given().get("/api/sweeps/" + id)
                .then()
                .body("grid_points", equalTo(6))
                .body("runs", equalTo(8))
                .body("deduplicated", equalTo(4))
                .body("progress.total", equalTo(8))
                .body("grid.overcommit", equalTo(List.of(1, 1.2f, 2)));
        assertThat(storedRuns(id)).isEqualTo(8);
        given().get("/api/sweeps/" + id + "/runs?limit=4")
                .then()
                .body("size()", equalTo(4))
                .body("point_index", equalTo(List.of(0, 1, 4, 5)))
                .body("[0].duplicate_points", equalTo(List.of(2)));
        given().post("/api/sweeps/" + id + "/cancel").then().statusCode(200).body("state", equalTo("cancelled"));
    }

    @Test
    void aRunWithoutAResultIsDispatchedAgainAfterItsLease() throws Exception {
        String id = createSweep("{\"base_scenario\": {\"duration_ns\": 1000000}}");
        String runId = Run.idOf(id, 0, 0);
        List<Received<RunRequest>> second = FleetTopics.awaitRunRequests(id, r -> r.attempt() == 2, 1, WAIT);
        assertThat(second).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(runId);
            assertThat(r.value().attempt()).isEqualTo(2);
        });
        given().get("/api/sweeps/" + id + "/runs")
                .then()
                .body("[0].run_id", equalTo(runId))
                .body("[0].attempt", greaterThanOrEqualTo(2));

        given().post("/api/sweeps/" + id + "/cancel").then().statusCode(200).body("state", equalTo("cancelled"));
        given().post("/api/sweeps/" + id + "/cancel")
                .then()
                .statusCode(409)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:kvm-fleet-sim:problem:sweep-finished"));
        // The run in flight is cancelled when its lease runs out; a late result would still be recorded.
        awaitSweep(id, s -> s.getInt("progress.cancelled") == 1);
    }

    @Test
    void aRunOutOfAttemptsFailsItsSweepAndALateResultStillCounts() throws Exception {
        String id = createSweep("{\"base_scenario\": {\"duration_ns\": 1000000}}");
        RunRequest first = FleetTopics.awaitRunRequests(id, r -> r.attempt() == 1, 1, WAIT)
                .get(0)
                .value();
        // As if the host-sims had lost it fleet-controller.dispatch.max-attempts (5) times.
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("UPDATE controller.run SET attempt = 5,"
                        + " lease_expires_at = now() - interval '1 second' WHERE run_id = ?")) {
            s.setString(1, first.runId());
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        awaitSweep(id, s -> "failed".equals(s.getString("state")) && s.getInt("progress.failed") == 1);

        FleetTopics.answer(first);
        awaitSweep(id, s -> "done".equals(s.getString("state")) && s.getInt("progress.done") == 1);
        given().get("/api/sweeps/" + id + "/runs")
                .then()
                .body("[0].state", equalTo("done"))
                .body("[0].attempt", equalTo(5))
                .body("[0].result_attempt", equalTo(1));
    }

    @Test
    void anInvalidSweepIsRefusedWithEveryProblemNamed() {
        given().contentType(ContentType.JSON)
                .body("""
                        {"base_scenario": {"kvm": {"enable_apcv": true}}, "repetitions": 0,
                         "grid": {"kvm.ipi_windw_ns": [1000000], "ipi_window_ns": [],
                                  "ipi_tracking_enabled": ["yes"], "host.pcpus": [16, 1.5]}}""")
                .post("/api/sweeps")
                .then()
                .statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:kvm-fleet-sim:problem:invalid-sweep"))
                .body("title", equalTo("Invalid sweep"))
                .body("status", equalTo(400))
                .body("detail", startsWith("6 problem(s)"))
                .body(
                        "errors.field",
                        hasItems(
                                "base_scenario.kvm.enable_apcv",
                                "repetitions",
                                "grid.kvm.ipi_windw_ns",
                                "grid.ipi_window_ns",
                                "grid.ipi_tracking_enabled[0]",
                                "grid.host.pcpus[1]"))
                .body(
                        "errors.find { it.field == 'grid.kvm.ipi_windw_ns' }.reason",
                        containsString("did you mean kvm.ipi_window_ns?"));

        given().contentType(ContentType.JSON)
                .body("{\"base_scenario\": {}, \"repetitions\": 1000,"
                        + " \"grid\": {\"ipi_window_ns\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}}")
                .post("/api/sweeps")
                .then()
                .statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors[0].field", equalTo("grid"))
                .body("errors[0].reason", startsWith("11000 runs (11 points × 1000 repetitions) exceed the limit"));

        given().contentType(ContentType.JSON)
                .body("{\"base_scenario\": {}, \"grid\": {\"vms.vcpus\": [4, 0]}}")
                .post("/api/sweeps")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("grid[1].vms.vcpus"));

        given().contentType(ContentType.JSON)
                .body("{\"base_scenario\": {,}")
                .post("/api/sweeps")
                .then()
                .statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:kvm-fleet-sim:problem:malformed-body"))
                .body("errors[0].field", equalTo("(body)"));

        given().get("/api/sweeps/no-such-sweep")
                .then()
                .statusCode(404)
                .contentType(Problem.MEDIA_TYPE)
                .body("title", equalTo("Not Found"))
                .body("instance", equalTo("/api/sweeps/no-such-sweep"));
        given().get("/api/sweeps?state=sleeping").then().statusCode(400).body("errors[0].field", equalTo("state"));
    }

    @Test
    void progressIsStreamedAsServerSentEventsUntilTheSweepCompletes() throws Exception {
        String id = createSweep("{\"base_scenario\": {\"duration_ns\": 1000000}, \"repetitions\": 2}");
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(base.resolve("api/sweeps/" + id + "/progress"))
                .header("Accept", "text/event-stream")
                .build();
        CompletableFuture<List<String>> lines = client.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenApply(response -> {
                    assertThat(response.statusCode()).isEqualTo(200);
                    try (Stream<String> body = response.body()) {
                        return body.collect(Collectors.toCollection(ArrayList::new));
                    }
                });

        for (Received<RunRequest> r : FleetTopics.awaitRunRequests(id, x -> x.attempt() == 1, 2, WAIT)) {
            FleetTopics.answer(r.value());
        }
        List<String> stream = lines.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        List<String> events = stream.stream()
                .filter(l -> l.startsWith("event:"))
                .map(l -> l.substring(6).trim())
                .toList();
        List<JsonNode> data = stream.stream()
                .filter(l -> l.startsWith("data:"))
                .map(l -> {
                    try {
                        return JSON.readTree(l.substring(5).trim());
                    } catch (Exception e) {
                        throw new AssertionError("not JSON: " + l, e);
                    }
                })
                .toList();
        assertThat(events).contains("progress").last().isEqualTo("completed");
        assertThat(data).hasSameSizeAs(events);
        assertThat(data.get(0).get("sweep_id").asText()).isEqualTo(id);
        JsonNode last = data.get(data.size() - 1);
        assertThat(last.get("state").asText()).isEqualTo("done");
        assertThat(last.at("/progress/done").intValue()).isEqualTo(2);
        assertThat(last.at("/progress/total").intValue()).isEqualTo(2);
    }

    @Test
    void publishesOpenApiAndSwaggerUi() {
        given().accept("application/json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body("paths.keySet()", hasItems("/api/sweeps", "/api/sweeps/{id}", "/api/sweeps/{id}/progress"))
                .body("components.schemas.SweepRequest.properties.keySet()", hasItem("base_scenario"))
                .body(
                        "components.schemas.Sweep.properties.keySet()",
                        hasItems("created_at", "grid_points", "deduplicated", "progress"))
                .body("components.schemas.Problem.properties.keySet()", hasItems("type", "title", "errors"));
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
        given().get("/q/swagger-ui").then().statusCode(200);
        given().get("/api/sweeps/x/progress").then().statusCode(404).header("Content-Type", endsWith("json"));
    }
}
