package dev.kvmfleetsim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.testsupport.PostgresTestResource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

    /** 2 runs of 20 simulated ms with every event stored (detail FULL). */
    private static final String FULL_SWEEP = """
            {"name": "e2e-full-trace", "seed": 9, "repetitions": 1, "detail": "full",
             "base_scenario": {"duration_ns": 20000000, "host": {"pcpus": 8}, "vms": {"count": 2, "vcpus": 8},
                               "workload": {"mix": "dedup_like"}},
             "grid": {"ipi_tracking_enabled": [true, false]}}
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

    @Test
    void aFullDetailSweepStoresEveryEventOnceAndTheViewUnnestsThem() throws Exception {
        String sweepId = FLEET.postSweep(FULL_SWEEP);
        JsonNode sweep = FLEET.awaitSweepDone(sweepId, SWEEP_TIMEOUT);
        int total = sweep.path("progress").path("total").asInt();
        assertThat(total).isEqualTo(2);
        FLEET.awaitStoredRuns(sweepId, total);

        try (Connection c = DriverManager.getConnection(
                PostgresTestResource.jdbcUrl(), PostgresTestResource.USERNAME, PostgresTestResource.PASSWORD)) {
            long deadline = System.nanoTime() + Fleet.STORE_TIMEOUT.toNanos();
            // Every run's last batch is stored (a run's result may overtake its last batches on another partition).
            String lastBatches = "SELECT count(*) FROM store.event_batch b JOIN store.run_result r"
                    + " ON r.run_id = b.run_id AND r.attempt = b.attempt WHERE r.sweep_id = ? AND b.last";
            while (Long.parseLong(row(c, lastBatches, sweepId).split("\\|")[0]) < total) {
                assertThat(System.nanoTime()).as("last batches stored in time").isLessThan(deadline);
                Thread.sleep(200);
            }
            // Per run: as many events in v_run_trace as the stored batches announced, one trace_batch row per
            // batch, idx 0..n-1 without gaps in every batch, and both kinds with their fields.
            String sql = """
                    WITH runs AS (SELECT run_id, attempt FROM store.run_result WHERE sweep_id = ?),
                         batches AS (SELECT count(*) n, sum(event_count) events,
                                            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM store.trace_batch t
                                                                           WHERE t.batch_id = b.batch_id)) rows
                                     FROM store.event_batch b JOIN runs USING (run_id, attempt)),
                         events AS (SELECT count(*) n,
                                           count(*) FILTER (WHERE kind = 'exit' AND reason IS NOT NULL
                                                            AND duration_ns IS NOT NULL AND cause IS NULL) exits,
                                           count(*) FILTER (WHERE kind = 'yield' AND reason IS NULL AND target IS NOT NULL
                                                            AND cause IS NOT NULL AND failure IS NOT NULL) yields,
                                           count(DISTINCT (batch_id, idx)) keys
                                    FROM store.v_run_trace JOIN runs USING (run_id, attempt)),
                         gaps AS (SELECT count(*) n FROM (SELECT batch_id FROM store.v_run_trace
                                                          JOIN runs USING (run_id, attempt)
                                                          GROUP BY batch_id HAVING max(idx) + 1 <> count(*)
                                                              OR min(idx) <> 0) g)
                    SELECT batches.events = events.n, batches.n = batches.rows, events.n = events.exits + events.yields,
                           events.keys = events.n, gaps.n, events.exits > 0, events.n
                    FROM batches, events, gaps
                    """;
            String answer = row(c, sql, sweepId);
            assertThat(answer).as(answer).startsWith("t|t|t|t|0|t|");
            System.out.printf("fleet-e2e: FULL sweep %s stored and unnested %s%n", sweepId, answer);
        }
    }

    private static String row(Connection c, String sql, String arg) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                StringBuilder out = new StringBuilder();
                if (rs.next()) {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        out.append(rs.getString(i)).append('|');
                    }
                }
                return out.toString();
            }
        }
    }
}
