package dev.kvmfleetsim.hostsim.model.scenario;

import dev.kvmfleetsim.hostsim.model.yield.DirectedYieldParams;
import java.util.List;

/**
 * The directed-yield series (kvm-model §5, §6) as one switch: the one place that names its four parameters. On is the
 * series at its defaults (IPI tracking, patch 06; {@code YIELD_TO_LAG_CREDIT}, patches 01 to 05; the IPI-aware
 * strict pass, patch 09; the relaxed fallback, patch 10), off is upstream. Code that flips the series calls {@link
 * Scenario#withSeries(boolean)}; code that works on scenario files as JSON trees sets {@link #SWITCHES}.
 */
public final class Series {
    /** The four switches by their paths in the scenario file format (docs/scenario-format.md). */
    public static final List<String> SWITCHES = List.of(
            "kvm.ipi_tracking_enabled",
            "sched.eevdf_lag_credit",
            "directed_yield.ipi_aware_candidates",
            "directed_yield.enable_relaxed_boost");

    private Series() {}

    /** The scenario with all four switches set to {@code on}; every other parameter unchanged. */
    static Scenario apply(Scenario s, boolean on) {
        KvmParams k = s.kvm();
        KvmParams kvm = new KvmParams(
                k.enableApicv(),
                k.enableIpiv(),
                k.x2apic(),
                k.pvSendIpi(),
                k.ipiFastpath(),
                k.ioapicEoiFix(),
                k.vectorHashing(),
                on,
                k.ipiWindowNs(),
                k.ipiEoiClearMode());
        DirectedYieldParams y = s.directedYield();
        DirectedYieldParams directedYield = new DirectedYieldParams(on, on, y.readyBoost(), y.queueHeadBoost());
        return new Scenario(
                s.name(),
                s.seed(),
                s.durationNs(),
                s.warmupNs(),
                s.host(),
                s.vms(),
                kvm,
                s.costs(),
                s.guest(),
                s.ipis(),
                s.devices(),
                s.msis(),
                s.ioapicWrites(),
                s.sched().withLagCredit(on),
                s.ple(),
                s.haltPoll(),
                directedYield,
                s.workload());
    }
}
