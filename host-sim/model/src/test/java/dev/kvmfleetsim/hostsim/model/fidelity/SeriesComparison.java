package dev.kvmfleetsim.hostsim.model.fidelity;

import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;

/** Runs one workload with the whole directed-yield series on and off, over several seeds, and averages the change. */
final class SeriesComparison {
    /** Mean throughput gain and mean PLE-exit change of series on versus off, in percent. */
    record Change(double throughputGainPct, double pleChangePct) {}

    private SeriesComparison() {}

    static Change compare(String mix, int vms, int vcpus, int pcpus, long durationNs, int seeds) {
        double gain = 0;
        double ple = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            Scenario base = Fixtures.scenario(scenario(mix, vms, vcpus, pcpus, durationNs, seed));
            SimulationResult on = Simulator.run(base.withSeries(true));
            SimulationResult off = Simulator.run(base.withSeries(false));
            gain += 100 * (on.workload().iterationsPerSec() / off.workload().iterationsPerSec() - 1);
            ple += 100 * ((double) on.counter("ple_exits") / off.counter("ple_exits") - 1);
        }
        return new Change(gain / seeds, ple / seeds);
    }

    private static String scenario(String mix, int vms, int vcpus, int pcpus, long durationNs, int seed) {
        return """
                { "name": "%s", "seed": %d, "duration_ns": %d, "warmup_ns": %d, "host": {"pcpus": %d},
                  "vms": {"count": %d, "vcpus": %d},
                  "kvm": {"x2apic": true, "enable_apicv": false},
                  "workload": {"mix": "%s"} }
                """.formatted(mix, seed, durationNs, durationNs / 10, pcpus, vms, vcpus, mix);
    }
}
