package dev.kvmfleetsim.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.DetailLevel;
import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.ModelResult;
import dev.kvmfleetsim.contract.ModelResult.ExitRow;
import dev.kvmfleetsim.contract.ModelResult.LatencySummary;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.TraceEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Messages for the tests: a real simulated result, hand-made results with chosen throughput, event batches. The store
 * reads only the contract, so its real result is fleet-contract's wire sample of a host-sim run (2 VMs x 4 vCPUs on 4
 * pCPUs, dedup-like, 20 ms) rather than a run of the model.
 */
final class StoreFixtures {
    /** fleet-contract's wire sample (surefire runs in this module's directory). */
    private static final Path RUN_RESULT_SAMPLE = Path.of("../fleet-contract/src/test/resources/wire/run-result.json");

    private static final RunResult SAMPLE = readSample();

    private StoreFixtures() {}

    private static RunResult readSample() {
        try {
            return ContractJson.read(Files.readAllBytes(RUN_RESULT_SAMPLE), RunResult.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sample's result of a real run, as a host-sim published it, under another run id. */
    static RunResult simulated(String runId, String sweepId, int attempt) {
        return new RunResult(
                ContractVersion.CURRENT,
                runId,
                sweepId,
                attempt,
                SAMPLE.seed(),
                "0.1.0-test",
                "host-sim-t",
                SAMPLE.scenario(),
                SAMPLE.result(),
                7);
    }

    /**
     * A hand-made result of a dedup-like run with the given switches and throughput (1 s measured, 2 VMs x 16 vCPUs on
     * {@code pcpus} pCPUs). {@code tracking} turns the whole directed-yield series on or off, as a sweep's
     * {@code ipi_tracking_enabled} axis does.
     */
    static RunResult made(
            String runId, String sweepId, long seed, int pcpus, long windowNs, boolean tracking, double ips) {
        return made(runId, sweepId, seed, pcpus, windowNs, tracking, tracking, ips);
    }

    /**
     * As {@link #made(String, String, long, int, long, boolean, double)}, but with the series only partly on when
     * {@code lagCredit} differs from {@code tracking}: {@code sched.eevdf_lag_credit} is set apart from the other three
     * switches.
     */
    static RunResult made(
            String runId,
            String sweepId,
            long seed,
            int pcpus,
            long windowNs,
            boolean tracking,
            boolean lagCredit,
            double ips) {
        // The sample's scenario has every field a host-sim writes; these are the ones this result differs in.
        ObjectNode scenario = SAMPLE.scenario().deepCopy();
        scenario.put("name", "made")
                .put("seed", seed)
                .put("duration_ns", 1_000_000_000L)
                .put("warmup_ns", 0L);
        scenario.putArray("ipis");
        ((ObjectNode) scenario.get("host")).put("pcpus", pcpus);
        ((ObjectNode) scenario.get("vms")).put("count", 2).put("vcpus", 16);
        ((ObjectNode) scenario.get("kvm"))
                .put("ipi_tracking_enabled", tracking)
                .put("ipi_window_ns", windowNs)
                .put("enable_apicv", false);
        ((ObjectNode) scenario.get("sched")).put("eevdf_lag_credit", lagCredit);
        ((ObjectNode) scenario.get("directed_yield"))
                .put("ipi_aware_candidates", tracking)
                .put("enable_relaxed_boost", tracking);
        ((ObjectNode) scenario.get("workload")).put("mix", "dedup_like");
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
        ModelResult sim = new ModelResult(
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
                new ModelResult.WorkloadSummary("dedup_like", (long) ips, ips, lat, 0.2, 0.3),
                123_456);
        return new RunResult(
                ContractVersion.CURRENT, runId, sweepId, 1, seed, "0.1.0-test", "host-sim-t", scenario, sim, 5);
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
