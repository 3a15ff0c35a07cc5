package dev.kvmfleetsim.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.DetailLevel;
import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.TraceEvent;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.SimulationResult.ExitRow;
import dev.kvmfleetsim.hostsim.model.SimulationResult.LatencySummary;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Messages for the tests: a real simulated result, hand-made results with chosen throughput, event batches. */
final class StoreFixtures {
    /** 1 VM x 2 vCPUs for 5 ms with a unicast IPI stream: simulates in milliseconds. */
    static final String TINY_SCENARIO = """
            {"name": "tiny", "duration_ns": 5000000, "vms": {"count": 1, "vcpus": 2},
             "ipis": [{"pattern": "unicast", "rate_per_sec": 20000}]}""";

    private StoreFixtures() {}

    /** A result of Simulator.run on the tiny scenario, as a host-sim would publish it. */
    static RunResult simulated(String runId, String sweepId, int attempt) {
        var scenario = ScenarioJson.read(TINY_SCENARIO, false);
        SimulationResult sim = Simulator.run(scenario);
        JsonNode tree = ScenarioJson.mapper().valueToTree(scenario);
        return new RunResult(
                ContractVersion.CURRENT,
                runId,
                sweepId,
                attempt,
                scenario.seed(),
                "0.1.0-test",
                "host-sim-t",
                tree,
                sim,
                7);
    }

    /**
     * A hand-made result of a dedup-like run with the given switches and throughput (1 s measured, 2 VMs x 16 vCPUs on
     * {@code pcpus} pCPUs).
     */
    static RunResult made(
            String runId, String sweepId, long seed, int pcpus, long windowNs, boolean tracking, double ips) {
        String json = """
                {"name": "made", "seed": %d, "duration_ns": 1000000000,
                 "host": {"pcpus": %d}, "vms": {"count": 2, "vcpus": 16},
                 "kvm": {"ipi_tracking_enabled": %b, "ipi_window_ns": %d, "enable_apicv": false},
                 "sched": {"eevdf_lag_credit": %b},
                 "directed_yield": {"ipi_aware_candidates": %b, "enable_relaxed_boost": %b},
                 "workload": {"mix": "dedup_like"}}""".formatted(seed, pcpus, tracking, windowNs, tracking, tracking, tracking);
        var scenario = ScenarioJson.read(json, false);
        LatencySummary lat = new LatencySummary(1000, 2500.5, 2000, 4000, 9000, 15000, 20000);
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("exits", 12_000L);
        counters.put("ple_exits", 8_000L);
        counters.put("spin_yield_attempted", 8_000L);
        counters.put("spin_yield_successful", 6_000L);
        counters.put("spin_yield_ipi_receiver", tracking ? 3_000L : 0L);
        counters.put("spin_yield_pending_interrupt", tracking ? 1_000L : 0L);
        counters.put("spin_yield_plain", tracking ? 1_500L : 6_000L);
        counters.put("spin_yield_relaxed", tracking ? 500L : 0L);
        SimulationResult sim = new SimulationResult(
                "made",
                seed,
                1_000_000_000L,
                2,
                16,
                pcpus,
                List.of(
                        new ExitRow("PAUSE_INSTRUCTION", 40, 8_000, 66.7, 50.0, 500, 9000, 1200.0),
                        new ExitRow("MSR_WRITE", 32, 4_000, 33.3, 50.0, 480, 3000, 580.0)),
                counters,
                lat,
                new LatencySummary(0, 0.0, 0, 0, 0, 0, 0),
                lat,
                Map.of("overcommit", 32.0 / pcpus),
                new SimulationResult.WorkloadSummary("dedup_like", (long) ips, ips, lat, 0.2, 0.3),
                123_456);
        return new RunResult(
                ContractVersion.CURRENT,
                runId,
                sweepId,
                1,
                seed,
                "0.1.0-test",
                "host-sim-t",
                ScenarioJson.mapper().valueToTree(scenario),
                sim,
                5);
    }

    /** A batch of {@code exits} exits and {@code yields} yields, interleaved in time. */
    static EventBatch batch(String runId, int attempt, long sequence, int exits, int yields, boolean last) {
        List<TraceEvent.Exit> ex = new ArrayList<>(exits);
        for (int i = 0; i < exits; i++) {
            ex.add(new TraceEvent.Exit(1_000L * i, i % 2, i % 16, i % 3 == 0 ? "PAUSE_INSTRUCTION" : "MSR_WRITE", 580));
        }
        List<TraceEvent.Yield> ys = new ArrayList<>(yields);
        for (int i = 0; i < yields; i++) {
            ys.add(new TraceEvent.Yield(1_000L * i + 500, i % 2, i % 16, (i + 1) % 16, "IPI_RECEIVER", "NONE"));
        }
        return new EventBatch(ContractVersion.CURRENT, runId, attempt, sequence, DetailLevel.FULL, ex, ys, last);
    }
}
