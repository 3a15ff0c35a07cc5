package dev.kvmfleetsim.hostsim.model.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.testing.ExitLog;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * F6 (kvm-model §9, §2.5; seed 002): a level IRQ with vector V is rerouted from vCPU A to B while in service on A,
 * then A reuses V for an MSI. Before the fix, every EOI of V on A keeps exiting (EOI_INDUCED at the MSI rate); after
 * it, exactly one more exit (the stale EOI) and then none.
 */
class F6StaleIoapicVectorTest {
    private static final long REROUTE_NS = 50_000_000L;
    private static final long MSI_START_NS = 60_000_000L;
    private static final long END_NS = 160_000_000L;

    private static String scenario(boolean fix) {
        // The device keeps A busy (long handler, line re-asserted at once) so that the reroute finds V in service.
        return """
                {
                  "name": "stale-ioapic-vector",
                  "seed": 21,
                  "duration_ns": %d,
                  "vms": { "count": 1, "vcpus": 2 },
                  "kvm": { "x2apic": true, "enable_apicv": true, "ioapic_eoi_fix": %s },
                  "guest": { "idle_ns_mean": 0 },
                  "devices": [ { "pin": 10, "vector": "0x41", "level": true, "dest_apic_id": 0,
                                 "rate_per_sec": 200000, "handler_ns": 100000 } ],
                  "ioapic_writes": [ { "at_ns": %d, "pin": 10, "dest_apic_id": 1 } ],
                  "msis": [ { "vector": "0x41", "dest_apic_id": 0, "rate_per_sec": 5000, "handler_ns": 2000,
                              "start_ns": %d } ]
                }
                """.formatted(END_NS, fix, REROUTE_NS, MSI_START_NS);
    }

    @Test
    @DisplayName("F6: without the fix, EOI_INDUCED exits on A follow the MSI rate indefinitely")
    void withoutFixStaleVectorKeepsExiting() {
        ExitLog log = new ExitLog();
        SimulationResult r = Fixtures.run(scenario(false), log);
        long staleWindowExits = log.count(0, ExitReason.EOI_INDUCED, MSI_START_NS, END_NS);
        // lambda = 5000/s over 100 ms: ~500 MSIs, each EOI exits.
        assertThat(staleWindowExits).isBetween(400L, 600L);
        // ...and they keep coming to the end of the run.
        assertThat(log.count(0, ExitReason.EOI_INDUCED, END_NS - 20_000_000L, END_NS))
                .isGreaterThan(50);
        assertThat(r.deviceLatency().count()).isGreaterThan(staleWindowExits);
    }

    @Test
    @DisplayName("F6: with ioapic_eoi_fix, exactly one more exit on A after the reroute, then none")
    void withFixOnlyTheStaleEoiExits() {
        ExitLog log = new ExitLog();
        Fixtures.run(scenario(true), log);
        // The precondition: V was in service on A when the reroute happened (it exits once more, for its EOI).
        assertThat(log.count(0, ExitReason.EOI_INDUCED, REROUTE_NS, END_NS)).isEqualTo(1);
        assertThat(log.count(0, ExitReason.EOI_INDUCED, MSI_START_NS, END_NS)).isZero();
        // B now handles the device and its EOIs exit as they should.
        assertThat(log.count(1, ExitReason.EOI_INDUCED, REROUTE_NS, END_NS)).isGreaterThan(500);
    }
}
