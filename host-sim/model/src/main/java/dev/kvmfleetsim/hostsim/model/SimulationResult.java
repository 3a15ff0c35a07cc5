package dev.kvmfleetsim.hostsim.model;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one run: the {@code perf kvm stat report} table, KVM-named counters and latency distributions, for
 * all VMs together. Times in ns, measured after the warm-up.
 *
 * @param scenario the scenario's name
 * @param seed the run's seed
 * @param measuredNs simulated time over which statistics were recorded (duration minus warm-up)
 * @param vms VM count
 * @param vcpusPerVm vCPUs per VM
 * @param pcpus host pCPUs
 * @param exits one row per exit reason that occurred, most samples first
 * @param counters KVM statistics by name ({@code exits}, {@code halt_exits}, ...)
 * @param ipiLatency ICR write by the sender to the start of the receiver's handler
 * @param deviceLatency device line assertion, IOAPIC re-injection (level line still high at EOI) or MSI to the start
 *     of the handler
 * @param ipiSendCost sender time per IPI operation (its exits, or its virtualized writes)
 * @param derived quantities computed from parameters, such as the PV-IPI versus IPIv crossover
 * @param workload the guest workload's throughput, latency, spin and steal time
 * @param eventsProcessed discrete events the engine executed
 * @param vcpuDetails each vCPU's exits by reason and its final PLE and halt-poll windows (issue 12 item 7)
 * @param pleWindow the PLE window each PAUSE-loop exit reached, as spin time before the exit (ns)
 * @param haltPollWindow the halt-polling window at each HLT that polled or blocked (ns)
 * @param yields {@code kvm_vcpu_on_spin} outcomes by {@code cause:target_state} (lower case), e.g.
 *     {@code ipi_receiver:preempted_kernel}; {@code none:none} counts the spins that boosted nobody
 */
public record SimulationResult(
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
        long eventsProcessed,
        List<VcpuDetail> vcpuDetails,
        LatencySummary pleWindow,
        LatencySummary haltPollWindow,
        Map<String, Long> yields) {

    /**
     * One vCPU at the end of the run.
     *
     * @param vm VM index
     * @param vcpu vCPU index within the VM
     * @param pcpu the pCPU its thread is on
     * @param exits its exits by reason name (only reasons that occurred)
     * @param pleWindowCycles its PLE window ({@code vmcs.ple_window} / the pause filter count) at the end
     * @param haltPollNs its halt-polling window ({@code vcpu->halt_poll_ns}) at the end
     */
    public record VcpuDetail(
            int vm, int vcpu, int pcpu, Map<String, Long> exits, long pleWindowCycles, long haltPollNs) {}

    /**
     * What the guests got done and what it cost them.
     *
     * @param mix the workload mix ("none" without a workload loop)
     * @param iterations loop iterations completed (items out of the last pipeline stage), all VMs
     * @param iterationsPerSec iterations per second of measured time, all VMs
     * @param iterationLatency one iteration on one vCPU, start to end, waits included
     * @param spinFraction share of all vCPUs' time spent in PAUSE loops
     * @param stealFraction share of all vCPUs' time runnable but not running (steal time, run delay)
     */
    public record WorkloadSummary(
            String mix,
            long iterations,
            double iterationsPerSec,
            LatencySummary iterationLatency,
            double spinFraction,
            double stealFraction) {}

    /**
     * One line of {@code perf kvm stat report}.
     *
     * @param reason the exit reason's name
     * @param vmxCode its VMX basic exit reason number
     * @param samples exits of this reason
     * @param samplesPct share of all exits, in percent
     * @param timePct share of all time out of the guest, in percent
     * @param minNs shortest
     * @param maxNs longest
     * @param meanNs average
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
     * A latency distribution's summary, from an HdrHistogram with 3 significant digits.
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

    /** The row of one exit reason, if any exit of it occurred. */
    public java.util.Optional<ExitRow> exit(String reason) {
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
