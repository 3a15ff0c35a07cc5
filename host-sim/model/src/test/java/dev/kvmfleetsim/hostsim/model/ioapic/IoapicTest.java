package dev.kvmfleetsim.hostsim.model.ioapic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.lapic.Lapic;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link Ioapic}: lines, remote IRR, EOI re-delivery, storm throttle, rescans (kvm-model §2). */
class IoapicTest {
    private static final int PIN = 10;
    private static final int VEC = 0x41;

    /** Records what the IOAPIC asks of the rest of the VM; {@link #result} is what each delivery returns. */
    private static final class FakeBus implements Ioapic.Bus {
        final List<Long> delivered = new ArrayList<>();
        final Set<Integer> scans = new TreeSet<>();
        final List<Long> delays = new ArrayList<>();
        int result = 1;

        @Override
        public int deliver(long irq) {
            delivered.add(irq);
            return result;
        }

        @Override
        public void requestScan(int vcpu) {
            scans.add(vcpu);
        }

        @Override
        public void scheduleEoiInject(long delayNs) {
            delays.add(delayNs);
        }
    }

    private FakeBus bus;
    private Ioapic ioapic;
    private Lapic[] lapics;

    @BeforeEach
    void setUp() {
        bus = new FakeBus();
        ioapic = new Ioapic(bus);
        lapics = new Lapic[4];
        for (int i = 0; i < lapics.length; i++) {
            lapics[i] = new Lapic(i, true);
        }
    }

    private void program(int pin, int vector, boolean level, long dest) {
        ioapic.writeEntry(pin, vector, Icr.DM_FIXED, Icr.DEST_PHYSICAL, dest, level, false, lapics);
        bus.scans.clear();
    }

    private static long[] bitmap() {
        return new long[4];
    }

    private static boolean has(long[] bitmap, int v) {
        return (bitmap[v >>> 6] & (1L << v)) != 0;
    }

    @Test
    void pinsAreMaskedAfterResetAndAMaskedPinDeliversNothing() {
        assertThat(ioapic.setIrq(3, true)).isEqualTo(-1);
        ioapic.writeEntry(PIN, VEC, Icr.DM_FIXED, Icr.DEST_PHYSICAL, 1, true, true, lapics);
        assertThat(ioapic.setIrq(PIN, true)).isEqualTo(-1);
        assertThat(bus.delivered).isEmpty();
        assertThat(ioapic.remoteIrr(PIN)).isFalse();
        assertThat(ioapic.deliveries()).isZero();
        assertThat(ioapic.lineAsserted(PIN))
                .as("the line state is still tracked")
                .isTrue();
    }

    @Test
    void edgeAssertDeliversTheRedirectionEntry() {
        program(PIN, 0x30, false, 2);
        assertThat(ioapic.setIrq(PIN, true)).isEqualTo(1);
        assertThat(bus.delivered).hasSize(1);
        long irq = bus.delivered.get(0);
        assertThat(Icr.vector(irq)).isEqualTo(0x30);
        assertThat(Icr.deliveryMode(irq)).isEqualTo(Icr.DM_FIXED);
        assertThat(Icr.destMode(irq)).isEqualTo(Icr.DEST_PHYSICAL);
        assertThat(Icr.dest(irq)).isEqualTo(2);
        assertThat(Icr.levelAssert(irq)).isTrue();
        assertThat(Icr.levelTriggered(irq)).isFalse();
        assertThat(Icr.shorthand(irq)).isEqualTo(Icr.SHORTHAND_NONE);
        assertThat(ioapic.remoteIrr(PIN))
                .as("edge entries never get remote IRR")
                .isFalse();
    }

    @Test
    void edgeAssertWhileLineIsHighIsCoalesced() {
        program(PIN, 0x30, false, 2);
        ioapic.setIrq(PIN, true);
        assertThat(ioapic.setIrq(PIN, true)).isZero();
        assertThat(bus.delivered).hasSize(1);
        assertThat(ioapic.coalesced()).isEqualTo(1);
        assertThat(ioapic.setIrq(PIN, false)).isEqualTo(1);
        assertThat(ioapic.lineAsserted(PIN)).isFalse();
        assertThat(ioapic.setIrq(PIN, true))
                .as("a new edge after the line dropped")
                .isEqualTo(1);
        assertThat(bus.delivered).hasSize(2);
    }

