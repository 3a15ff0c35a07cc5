package dev.kvmfleetsim.store;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import dev.kvmfleetsim.store.service.StoreService;
import dev.kvmfleetsim.testsupport.KafkaTestResource;
import dev.kvmfleetsim.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST API over the hand-made sweep of {@link AnalysisViewsTest}. */
@QuarkusTest
@WithTestResource(
        value = KafkaTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = KafkaTestResource.TOPICS_ARG, value = StoreTestProfile.TOPICS))
@WithTestResource(
        value = PostgresTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = PostgresTestResource.DATABASE_ARG, value = StoreTestProfile.DATABASE))
class ResultsResourceTest {
    private static final String SWEEP = AnalysisViewsTest.SWEEP;

    @Inject
    StoreService store;

    @BeforeEach
    void storeOnce() {
        AnalysisViewsTest.storeSweep(store);
    }

    @Test
    void summaryReturnsTheSeriesGainRows() {
        given().get("/api/sweeps/{id}/summary", SWEEP)
                .then()
                .statusCode(200)
                .contentType(startsWith("application/json"))
                .body("$", hasSize(2))
                .body("[0].sweep_id", equalTo(SWEEP))
                .body("[0].overcommit", equalTo(2.0f))
                .body("[0].workload_mix", equalTo("dedup_like"))
                .body("[0].n_pairs", equalTo(3))
                .body("[0].mean_gain_pct", equalTo(20.0f))
                .body("[1].significant", equalTo(true));
    }

    @Test
    void runDetailHasExitsCountersLatenciesAndWorkload() {
        String id = AnalysisViewsTest.id(3, 8, true);
        given().get("/api/runs/{id}", id)
                .then()
                .statusCode(200)
                .body("run_id", equalTo(id))
                .body("sweep_id", equalTo(SWEEP))
                .body("seed", equalTo(3))
                .body("parameters.pcpus", equalTo(8))
                .body("parameters.overcommit", equalTo(4.0f))
                .body("parameters.ipi_tracking_enabled", equalTo(true))
                .body("parameters.enable_apicv", equalTo(false))
                .body("exits", hasSize(2))
                .body("exits[0].reason", equalTo("PAUSE_INSTRUCTION"))
                .body("exits[0].samples", equalTo(8000))
                .body("counters.ple_exits", equalTo(8000))
                .body("latencies.ipi.p99_ns", equalTo(9000))
                .body("latencies.keySet()", hasSize(4))
                .body("workload.iterations_per_sec", equalTo(1103.0f))
                .body("scenario.kvm.ipi_window_ns", equalTo(50000000))
                .body("derived.overcommit", equalTo(4.0f));
    }

    @Test
    void anUnknownRunIsAProblem404() {
        given().get("/api/runs/{id}", "no-such-run")
                .then()
                .statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(404))
                .body("title", equalTo("Not Found"))
                .body("detail", equalTo("No result is stored for run no-such-run"))
                .body("instance", equalTo("/api/runs/no-such-run"));
        given().get("/api/sweeps/{id}/summary", "no-such-sweep")
                .then()
                .statusCode(404)
                .contentType(startsWith("application/problem+json"));
        given().get("/api/sweeps/{id}/runs.csv", "no-such-sweep")
                .then()
                .statusCode(404)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void runsCsvHasAHeaderAndOneRowPerRun() {
        String csv = given().get("/api/sweeps/{id}/runs.csv", SWEEP)
                .then()
                .statusCode(200)
                .contentType(startsWith("text/csv"))
                .extract()
                .asString();
        List<String> lines = Arrays.asList(csv.split("\r\n"));
        assertThat(lines).hasSize(1 + 15); // 12 paired runs, one unpaired, two with the series partly on
        List<String> header = Arrays.asList(lines.get(0).split(","));
        assertThat(header)
                .startsWith("run_id", "sweep_id", "attempt", "seed", "vms", "vcpus_per_vm", "pcpus", "overcommit")
                .contains("ipi_tracking_enabled", "workload_mix", "iterations_per_sec", "exits_per_sec", "ple_exits");
        String row = lines.stream()
                .filter(l -> l.startsWith(AnalysisViewsTest.id(1, 16, false) + ","))
                .findFirst()
                .orElseThrow();
        List<String> cells = Arrays.asList(row.split(",", -1));
        assertThat(cells).hasSize(header.size());
        assertThat(cells.get(header.indexOf("overcommit"))).isEqualTo("2.0000");
        assertThat(cells.get(header.indexOf("ipi_tracking_enabled"))).isEqualTo("false");
        assertThat(cells.get(header.indexOf("iterations_per_sec"))).isEqualTo("1000");
        assertThat(cells.get(header.indexOf("exits_per_sec"))).isEqualTo("12000");
    }
}
