package dev.kvmfleetsim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline as it is deployed: a real Kafka broker and a real PostgreSQL (test-support), and the packaged
 * services ({@code <module>/target/quarkus-app/quarkus-run.jar}) as four JVM processes: results-store,
 * fleet-controller and two host-sims. A small sweep goes in over REST; every run must come out of the store exactly
 * once, done by both host-sims, with one on/off series per overcommit.
 */
class FleetPipelineE2ETest {

    private static final Duration SWEEP_TIMEOUT = Duration.ofSeconds(180);

    /** 2 series × 2 overcommits × 3 repetitions = 12 runs of 20 simulated ms each. */
    private static final String SWEEP = """
            {"name": "e2e-tracking-on-off", "seed": 7, "repetitions": 3, "detail": "aggregate",
             "base_scenario": {"duration_ns": 20000000, "host": {"pcpus": 16}, "vms": {"count": 1, "vcpus": 16},
                               "workload": {"mix": "dedup_like"}},
             "grid": {"ipi_tracking_enabled": [true, false], "overcommit": [1, 2]}}
            """;

    private static final Fleet FLEET = new Fleet(
            Path.of(System.getProperty("fleet.e2e.logs", "target/e2e-logs")).toAbsolutePath());

    @BeforeAll
    static void startFleet() throws Exception {
        FLEET.startInfrastructure();
        FLEET.start("results-store", "results-store", Map.of());
        FLEET.start("fleet-controller", "fleet-controller", Map.of());
        FLEET.start("host-sim-1", "host-sim/service", Map.of("HOST_SIM_INSTANCE_ID", "host-sim-1"));
        FLEET.start("host-sim-2", "host-sim/service", Map.of("HOST_SIM_INSTANCE_ID", "host-sim-2"));
        FLEET.awaitReady();
        FLEET.awaitBothHostSimsInTheRunsGroup();
    }

    @AfterAll
    static void stopFleet() {
        FLEET.stopAll();
    }

    @Test
    void everyRunOfASweepIsSimulatedAndStoredExactlyOnce() throws Exception {
        long started = System.nanoTime();
        Fleet.Service store = FLEET.service("results-store");

        String sweepId = FLEET.postSweep(SWEEP);

        JsonNode sweep = FLEET.awaitSweepDone(sweepId, SWEEP_TIMEOUT);
        int total = sweep.path("progress").path("total").asInt();
        assertThat(total).as("runs of the sweep").isEqualTo(12);
        assertThat(sweep.path("progress").path("done").asInt()).isEqualTo(total);

        List<Map<String, String>> rows = FLEET.awaitStoredRuns(sweepId, total);
        assertThat(rows).hasSize(total);
        Set<String> runIds = new HashSet<>();
        rows.forEach(row -> runIds.add(row.get("run_id")));
        assertThat(runIds).as("run ids are unique").hasSize(total);
        assertThat(rows).allSatisfy(row -> assertThat(row.get("run_id")).startsWith(sweepId + "-p"));
        assertThat(rows.get(0)).containsKey("host_sim_instance");
        Set<String> instances = new HashSet<>();
        rows.forEach(row -> instances.add(row.get("host_sim_instance")));
        assertThat(instances).as("host-sims that did runs").containsExactlyInAnyOrder("host-sim-1", "host-sim-2");

        JsonNode summary = Fleet.JSON.readTree(Fleet.get(store.url("/api/sweeps/" + sweepId + "/summary"), 200));
        assertThat(summary.isArray()).as(summary.toString()).isTrue();
        assertThat(summary).as(summary.toString()).hasSize(2);
        Set<Double> overcommits = new HashSet<>();
        for (JsonNode series : summary) {
            assertThat(series.path("n_pairs").asInt()).as(series.toString()).isEqualTo(3);
            overcommits.add(series.path("overcommit").asDouble());
        }
        assertThat(overcommits).containsExactlyInAnyOrder(1.0, 2.0);

        System.out.printf(
                "fleet-e2e: sweep %s, %d runs by %s, submitted to stored in %d ms%n",
                sweepId,
                total,
                instances,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }
}
