package dev.kvmfleetsim.hostsim.model.fidelity;

import dev.kvmfleetsim.hostsim.model.ModelEventSink;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Scenarios for the fidelity tests, written as scenario files so that they read like what a user would run. */
final class Fixtures {
    private Fixtures() {}

    static Scenario scenario(String json) {
        return ScenarioJson.read(json, false);
    }

    static SimulationResult run(String json) {
        return Simulator.run(scenario(json));
    }

    static SimulationResult run(String json, ModelEventSink sink) {
        return Simulator.run(scenario(json), sink);
    }

    /** A scenario shipped in examples/scenarios (tests run in host-sim/model). */
    static String example(String file) {
        try {
            return Files.readString(Path.of("../../examples/scenarios").resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One sender (vCPU 0) sends unicast IPIs to one receiver (vCPU 1); both always busy (never idle), so the
     * receiver is running in guest mode when IPIs arrive. The host runs {@code nohz_full} (isolated CPUs, as IPI
     * microbenchmarks are run), so that the only exits are the IPIs' own, not host timer ticks. PV EOI is off: the
     * checks count the trapped EOI path of §1.5 (PV EOI has its own rows in IrqInjectionTest and F5).
     */
    static String unicast(boolean x2apic, boolean apicv, boolean ipiv, boolean fastpath) {
        return """
                {
                  "name": "unicast-0-to-1",
                  "seed": 11,
                  "duration_ns": 50000000,
                  "host": { "nohz_full": true },
                  "vms": { "count": 1, "vcpus": 2 },
                  "kvm": { "x2apic": %s, "enable_apicv": %s, "enable_ipiv": %s, "ipi_fastpath": %s },
                  "guest": { "idle_ns_mean": 0, "pv_eoi": false },
                  "ipis": [ { "pattern": "unicast", "senders": [0], "targets": [1], "rate_per_sec": 2000,
                              "vector": "0xfb", "handler_ns": 2000 } ]
                }
                """.formatted(x2apic, apicv, ipiv, fastpath);
    }
}