    @Test
    void levelAssertDeliversAndSetsRemoteIrr() {
        program(PIN, VEC, true, 1);
        bus.result = 1;
        assertThat(ioapic.setIrq(PIN, true)).isEqualTo(1);
        assertThat(bus.delivered).hasSize(1);
        assertThat(Icr.levelTriggered(bus.delivered.get(0))).isTrue();
        assertThat(Icr.levelAssert(bus.delivered.get(0))).isTrue();
        assertThat(ioapic.remoteIrr(PIN)).isTrue();
    }

    @Test
    void levelDeliveryThatNobodyAcceptsLeavesRemoteIrrClear() {
        program(PIN, VEC, true, 1);
        bus.result = 0;
        assertThat(ioapic.setIrq(PIN, true)).isZero();
        assertThat(ioapic.remoteIrr(PIN)).isFalse();
    }

    @Test
    void levelAssertWhileRemoteIrrIsSetIsNotDelivered() {
        program(PIN, VEC, true, 1);
        ioapic.setIrq(PIN, true);
        assertThat(ioapic.setIrq(PIN, true)).isEqualTo(-1);
        ioapic.setIrq(PIN, false);
        assertThat(ioapic.setIrq(PIN, true)).isEqualTo(-1);
        assertThat(bus.delivered).hasSize(1);
        assertThat(ioapic.coalesced())
                .as("level assertions are not edge-coalesced")
                .isZero();
    }

    @Test
    void levelEoiClearsRemoteIrrAndRedeliversAtOnceIfLineStillAsserted() {
        program(PIN, VEC, true, 1);
        ioapic.setIrq(PIN, true);
        ioapic.updateEoi(VEC, true);
        assertThat(bus.delivered).hasSize(2);
        assertThat(ioapic.remoteIrr(PIN)).as("set again by the re-delivery").isTrue();
        assertThat(bus.delays).isEmpty();
    }

    @Test
    void levelEoiAfterDeassertClearsRemoteIrrWithoutRedelivery() {
        program(PIN, VEC, true, 1);
        ioapic.setIrq(PIN, true);
        ioapic.setIrq(PIN, false);
        ioapic.updateEoi(VEC, true);
        assertThat(ioapic.remoteIrr(PIN)).isFalse();
        assertThat(bus.delivered).hasSize(1);
    }

    @Test
    void edgeEoiLeavesRemoteIrrAlone() {
        program(PIN, VEC, true, 1);
        ioapic.setIrq(PIN, true);
        ioapic.updateEoi(VEC, false);
        assertThat(ioapic.remoteIrr(PIN)).isTrue();
        assertThat(bus.delivered).hasSize(1);
    }

    @Test
    void eoiOfAnotherVectorLeavesThePinAlone() {
        program(PIN, VEC, true, 1);
        ioapic.setIrq(PIN, true);
        ioapic.updateEoi(VEC + 1, true);
        assertThat(ioapic.remoteIrr(PIN)).isTrue();
        assertThat(bus.delivered).hasSize(1);
    }

    @Test
    void eoiOfMaskedPinClearsRemoteIrrButDoesNotRedeliver() {
        program(PIN, VEC, true, 1);
        ioapic.setIrq(PIN, true);
        ioapic.writeEntry(PIN, VEC, Icr.DM_FIXED, Icr.DEST_PHYSICAL, 1, true, true, lapics);
        ioapic.updateEoi(VEC, true);
        assertThat(ioapic.remoteIrr(PIN)).isFalse();
        assertThat(bus.delivered).hasSize(1);
    }

