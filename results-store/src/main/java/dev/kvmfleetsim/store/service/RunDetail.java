package dev.kvmfleetsim.store.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.store.persistence.RunParameters;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** One stored run as GET /api/runs/{runId} returns it (snake_case JSON). Times in ns. */
public record RunDetail(
        String runId,
        String sweepId,
        int attempt,
        long seed,
        String modelVersion,
        String hostSimInstance,
        RunParameters parameters,
        long measuredNs,
        long eventsProcessed,
        long wallMillis,
        OffsetDateTime receivedAt,
        List<Exit> exits,
        Map<String, Long> counters,
        Map<String, Latency> latencies,
        Workload workload,
        JsonNode derived,
        JsonNode scenario) {

    /** One line of perf kvm stat report. */
    public record Exit(
            String reason,
            int vmxCode,
            long samples,
            double samplesPct,
            double timePct,
            long minNs,
            long maxNs,
            double meanNs) {}

    /** A latency distribution's summary. */
    public record Latency(long count, double meanNs, long p50Ns, long p90Ns, long p99Ns, long p999Ns, long maxNs) {}

    /** The guest workload's throughput and cost. */
    public record Workload(long iterations, double iterationsPerSec, double spinFraction, double stealFraction) {}
}
