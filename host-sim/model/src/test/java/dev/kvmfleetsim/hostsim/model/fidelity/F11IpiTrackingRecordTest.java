package dev.kvmfleetsim.hostsim.model.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.ipi.EoiClearMode;
import dev.kvmfleetsim.hostsim.model.ipi.IpiTracker;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * F11 recording rules (kvm-model §9, §5.6; seeds 000 and 001): patch 07 records a unicast fixed no-shorthand IPI
 * accepted by exactly one other vCPU, in the delivery path KVM runs in software, and nothing else.
 */
class F11IpiTrackingRecordTest {
    private static String ipis(String kvm, String guest, String source) {
        return """
                {
                  "name": "f11",
                  "seed": 9,
                  "duration_ns": 20000000,
                  "vms": { "count": 1, "vcpus": 8 },
                  "kvm": { %s },
                  "guest": { "idle_ns_mean": 0 %s },
                  "ipis": [ { "senders": [0], "rate_per_sec": 5000, "handler_ns": 1000, %s } ]
                }
                """.formatted(kvm, guest, source);
    }

    private static final String APICV_OFF = "\"x2apic\": true, \"enable_apicv\": false";

    private static long records(String kvm, String guest, String source) {
        SimulationResult r = Fixtures.run(ipis(kvm, guest, source));
        assertThat(r.counter("ipis_sent")).as("the pattern sent something").isGreaterThan(20);
        return r.counter("ipi_tracking_records");
    }

    @Test
    @DisplayName("F11: a unicast fixed physical IPI is recorded, once per send")
    void unicastFixedIsRecorded() {
        SimulationResult r = Fixtures.run(ipis(APICV_OFF, "", "\"pattern\": \"unicast\""));
        assertThat(r.counter("ipi_tracking_records")).isEqualTo(r.counter("ipis_sent"));
    }

    @Test
    @DisplayName("F11: nothing is recorded for broadcast, lowest priority, self, NMI or multi-target writes")
    void otherKindsAreNotRecorded() {
        assertThat(records(APICV_OFF, "", "\"pattern\": \"broadcast\""))
                .as("broadcast shorthand")
                .isZero();
        assertThat(records(APICV_OFF, "", "\"pattern\": \"unicast\", \"delivery\": \"lowest\""))
                .as("lowest priority")
                .isZero();
        assertThat(records(APICV_OFF, "", "\"pattern\": \"self\""))
                .as("self-IPI")
                .isZero();
        assertThat(records(APICV_OFF, "", "\"pattern\": \"unicast\", \"delivery\": \"nmi\""))
                .as("NMI")
                .isZero();
        assertThat(records(
                        APICV_OFF, ", \"apic_addressing\": \"cluster\"", "\"pattern\": \"multicast\", \"fanout\": 4"))
                .as("one logical write accepted by several vCPUs")
                .isZero();
    }

    @Test
    @DisplayName("F11: nothing is recorded for PV send-IPI, IOAPIC or MSI deliveries, or with IPIv")
    void paravirtualDeviceAndIpivDeliveriesAreNotRecorded() {
        assertThat(records(APICV_OFF + ", \"pv_send_ipi\": true", "", "\"pattern\": \"multicast\", \"fanout\": 3"))
                .as("PV send-IPI")
                .isZero();
        assertThat(records(
                        "\"x2apic\": true, \"enable_apicv\": true, \"enable_ipiv\": true",
                        "",
                        "\"pattern\": \"unicast\""))
                .as("IPIv")
                .isZero();
        SimulationResult devices = Fixtures.run("""
                {
                  "duration_ns": 20000000,
                  "vms": { "count": 1, "vcpus": 4 },
                  "kvm": { "enable_apicv": false },
                  "devices": [ { "pin": 9, "vector": "0x61", "dest_apic_id": 2, "rate_per_sec": 5000 } ],
                  "msis": [ { "vector": "0x62", "dest_apic_id": 3, "rate_per_sec": 5000 } ]
                }
                """);
        assertThat(devices.deviceLatency().count()).isGreaterThan(100);
        assertThat(devices.counter("ipi_tracking_records")).isZero();
    }

    @Test
    @DisplayName("F11: with APICv but no IPIv the send is recorded but never cleared by EOI; without APICv it is")
    void apicvRecordsButNeverClearsOnEoi() {
        String unicast = "\"pattern\": \"unicast\"";
        SimulationResult apicv =
                Fixtures.run(ipis("\"x2apic\": true, \"enable_apicv\": true, \"enable_ipiv\": false", "", unicast));
        assertThat(apicv.counter("ipi_tracking_records")).isEqualTo(apicv.counter("ipis_sent"));
        assertThat(apicv.counter("ipi_tracking_eoi_clears")).isZero();

        // Trapped EOIs only: a PV EOI is not seen by patch 08's hook (review M6), so it would not clear either.
        SimulationResult noApicv = Fixtures.run(ipis(APICV_OFF, ", \"pv_eoi\": false", unicast));
        assertThat(noApicv.counter("ipi_tracking_eoi_clears")).isGreaterThan(noApicv.counter("ipis_sent") / 2);
    }

    @Test
    @DisplayName("F11: tracking switched off records nothing")
    void trackingOffRecordsNothing() {
        assertThat(records(APICV_OFF + ", \"ipi_tracking_enabled\": false", "", "\"pattern\": \"unicast\""))
                .isZero();
    }

    @Test
    @DisplayName("F11: a record expires after ipi_window_ns (50 ms) unless an EOI clears it first")
    void recordExpiresAfterTheWindowAndEoiClearsItEarlier() {
        IpiTracker t = new IpiTracker(4, true, 50_000_000L, EoiClearMode.V3_INFERRED);
        long irq = Icr.fixedPhysical(0xfb, 2);
        assertThat(t.onDelivered(0, irq, 1, 2, 1_000L)).isTrue();
        assertThat(t.isIpiReceiver(0, 2, 1_000L + 50_000_000L))
                .as("inside the window")
                .isTrue();
        assertThat(t.isIpiReceiver(0, 2, 1_000L + 50_000_001L))
                .as("after the window")
                .isFalse();

        assertThat(t.onDelivered(1, Icr.fixedPhysical(0xfc, 3), 1, 3, 2_000L)).isTrue();
        assertThat(t.onEoi(3, 0xfb, 3_000L))
                .as("EOI of another vector does not clear (v3)")
                .isFalse();
        assertThat(t.isIpiReceiver(1, 3, 3_000L)).isTrue();
        assertThat(t.onEoi(3, 0xfc, 4_000L))
                .as("EOI of the recorded vector clears")
                .isTrue();
        assertThat(t.isIpiReceiver(1, 3, 4_000L)).isFalse();
    }
}