    @Test
    void tenThousandthSuccessiveRedeliveryIsDeferredByTenMsAndTheCounterResets() {
        program(PIN, VEC, true, 1);
        ioapic.setIrq(PIN, true);
        for (int i = 1; i < Ioapic.SUCCESSIVE_IRQ_MAX_COUNT; i++) {
            ioapic.updateEoi(VEC, true);
        }
        assertThat(bus.delivered).as("1 + 9,999 immediate re-deliveries").hasSize(10_000);
        assertThat(bus.delays).isEmpty();

        ioapic.updateEoi(VEC, true);
        assertThat(bus.delays).containsExactly(10_000_000L);
        assertThat(bus.delivered).as("the 10,000th is not delivered now").hasSize(10_000);
        assertThat(ioapic.remoteIrr(PIN)).isFalse();
        assertThat(ioapic.delayedReinjections()).isEqualTo(1);

        ioapic.eoiInjectWork();
        assertThat(bus.delivered).hasSize(10_001);
        assertThat(ioapic.remoteIrr(PIN)).isTrue();

        // The counter restarted at zero: another 9,999 immediate re-deliveries before the next deferral.
        for (int i = 1; i < Ioapic.SUCCESSIVE_IRQ_MAX_COUNT; i++) {
            ioapic.updateEoi(VEC, true);
        }
        assertThat(bus.delays).hasSize(1);
        assertThat(bus.delivered).hasSize(20_000);
        ioapic.updateEoi(VEC, true);
        assertThat(bus.delays).containsExactly(Ioapic.STORM_DELAY_NS, Ioapic.STORM_DELAY_NS);
    }

    @Test
    void deassertBeforeEoiResetsTheSuccessiveCounter() {
        program(PIN, VEC, true, 1);
        ioapic.setIrq(PIN, true);
        for (int i = 0; i < 5_000; i++) {
            ioapic.updateEoi(VEC, true);
        }
        ioapic.setIrq(PIN, false);
        ioapic.updateEoi(VEC, true);
        assertThat(bus.delivered).as("no re-delivery once the line dropped").hasSize(5_001);
        assertThat(ioapic.remoteIrr(PIN)).isFalse();

        ioapic.setIrq(PIN, true);
        assertThat(bus.delivered).hasSize(5_002);
        for (int i = 1; i < Ioapic.SUCCESSIVE_IRQ_MAX_COUNT; i++) {
            ioapic.updateEoi(VEC, true);
        }
        assertThat(bus.delays)
                .as("had the counter not reset, it would have deferred after 5,000")
                .isEmpty();
        ioapic.updateEoi(VEC, true);
        assertThat(bus.delays).hasSize(1);
    }

    @Test
    void eoiInjectWorkServicesOnlyAssertedLevelPinsWithoutRemoteIrr() {
        program(PIN, VEC, true, 1);
        program(11, 0x42, false, 1);
        program(12, 0x43, true, 1);
        ioapic.setIrq(11, true); // edge: delivered once
        ioapic.setIrq(12, true); // level: delivered, remote IRR set
        bus.delivered.clear();
        ioapic.eoiInjectWork();
        assertThat(bus.delivered)
                .as("pin 10 line low, 11 edge, 12 remote IRR set")
                .isEmpty();
    }

    @Test
    void switchingEntryToEdgeClearsRemoteIrr() {
        program(PIN, VEC, true, 1);
        ioapic.setIrq(PIN, true);
        ioapic.writeEntry(PIN, VEC, Icr.DM_FIXED, Icr.DEST_PHYSICAL, 1, false, false, lapics);
        assertThat(ioapic.remoteIrr(PIN)).isFalse();
    }

    @Test
    void rewritingLevelEntryPreservesRemoteIrrAndDoesNotRedeliver() {
        program(PIN, VEC, true, 1);
        ioapic.setIrq(PIN, true);
        ioapic.retarget(PIN, 2, lapics);
        assertThat(ioapic.remoteIrr(PIN)).isTrue();
        assertThat(ioapic.destId(PIN)).isEqualTo(2);
        assertThat(ioapic.vector(PIN)).isEqualTo(VEC);
        assertThat(bus.delivered).hasSize(1);
    }

    @Test
    void unmaskingAssertedLevelPinServicesIt() {
        ioapic.writeEntry(PIN, VEC, Icr.DM_FIXED, Icr.DEST_PHYSICAL, 1, true, true, lapics);
        ioapic.setIrq(PIN, true);
        assertThat(bus.delivered).isEmpty();
        ioapic.writeEntry(PIN, VEC, Icr.DM_FIXED, Icr.DEST_PHYSICAL, 1, true, false, lapics);
        assertThat(bus.delivered).hasSize(1);
        assertThat(ioapic.remoteIrr(PIN)).isTrue();
    }

