package dev.kvmfleetsim.hostsim.model.ipi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import java.lang.reflect.Field;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Unit tests of {@link IpiTracker}: patch 07 records, the query window, patch 08 EOI clears (kvm-model §5.6, F11). */
class IpiTrackerTest {
    private static final long WINDOW = 50_000_000L;
    private static final long T0 = 1_000_000L;
    private static final long UNICAST = Icr.fixedPhysical(0xFB, 1);

    private static IpiTracker tracker(EoiClearMode mode) {
        return new IpiTracker(4, true, WINDOW, mode);
    }

    private static long timestamp(IpiTracker t, int vcpu) throws ReflectiveOperationException {
        // ipi_time_ns has no accessor: the model never exposes it outside the window test.
        Field f = IpiTracker.class.getDeclaredField("ipiTimeNs");
        f.setAccessible(true);
        return ((long[]) f.get(t))[vcpu];
    }

    @Test
    void unicastFixedIpiAcceptedByOneOtherVcpuIsRecordedOnBothSides() {
        IpiTracker t = tracker(EoiClearMode.V2);
        assertThat(t.onDelivered(0, UNICAST, 1, 1, T0)).isTrue();
        assertThat(t.lastIpiReceiver(0)).isEqualTo(1);
        assertThat(t.pendingIpi(0)).isTrue();
        assertThat(t.vector(0)).isEqualTo(0xFB);
        assertThat(t.lastIpiSender(1)).isEqualTo(0);
        assertThat(t.vector(1)).isEqualTo(0xFB);
        assertThat(t.pendingIpi(1)).as("the receiver has nothing outgoing").isFalse();
        assertThat(t.lastIpiReceiver(1)).isEqualTo(-1);
        assertThat(t.records()).isEqualTo(1);
    }

    @Test
    void initialContextIsEmpty() {
        IpiTracker t = tracker(EoiClearMode.V3_INFERRED);
        for (int v = 0; v < 4; v++) {
            assertThat(t.lastIpiSender(v)).isEqualTo(-1);
            assertThat(t.lastIpiReceiver(v)).isEqualTo(-1);
            assertThat(t.vector(v)).isZero();
            assertThat(t.pendingIpi(v)).isFalse();
        }
        assertThat(t.isIpiReceiver(0, 1, 0)).isFalse();
    }

