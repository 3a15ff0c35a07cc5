package dev.kvmfleetsim.contract;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model's outcome of one run as the contract carries it in {@link RunResult#result()}: the {@code perf kvm stat
 * report} table, KVM-named counters and latency distributions, for all VMs together. Owned by the contract, so a
 * change to the model's own result record is not a wire change; host-sim maps the model's result onto it. Times are
 * integer ns of simulated time (means are fractional ns), measured after the warm-up.
 *
 * @param scenario the scenario's name
 * @param seed the run's seed
 * @param measuredNs simulated time over which statistics were recorded (duration minus warm-up), ns
 * @param vms VM count
 * @param vcpusPerVm vCPUs per VM
 * @param pcpus host pCPUs
 * @param exits one row per exit reason that occurred, most samples first
 * @param counters KVM statistics by their debugfs names ({@code exits}, {@code halt_exits}, {@code spin_yield_*},
 *     ...), counts
 * @param ipiLatency ICR write by the sender to the start of the receiver's handler
 * @param deviceLatency device line assertion, IOAPIC re-injection or MSI to the start of the handler
 * @param ipiSendCost sender time per IPI operation (its exits, or its virtualized writes)
 * @param derived quantities computed from parameters ({@code overcommit}, {@code pv_ipi_crossover_targets}, ...),
 *     unit as their names say
 * @param workload the guest workload's throughput, latency, spin and steal time
 * @param eventsProcessed discrete events the engine executed
 */
public record ModelResult(
        String scenario,
        long seed,
        long measuredNs,
        int vms,
        int vcpusPerVm,
        int pcpus,
        List<ExitRow> exits,
        Map<String, Long> counters,
        LatencySummary ipiLatency,
        LatencySummary deviceLatency,
        LatencySummary ipiSendCost,
        Map<String, Double> derived,
        WorkloadSummary workload,
        long eventsProcessed) {

    public ModelResult {
        // Copies that keep the order: the JSON writes maps in iteration order, and the wire samples pin it.
        exits = exits == null ? null : List.copyOf(exits);
        counters = counters == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(counters));
        derived = derived == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(derived));
    }

    /**
     * One line of {@code perf kvm stat report}.
     *
     * @param reason the exit reason's name ({@code MSR_WRITE}, {@code HLT}, ...)
     * @param vmxCode its VMX basic exit reason number
     * @param samples exits of this reason
     * @param samplesPct share of all exits, percent
     * @param timePct share of all time out of the guest, percent
     * @param minNs shortest, ns
     * @param maxNs longest, ns
     * @param meanNs average, ns
     */
    public record ExitRow(
            String reason,
            int vmxCode,
            long samples,
            double samplesPct,
            double timePct,
            long minNs,
            long maxNs,
            double meanNs) {}

    /**
     * A latency distribution's summary (HdrHistogram, 3 significant digits); all values in ns but the count.
     *
     * @param count observations
     * @param meanNs mean
     * @param p50Ns median
     * @param p90Ns 90th percentile
     * @param p99Ns 99th percentile
     * @param p999Ns 99.9th percentile
     * @param maxNs largest
     */
    public record LatencySummary(
            long count, double meanNs, long p50Ns, long p90Ns, long p99Ns, long p999Ns, long maxNs) {}

    /**
     * What the guests got done and what it cost them.
     *
     * @param mix the workload mix ({@code none} without a workload loop)
     * @param iterations loop iterations completed, all VMs
     * @param iterationsPerSec iterations per second of measured simulated time, all VMs
     * @param iterationLatency one iteration on one vCPU, start to end, waits included
     * @param spinFraction share of all vCPUs' time spent in PAUSE loops, 0 to 1
     * @param stealFraction share of all vCPUs' time runnable but not running, 0 to 1
     */
    public record WorkloadSummary(
            String mix,
            long iterations,
            double iterationsPerSec,
            LatencySummary iterationLatency,
            double spinFraction,
            double stealFraction) {}

    /** The row of one exit reason, if any exit of it occurred. */
    public Optional<ExitRow> exit(String reason) {
        return exits.stream().filter(r -> r.reason().equals(reason)).findFirst();
    }

    /** Samples of one exit reason (0 if none). */
    public long exitSamples(String reason) {
        return exit(reason).map(ExitRow::samples).orElse(0L);
    }

    /** A counter's value (0 if absent). */
    public long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }
}
