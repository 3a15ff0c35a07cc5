package dev.kvmfleetsim.hostsim.service.run;

import dev.kvmfleetsim.contract.ModelResult;
import dev.kvmfleetsim.hostsim.model.SimulationResult;

/**
 * Maps the model's {@link SimulationResult} onto the contract's {@link ModelResult}, field by field: the one place
 * where a change to the model's result meets the wire format. Stateless.
 */
public final class ResultMapper {
    /**
     * Fields of the model's result that the wire does not carry, in their JSON spelling: the per-vCPU and per-yield
     * detail a single run's CLI output shows (docs/scenario-format.md, "The result"). A sweep's analysis works on the
     * aggregates; a run that needs the detail is re-run locally with the same seed. Adding one to the wire is a
     * contract change (a new optional field, or a schema version).
     */
    public static final java.util.Set<String> NOT_ON_THE_WIRE =
            java.util.Set.of("vcpu_details", "ple_window", "halt_poll_window", "yields");

    private ResultMapper() {}

    /** The contract's copy of a model result; lists and maps keep their order (the JSON does too). */
    public static ModelResult toContract(SimulationResult r) {
        return new ModelResult(
                r.scenario(),
                r.seed(),
                r.measuredNs(),
                r.vms(),
                r.vcpusPerVm(),
                r.pcpus(),
                r.exits().stream().map(ResultMapper::exit).toList(),
                r.counters(),
                latency(r.ipiLatency()),
                latency(r.deviceLatency()),
                latency(r.ipiSendCost()),
                r.derived(),
                workload(r.workload()),
                r.eventsProcessed());
    }

    private static ModelResult.ExitRow exit(SimulationResult.ExitRow e) {
        return new ModelResult.ExitRow(
                e.reason(), e.vmxCode(), e.samples(), e.samplesPct(), e.timePct(), e.minNs(), e.maxNs(), e.meanNs());
    }

    private static ModelResult.LatencySummary latency(SimulationResult.LatencySummary l) {
        return l == null
                ? null
                : new ModelResult.LatencySummary(
                        l.count(), l.meanNs(), l.p50Ns(), l.p90Ns(), l.p99Ns(), l.p999Ns(), l.maxNs());
    }

    private static ModelResult.WorkloadSummary workload(SimulationResult.WorkloadSummary w) {
        return w == null
                ? null
                : new ModelResult.WorkloadSummary(
                        w.mix(),
                        w.iterations(),
                        w.iterationsPerSec(),
                        latency(w.iterationLatency()),
                        w.spinFraction(),
                        w.stealFraction());
    }
}