    @Test
    void writeEntryRequestsRescanOnOldAndNewFixedDestinations() {
        // The reset entry's destination is physical 0, so the first write rescans vCPU 0 too.
        ioapic.writeEntry(PIN, VEC, Icr.DM_FIXED, Icr.DEST_PHYSICAL, 1, true, false, lapics);
        assertThat(bus.scans).containsExactly(0, 1);
        bus.scans.clear();
        ioapic.retarget(PIN, 3, lapics);
        assertThat(bus.scans).containsExactly(1, 3);
        bus.scans.clear();
        ioapic.retarget(PIN, 3, lapics);
        assertThat(bus.scans).as("unchanged destination").containsExactly(3);
    }

    @Test
    void writeEntryWithLogicalDestinationRescansEveryMatchingVcpu() {
        program(PIN, VEC, true, 3);
        ioapic.writeEntry(PIN, VEC, Icr.DM_FIXED, Icr.DEST_LOGICAL, 0x0000_0005, true, false, lapics);
        // New: logical mask 0b0101 -> vCPUs 0 and 2. Old ID 3 is read in the new (logical) mode, as the kernel does:
        // mask 0b0011 -> vCPUs 0 and 1.
        assertThat(bus.scans).containsExactly(0, 1, 2);
    }

    @Test
    void writeEntryInNonFixedModeRescansAllVcpus() {
        program(PIN, VEC, true, 1);
        ioapic.writeEntry(PIN, VEC, Icr.DM_LOWEST, Icr.DEST_PHYSICAL, 2, true, false, lapics);
        assertThat(bus.scans).containsExactly(0, 1, 2, 3);
    }

    @Test
    void scanSetsVectorOfLevelPinForItsDestination() {
        program(PIN, VEC, true, 1);
        long[] handled = bitmap();
        assertThat(ioapic.scanEntry(lapics[1], handled)).isEqualTo(-1);
        assertThat(has(handled, VEC)).isTrue();

        long[] other = bitmap();
        assertThat(ioapic.scanEntry(lapics[2], other)).isEqualTo(-1);
        assertThat(has(other, VEC)).as("not a destination, nothing pending").isFalse();
    }

    @Test
    void scanKeepsVectorPendingInIrrOnNonDestinationAndReportsItStale() {
        program(PIN, VEC, true, 1);
        lapics[2].setIrr(VEC);
        long[] handled = bitmap();
        assertThat(ioapic.scanEntry(lapics[2], handled)).isEqualTo(VEC);
        assertThat(has(handled, VEC)).isTrue();
    }

    @Test
    void scanKeepsVectorInServiceOnNonDestinationAndReportsItStale() {
        program(PIN, VEC, true, 1);
        lapics[2].setIrr(VEC);
        lapics[2].ack();
        long[] handled = bitmap();
        assertThat(ioapic.scanEntry(lapics[2], handled)).isEqualTo(VEC);
        assertThat(has(handled, VEC)).isTrue();
    }

    @Test
    void scanReportsHighestOfSeveralStaleVectors() {
        program(PIN, 0x45, true, 1);
        program(11, 0x60, true, 1);
        program(12, 0x52, true, 2);
        lapics[2].setIrr(0x45);
        lapics[2].setIrr(0x60);
        long[] handled = bitmap();
        assertThat(ioapic.scanEntry(lapics[2], handled)).isEqualTo(0x60);
        assertThat(has(handled, 0x45)).isTrue();
        assertThat(has(handled, 0x60)).isTrue();
        assertThat(has(handled, 0x52)).as("own destination, not stale").isTrue();
    }

    @Test
    void destinationVectorIsNeverReportedStaleEvenIfPending() {
        program(PIN, VEC, true, 1);
        lapics[1].setIrr(VEC);
        assertThat(ioapic.scanEntry(lapics[1], bitmap())).isEqualTo(-1);
    }

    @Test
    void scanIgnoresEdgePinsExceptTheRtcPin() {
        program(6, 0x50, false, 2);
        program(Ioapic.RTC_GSI, 0x38, false, 2);
        lapics[3].setIrr(0x50);
        long[] handled = bitmap();
        ioapic.scanEntry(lapics[2], handled);
        assertThat(has(handled, 0x50)).as("edge pin, even for its destination").isFalse();
        assertThat(has(handled, 0x38)).as("RTC pin 8 is always scanned").isTrue();
        long[] stale = bitmap();
        assertThat(ioapic.scanEntry(lapics[3], stale)).isEqualTo(-1);
        assertThat(has(stale, 0x50)).isFalse();
    }
}