    static Stream<Arguments> notRecorded() {
        long base = Icr.fixedPhysical(0xFB, 1);
        return Stream.of(
                Arguments.of("IOAPIC/MSI/PV source (src < 0)", -1, base, 1, 1),
                Arguments.of(
                        "lowest priority",
                        0,
                        Icr.encode(0xFB, Icr.DM_LOWEST, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_NONE, 1),
                        1,
                        1),
                Arguments.of(
                        "NMI",
                        0,
                        Icr.encode(0, Icr.DM_NMI, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_NONE, 1),
                        1,
                        1),
                Arguments.of(
                        "INIT",
                        0,
                        Icr.encode(0, Icr.DM_INIT, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_NONE, 1),
                        1,
                        1),
                Arguments.of(
                        "self shorthand",
                        0,
                        Icr.encode(0xFB, Icr.DM_FIXED, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_SELF, 0),
                        1,
                        0),
                Arguments.of(
                        "all-excluding-self shorthand with one other vCPU",
                        0,
                        Icr.encode(
                                0xFB,
                                Icr.DM_FIXED,
                                Icr.DEST_PHYSICAL,
                                true,
                                false,
                                Icr.SHORTHAND_ALL_EXCLUDING_SELF,
                                0),
                        1,
                        1),
                Arguments.of("multicast accepted by two", 0, base, 2, -1),
                Arguments.of("accepted by nobody", 0, base, 0, -1),
                Arguments.of("physical self-IPI without shorthand", 0, Icr.fixedPhysical(0xFB, 0), 1, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notRecorded")
    void deliveriesOtherThanUnicastFixedToAnotherVcpuAreNotRecorded(
            String what, int src, long irq, int accepted, int receiver) {
        IpiTracker t = tracker(EoiClearMode.V2);
        assertThat(t.onDelivered(src, irq, accepted, receiver, T0)).isFalse();
        assertThat(t.records()).isZero();
        for (int v = 0; v < 4; v++) {
            assertThat(t.pendingIpi(v)).isFalse();
            assertThat(t.lastIpiSender(v)).isEqualTo(-1);
            assertThat(t.lastIpiReceiver(v)).isEqualTo(-1);
        }
    }

    @Test
    void logicalUnicastAcceptedByOneIsRecorded() {
        IpiTracker t = tracker(EoiClearMode.V2);
        long logical = Icr.encode(0xFC, Icr.DM_FIXED, Icr.DEST_LOGICAL, true, false, Icr.SHORTHAND_NONE, 0x4);
        assertThat(t.onDelivered(0, logical, 1, 2, T0)).isTrue();
        assertThat(t.lastIpiReceiver(0)).isEqualTo(2);
    }

    @Test
    void laterUnicastOverwritesTheSendersRecord() {
        IpiTracker t = tracker(EoiClearMode.V2);
        t.onDelivered(0, UNICAST, 1, 1, T0);
        t.onDelivered(0, Icr.fixedPhysical(0xFC, 2), 1, 2, T0 + 10);
        assertThat(t.lastIpiReceiver(0)).isEqualTo(2);
        assertThat(t.vector(0)).isEqualTo(0xFC);
        assertThat(t.isIpiReceiver(0, 1, T0 + 10)).isFalse();
        assertThat(t.isIpiReceiver(0, 2, T0 + 10)).isTrue();
        assertThat(t.records()).isEqualTo(2);
    }

    @Test
    void multicastDoesNotDisturbAnEarlierRecord() {
        IpiTracker t = tracker(EoiClearMode.V2);
        t.onDelivered(0, UNICAST, 1, 1, T0);
        t.onDelivered(0, Icr.fixedPhysical(0xFC, 2), 3, -1, T0 + 10);
        assertThat(t.isIpiReceiver(0, 1, T0 + 10)).isTrue();
    }

    @Test
    void receiverQueryHonoursTheWindowInclusively() {
        IpiTracker t = tracker(EoiClearMode.V3_INFERRED);
        t.onDelivered(0, UNICAST, 1, 1, T0);
        assertThat(t.isIpiReceiver(0, 1, T0)).isTrue();
        assertThat(t.isIpiReceiver(0, 1, T0 + 50_000_000L)).isTrue();
        assertThat(t.isIpiReceiver(0, 1, T0 + 50_000_001L)).isFalse();
        assertThat(t.isIpiReceiver(0, 2, T0)).as("another candidate").isFalse();
        assertThat(t.isIpiReceiver(1, 0, T0)).as("the direction matters").isFalse();
    }

    @Test
    void disabledTrackingRecordsNothingAndAnswersNo() {
        IpiTracker t = new IpiTracker(4, false, WINDOW, EoiClearMode.V2);
        assertThat(t.onDelivered(0, UNICAST, 1, 1, T0)).isFalse();
        assertThat(t.pendingIpi(0)).isFalse();
        assertThat(t.isIpiReceiver(0, 1, T0)).isFalse();
        t.onEoi(1, 0xFB, T0);
        assertThat(t.eoiClears()).isZero();
    }

    @Test
    void v2EoiOfAnyVectorClearsReceiversWholeContextAndSendersPending() {
        IpiTracker t = tracker(EoiClearMode.V2);
        t.onDelivered(1, Icr.fixedPhysical(0xFC, 2), 1, 2, T0); // the receiver's own outgoing IPI
        t.onDelivered(0, UNICAST, 1, 1, T0 + 5);
        t.onEoi(1, 0x30, T0 + 100);
        assertThat(t.pendingIpi(0)).isFalse();
        assertThat(t.isIpiReceiver(0, 1, T0 + 100)).isFalse();
        assertThat(t.lastIpiSender(1)).isEqualTo(-1);
        assertThat(t.vector(1)).isZero();
        assertThat(t.pendingIpi(1))
                .as("v2 also drops the receiver's own outgoing record")
                .isFalse();
        assertThat(t.lastIpiReceiver(1)).isEqualTo(-1);
        assertThat(t.eoiClears()).isEqualTo(1);
        assertThat(t.lastIpiReceiver(0))
                .as("only the pending flag of the sender is cleared")
                .isEqualTo(1);
    }

    @Test
    void v3EoiOfAnotherVectorClearsNothing() {
        IpiTracker t = tracker(EoiClearMode.V3_INFERRED);
        t.onDelivered(0, UNICAST, 1, 1, T0);
        t.onEoi(1, 0x41, T0 + 100);
        assertThat(t.pendingIpi(0)).isTrue();
        assertThat(t.lastIpiSender(1)).isEqualTo(0);
        assertThat(t.vector(1)).isEqualTo(0xFB);
        assertThat(t.eoiClears()).isZero();
    }

    @Test
    void v3MatchingEoiClearsReceiverSideAndSendersPendingButKeepsReceiversOutgoingRecord() {
        IpiTracker t = tracker(EoiClearMode.V3_INFERRED);
        t.onDelivered(1, Icr.fixedPhysical(0xFC, 2), 1, 2, T0); // the receiver's own outgoing IPI
        t.onDelivered(0, UNICAST, 1, 1, T0 + 5);
        t.onEoi(1, 0xFB, T0 + 100);
        assertThat(t.pendingIpi(0)).isFalse();
        assertThat(t.lastIpiSender(1)).isEqualTo(-1);
        assertThat(t.vector(1)).isZero();
        assertThat(t.pendingIpi(1)).isTrue();
        assertThat(t.lastIpiReceiver(1)).isEqualTo(2);
        assertThat(t.isIpiReceiver(1, 2, T0 + 100)).isTrue();
        assertThat(t.eoiClears()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(EoiClearMode.class)
    void eoiAfterTheWindowDoesNotClearSendersPendingFlag(EoiClearMode mode) {
        IpiTracker t = tracker(mode);
        t.onDelivered(0, UNICAST, 1, 1, T0);
        t.onEoi(1, 0xFB, T0 + WINDOW + 1);
        assertThat(t.pendingIpi(0)).isTrue();
        assertThat(t.lastIpiSender(1)).as("receiver side cleared regardless").isEqualTo(-1);
        assertThat(t.eoiClears()).isZero();
    }

    @ParameterizedTest
    @EnumSource(EoiClearMode.class)
    void eoiOnFormerReceiverDoesNotClearSenderThatMovedOn(EoiClearMode mode) {
        IpiTracker t = tracker(mode);
        t.onDelivered(0, UNICAST, 1, 1, T0);
        t.onDelivered(0, Icr.fixedPhysical(0xFB, 2), 1, 2, T0 + 10);
        t.onEoi(1, 0xFB, T0 + 20);
        assertThat(t.pendingIpi(0)).isTrue();
        assertThat(t.isIpiReceiver(0, 2, T0 + 20)).isTrue();
        assertThat(t.eoiClears()).isZero();
    }

    @ParameterizedTest
    @EnumSource(EoiClearMode.class)
    void eoiOnVcpuWithoutSenderChangesNoSender(EoiClearMode mode) {
        IpiTracker t = tracker(mode);
        t.onDelivered(0, UNICAST, 1, 1, T0);
        t.onEoi(2, 0xFB, T0 + 10);
        assertThat(t.pendingIpi(0)).isTrue();
        assertThat(t.eoiClears()).isZero();
    }

    @Test
    void resetOnInitClearsEverythingButTheTimestamp() throws ReflectiveOperationException {
        IpiTracker t = tracker(EoiClearMode.V2);
        t.onDelivered(0, UNICAST, 1, 1, T0);
        t.resetOnInit(0);
        t.resetOnInit(1);
        assertThat(t.pendingIpi(0)).isFalse();
        assertThat(t.lastIpiReceiver(0)).isEqualTo(-1);
        assertThat(t.vector(0)).isZero();
        assertThat(t.lastIpiSender(1)).isEqualTo(-1);
        assertThat(t.vector(1)).isZero();
        assertThat(t.isIpiReceiver(0, 1, T0)).isFalse();
        assertThat(timestamp(t, 0)).isEqualTo(T0);
    }

    @Test
    void resetOnCreateClearsEverythingIncludingTheTimestamp() throws ReflectiveOperationException {
        IpiTracker t = tracker(EoiClearMode.V2);
        t.onDelivered(0, UNICAST, 1, 1, T0);
        t.resetOnCreate(0);
        assertThat(t.pendingIpi(0)).isFalse();
        assertThat(t.lastIpiReceiver(0)).isEqualTo(-1);
        assertThat(t.vector(0)).isZero();
        assertThat(timestamp(t, 0)).isZero();
    }
}
