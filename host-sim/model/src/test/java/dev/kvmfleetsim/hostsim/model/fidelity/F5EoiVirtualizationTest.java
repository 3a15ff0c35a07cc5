package dev.kvmfleetsim.hostsim.model.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.testing.ExitLog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * F5 (kvm-model §9, §1.11, §2.3): with APICv an IPI's EOI is free and a level-triggered IOAPIC vector's EOI exits once
 * (EOI_INDUCED), clearing remote IRR and re-delivering a still-asserted line at once, except that every 10,000th
 * successive re-delivery waits 10 ms. Without APICv every EOI exits.
 */
class F5EoiVirtualizationTest {
    private static String device(boolean apicv, boolean deassert, long durationNs) {
        return device(apicv, deassert, durationNs, false);
    }

    private static String device(boolean apicv, boolean deassert, long durationNs, boolean pvEoi) {
        return """
                {
                  "name": "level-device",
                  "seed": 3,
                  "duration_ns": %d,
                  "vms": { "count": 1, "vcpus": 2 },
                  "kvm": { "x2apic": true, "enable_apicv": %s },
                  "guest": { "idle_ns_mean": 0, "pv_eoi": %s },
                  "ipis": [ { "pattern": "unicast", "senders": [1], "targets": [0], "rate_per_sec": 3000,
                              "vector": "0xfb", "handler_ns": 1000 } ],
                  "devices": [ { "pin": 11, "vector": "0x51", "level": true, "dest_apic_id": 0,
                                 "rate_per_sec": 2000, "handler_ns": 3000, "deassert_in_handler": %s } ]
                }
                """.formatted(durationNs, apicv, pvEoi, deassert);
    }

    @Test
    @DisplayName("F5: APICv: IPI EOIs take 0 exits; each level IOAPIC EOI takes 1 EOI_INDUCED and re-arms the pin")
    void apicvEoiExitsOnlyForLevelIoapicVectors() {
        ExitLog log = new ExitLog();
        SimulationResult r = Fixtures.run(device(true, true, 100_000_000L), log);

        long deviceIrqs = r.deviceLatency().count();
        long ipis = r.ipiLatency().count();
        assertThat(ipis).isGreaterThan(100);
        // ~2000/s for 100 ms: remote IRR must be cleared by each EOI, or the second assertion would never deliver.
        assertThat(deviceIrqs).isBetween(120L, 280L);
        assertThat(log.count(0, ExitReason.EOI_INDUCED)).isEqualTo(deviceIrqs);
        assertThat(r.counter("ioapic_eois")).isEqualTo(deviceIrqs);
        assertThat(log.count(0, ExitReason.MSR_WRITE))
                .as("no EOI exits for IPIs")
                .isZero();
    }

    @Test
    @DisplayName("F5: without APICv every EOI exits, IPI vectors included")
    void withoutApicvEveryEoiExits() {
        ExitLog log = new ExitLog();
        SimulationResult r = Fixtures.run(device(false, true, 100_000_000L), log);
        long handled = r.deviceLatency().count() + r.ipiLatency().count();
        assertThat(handled).isGreaterThan(300);
        assertThat(log.count(0, ExitReason.MSR_WRITE))
                .as("x2APIC EOI MSR writes")
                .isEqualTo(handled);
        assertThat(log.count(0, ExitReason.EOI_INDUCED)).isZero();
    }

    @Test
    @DisplayName("F5 with PV EOI (QEMU's default): without APICv only the level IOAPIC vector's EOIs and those of "
            + "interrupts whose handler was interrupted by an exit still exit")
    void pvEoiSparesTheEdgeVectorsEoiExits() {
        ExitLog log = new ExitLog();
        SimulationResult r = Fixtures.run(device(false, true, 100_000_000L, true), log);
        long handled = r.deviceLatency().count() + r.ipiLatency().count();
        long pv = r.counter("pv_eois");
        assertThat(pv)
                .as("IPI EOIs through the PV flag")
                .isGreaterThan(r.ipiLatency().count() / 2);
        assertThat(pv)
                .as("never the IOAPIC's level vector")
                .isLessThanOrEqualTo(r.ipiLatency().count());
        assertThat(log.count(0, ExitReason.MSR_WRITE)).as("the other EOIs exit").isEqualTo(handled - pv);
    }

    @Test
    @DisplayName("F5: a line that stays asserted is re-delivered at every EOI, 10 ms deferral every 10,000")
    void stormIsThrottledEveryTenThousandReDeliveries() {
        ExitLog log = new ExitLog();
        Fixtures.run(device(true, false, 150_000_000L), log);
        List<Long> eois = log.times(0, ExitReason.EOI_INDUCED);
        assertThat(eois.size()).isGreaterThan(20_000);

        List<Integer> burstLengths = new ArrayList<>();
        int burst = 0;
        for (int i = 1; i < eois.size(); i++) {
            burst++;
            long gap = eois.get(i) - eois.get(i - 1);
            if (gap >= 9_000_000L) {
                assertThat(gap).as("deferral of HZ/100").isBetween(10_000_000L, 10_100_000L);
                burstLengths.add(burst);
                burst = 0;
            } else {
                assertThat(gap).as("immediate re-delivery").isLessThan(200_000L);
            }
        }
        assertThat(burstLengths).hasSizeGreaterThanOrEqualTo(2);
        // The first burst starts with the original delivery; later bursts are exactly 10,000 re-deliveries long.
        assertThat(burstLengths.subList(1, burstLengths.size())).allMatch(n -> n == 10_000);
    }
}
