package dev.kvmfleetsim.hostsim.model.lapic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link Lapic}: PPR, ack/EOI, acceptance per delivery mode, destination matching (kvm-model §1). */
class LapicTest {

    private static Lapic withIrr(int... vectors) {
        Lapic l = new Lapic(0, true);
        for (int v : vectors) {
            l.setIrr(v);
        }
        return l;
    }

    /** Puts a vector in service by requesting it and acking it (requires it to be deliverable). */
    private static void inService(Lapic l, int vector) {
        l.setIrr(vector);
        assertThat(l.ack()).as("ack of 0x%x", vector).isEqualTo(vector);
    }

    private static long icr(int vector, int dm, boolean levelAssert, boolean levelTriggered) {
        return Icr.encode(vector, dm, Icr.DEST_PHYSICAL, levelAssert, levelTriggered, Icr.SHORTHAND_NONE, 0);
    }

    @Nested
    class ProcessorPriority {
        @Test
        void pprIsTprWhenIsrIsEmpty() {
            Lapic l = new Lapic(0, true);
            l.setTpr(0x35);
            assertThat(l.ppr()).isEqualTo(0x35);
            assertThat(l.highestIsr()).isEqualTo(-1);
        }

        @Test
        void pprIsIsrClassWhenInServiceClassIsHigherThanTpr() {
            Lapic l = new Lapic(0, true);
            inService(l, 0x5A);
            l.setTpr(0x2F);
            assertThat(l.ppr()).as("ISRV & 0xF0").isEqualTo(0x50);
        }

        @Test
        void pprIsFullTprWhenTprClassEqualsIsrClass() {
            Lapic l = new Lapic(0, true);
            inService(l, 0x5A);
            l.setTpr(0x53);
            assertThat(l.ppr())
                    .as("(TPR & 0xF0) >= (ISRV & 0xF0) keeps TPR with its low nibble")
                    .isEqualTo(0x53);
        }

        @Test
        void pprIsTprWhenTprClassIsHigherThanIsrClass() {
            Lapic l = new Lapic(0, true);
            inService(l, 0x41);
            l.setTpr(0x9C);
            assertThat(l.ppr()).isEqualTo(0x9C);
        }

        @Test
        void tprKeepsOnlyEightBits() {
            Lapic l = new Lapic(0, true);
            l.setTpr(0x1_23);
            assertThat(l.tpr()).isEqualTo(0x23);
            assertThat(l.ppr()).isEqualTo(0x23);
        }

        @Test
        void vectorOfSameClassAsTprIsNotDeliverable() {
            Lapic l = withIrr(0x5F);
            l.setTpr(0x50);
            assertThat(l.highestDeliverable())
                    .as("only a strictly higher class interrupts")
                    .isEqualTo(-1);
        }

        @Test
        void vectorOfNextClassAboveTprIsDeliverable() {
            Lapic l = withIrr(0x60);
            l.setTpr(0x5F);
            assertThat(l.highestDeliverable()).isEqualTo(0x60);
        }

        @Test
        void vectorOfSameClassAsInServiceVectorIsNotDeliverable() {
            Lapic l = new Lapic(0, true);
            inService(l, 0x61);
            l.setIrr(0x6F);
            assertThat(l.highestDeliverable()).isEqualTo(-1);
            l.setIrr(0x70);
            assertThat(l.highestDeliverable()).isEqualTo(0x70);
        }

        @Test
        void classZeroVectorIsNeverDeliverableEvenWithZeroPpr() {
            Lapic l = withIrr(0x0F);
            assertThat(l.ppr()).isZero();
            assertThat(l.highestDeliverable()).isEqualTo(-1);
            l.setIrr(0x10);
            assertThat(l.highestDeliverable()).isEqualTo(0x10);
        }

        @Test
        void highestDeliverableIsTheHighestIrrVector() {
            Lapic l = withIrr(0x31, 0x80, 0x45);
            l.setTpr(0x40);
            assertThat(l.highestIrr()).isEqualTo(0x80);
            assertThat(l.highestDeliverable()).isEqualTo(0x80);
        }

        @Test
        void loweringTprMakesAPendingVectorDeliverable() {
            Lapic l = withIrr(0x45);
            l.setTpr(0x80);
            assertThat(l.highestDeliverable()).isEqualTo(-1);
            l.setTpr(0x30);
            assertThat(l.highestDeliverable()).isEqualTo(0x45);
        }

        @Test
        void vectorsAcrossAllFourWordsAreFound() {
            Lapic l = withIrr(0x3F, 0x40, 0x7F, 0x80, 0xBF, 0xC0, 0xFF);
            assertThat(l.highestIrr()).isEqualTo(0xFF);
            for (int v : new int[] {0xFF, 0xC0, 0xBF, 0x80, 0x7F, 0x40, 0x3F}) {
                assertThat(l.ack()).isEqualTo(v);
                assertThat(l.eoi()).isEqualTo(v);
            }
            assertThat(l.highestIrr()).isEqualTo(-1);
        }
    }

    @Nested
    class AckAndEoi {
        @Test
        void ackMovesHighestDeliverableVectorFromIrrToIsr() {
            Lapic l = withIrr(0x41, 0xFB);
            assertThat(l.ack()).isEqualTo(0xFB);
            assertThat(l.irrContains(0xFB)).isFalse();
            assertThat(l.isrContains(0xFB)).isTrue();
            assertThat(l.irrContains(0x41))
                    .as("the lower vector stays requested")
                    .isTrue();
            assertThat(l.ppr()).isEqualTo(0xF0);
        }

        @Test
        void ackReturnsMinusOneAndChangesNothingWhenNothingIsDeliverable() {
            Lapic l = withIrr(0x45);
            l.setTpr(0x4F);
            assertThat(l.ack()).isEqualTo(-1);
            assertThat(l.irrContains(0x45)).isTrue();
            assertThat(l.highestIsr()).isEqualTo(-1);
        }

        @Test
        void ackOfEmptyIrrReturnsMinusOne() {
            assertThat(new Lapic(3, false).ack()).isEqualTo(-1);
        }

        @Test
        void lowerPendingVectorWaitsUntilHigherOneIsEoid() {
            Lapic l = withIrr(0x41, 0xFB);
            l.ack();
            assertThat(l.ack()).as("0x41 is below PPR 0xF0").isEqualTo(-1);
            assertThat(l.eoi()).isEqualTo(0xFB);
            assertThat(l.ppr()).isZero();
            assertThat(l.highestDeliverable()).isEqualTo(0x41);
            assertThat(l.ack()).isEqualTo(0x41);
        }

        @Test
        void eoiRetiresHighestInServiceVectorNotTheOneTheHandlerBelongsTo() {
            Lapic l = new Lapic(0, true);
            // The handler of device vector 0x41 is running when IPI 0xFB nests on top of it.
            inService(l, 0x41);
            inService(l, 0xFB);
            // The EOI the 0x41 handler writes retires 0xFB, the highest in-service vector (apic_set_eoi).
            assertThat(l.eoi()).isEqualTo(0xFB);
            assertThat(l.isrContains(0xFB)).isFalse();
            assertThat(l.isrContains(0x41)).isTrue();
            assertThat(l.ppr()).isEqualTo(0x40);
            assertThat(l.eoi()).isEqualTo(0x41);
            assertThat(l.ppr()).isZero();
        }

        @Test
        void eoiWithEmptyIsrDoesNothing() {
            Lapic l = withIrr(0x50);
            assertThat(l.eoi()).isEqualTo(-1);
            assertThat(l.irrContains(0x50)).isTrue();
        }

        @Test
        void eoiDropsPprAndMakesPendingVectorOfSameClassDeliverable() {
            Lapic l = new Lapic(0, true);
            inService(l, 0x62);
            l.setIrr(0x61);
            assertThat(l.highestDeliverable()).isEqualTo(-1);
            l.eoi();
            assertThat(l.highestDeliverable()).isEqualTo(0x61);
        }

        @Test
        void acceleratedEoiRetiresTheGivenVector() {
            Lapic l = new Lapic(0, true);
            inService(l, 0x41);
            inService(l, 0xFB);
            l.eoiAccelerated(0x41);
            assertThat(l.isrContains(0x41)).isFalse();
            assertThat(l.isrContains(0xFB)).isTrue();
        }

        @Test
        void pendingEoiCoversBothIrrAndIsr() {
            Lapic l = withIrr(0x55);
            assertThat(l.pendingEoi(0x55)).isTrue();
            l.ack();
            assertThat(l.pendingEoi(0x55)).isTrue();
            l.eoi();
            assertThat(l.pendingEoi(0x55)).isFalse();
        }
    }

    @Nested
    class Acceptance {
        @Test
        void fixedEdgeIsAcceptedAndClearsTmrWithoutTouchingIrr() {
            Lapic l = new Lapic(0, true);
            assertThat(l.accept(icr(0x70, Icr.DM_FIXED, true, true))).isTrue();
            assertThat(l.tmrContains(0x70)).isTrue();
            assertThat(l.accept(icr(0x70, Icr.DM_FIXED, true, false))).isTrue();
            assertThat(l.tmrContains(0x70)).as("edge trigger clears TMR").isFalse();
            assertThat(l.irrContains(0x70)).as("the caller sets IRR or posts").isFalse();
        }

        @Test
        void fixedLevelAssertIsAcceptedAndSetsTmr() {
            Lapic l = new Lapic(0, true);
            assertThat(l.acceptFixed(0x91, true, true)).isTrue();
            assertThat(l.tmrContains(0x91)).isTrue();
        }

        @Test
        void fixedLevelTriggeredWithLevelZeroIsDropped() {
            Lapic l = new Lapic(0, true);
            assertThat(l.accept(icr(0x91, Icr.DM_FIXED, false, true))).isFalse();
            assertThat(l.tmrContains(0x91)).isFalse();
        }

        @Test
        void levelDeassertDoesNotClearAnExistingTmrBit() {
            Lapic l = new Lapic(0, true);
            l.acceptFixed(0x91, true, true);
            assertThat(l.acceptFixed(0x91, false, true)).isFalse();
            assertThat(l.tmrContains(0x91)).isTrue();
        }

        @Test
        void disabledApicDropsFixedAndLowestPriority() {
            Lapic l = new Lapic(0, true);
            l.setSoftwareEnabled(false);
            assertThat(l.softwareEnabled()).isFalse();
            assertThat(l.accept(icr(0x70, Icr.DM_FIXED, true, false))).isFalse();
            assertThat(l.accept(icr(0x70, Icr.DM_LOWEST, true, false))).isFalse();
            assertThat(l.accept(icr(0x70, Icr.DM_FIXED, true, true))).isFalse();
            assertThat(l.tmrContains(0x70))
                    .as("a dropped interrupt leaves TMR alone")
                    .isFalse();
            l.setSoftwareEnabled(true);
            assertThat(l.accept(icr(0x70, Icr.DM_FIXED, true, false))).isTrue();
        }

        @Test
        void lowestPriorityIsAcceptedLikeFixed() {
            Lapic l = new Lapic(0, true);
            assertThat(l.accept(icr(0x33, Icr.DM_LOWEST, true, true))).isTrue();
            assertThat(l.tmrContains(0x33)).isTrue();
            assertThat(l.accept(icr(0x33, Icr.DM_LOWEST, false, true))).isFalse();
        }

        @Test
        void nmiLatchesNmiPendingUntilTaken() {
            Lapic l = new Lapic(0, true);
            assertThat(l.nmiPending()).isFalse();
            assertThat(l.accept(icr(0, Icr.DM_NMI, true, false))).isTrue();
            assertThat(l.nmiPending()).isTrue();
            assertThat(l.highestIrr()).as("an NMI does not use IRR").isEqualTo(-1);
            assertThat(l.takeNmi()).isTrue();
            assertThat(l.nmiPending()).isFalse();
            assertThat(l.takeNmi()).isFalse();
        }

        @Test
        void initEdgeLatchesInitPending() {
            Lapic l = new Lapic(0, true);
            assertThat(l.accept(icr(0, Icr.DM_INIT, true, false))).isTrue();
            assertThat(l.initPending()).isTrue();
        }

        @Test
        void initLevelAssertLatchesInitPending() {
            Lapic l = new Lapic(0, true);
            assertThat(l.accept(icr(0, Icr.DM_INIT, true, true))).isTrue();
            assertThat(l.initPending()).isTrue();
        }

        @Test
        void initLevelDeassertIsIgnored() {
            Lapic l = new Lapic(0, true);
            assertThat(l.accept(icr(0, Icr.DM_INIT, false, true))).isFalse();
            assertThat(l.initPending()).isFalse();
        }

        @Test
        void startupRecordsTheSipiVector() {
            Lapic l = new Lapic(0, true);
            assertThat(l.sipiVector()).isEqualTo(-1);
            assertThat(l.accept(icr(0x9A, Icr.DM_STARTUP, true, false))).isTrue();
            assertThat(l.sipiVector()).isEqualTo(0x9A);
            assertThat(l.irrContains(0x9A)).isFalse();
        }

        @Test
        void remoteReadSetsPvUnhalted() {
            Lapic l = new Lapic(0, true);
            assertThat(l.pvUnhalted()).isFalse();
            assertThat(l.accept(icr(0, Icr.DM_REMRD, true, false))).isTrue();
            assertThat(l.pvUnhalted()).isTrue();
            l.clearPvUnhalted();
            assertThat(l.pvUnhalted()).isFalse();
        }

        @Test
        void smiIsAccepted() {
            assertThat(new Lapic(0, true).accept(icr(0, Icr.DM_SMI, true, false)))
                    .isTrue();
        }

        @Test
        void extIntIsRejectedWithoutSideEffects() {
            Lapic l = new Lapic(0, true);
            assertThat(l.accept(icr(0x20, Icr.DM_EXTINT, true, false))).isFalse();
            assertThat(l.highestIrr()).isEqualTo(-1);
            assertThat(l.tmrContains(0x20)).isFalse();
            assertThat(l.nmiPending()).isFalse();
            assertThat(l.initPending()).isFalse();
            assertThat(l.sipiVector()).isEqualTo(-1);
            assertThat(l.pvUnhalted()).isFalse();
        }

        @Test
        void setIrrCoalescesAnAlreadyPendingVector() {
            Lapic l = new Lapic(0, true);
            assertThat(l.setIrr(0xFB)).isTrue();
            assertThat(l.setIrr(0xFB))
                    .as("already pending: coalesced, no counter")
                    .isFalse();
            assertThat(l.irrContains(0xFB)).isTrue();
            assertThat(l.ack()).isEqualTo(0xFB);
            assertThat(l.ack()).as("one ack consumes the coalesced requests").isEqualTo(-1);
            assertThat(l.setIrr(0xFB)).as("pending again once acked").isTrue();
        }

        @Test
        void resetClearsRegistersTprAndLatches() {
            Lapic l = new Lapic(0, true);
            l.setIrr(0x50);
            inService(l, 0x60);
            l.acceptFixed(0x70, true, true);
            l.setTpr(0x20);
            l.accept(icr(0, Icr.DM_NMI, true, false));
            l.accept(icr(0, Icr.DM_INIT, true, false));
            l.accept(icr(0x9A, Icr.DM_STARTUP, true, false));
            l.reset();
            assertThat(l.highestIrr()).isEqualTo(-1);
            assertThat(l.highestIsr()).isEqualTo(-1);
            assertThat(l.tmrContains(0x70)).isFalse();
            assertThat(l.tpr()).isZero();
            assertThat(l.nmiPending()).isFalse();
            assertThat(l.initPending()).isFalse();
            assertThat(l.sipiVector()).isEqualTo(-1);
        }

        @Test
        void arbitrationPriorityCountsBumps() {
            Lapic l = new Lapic(0, true);
            assertThat(l.arbPrio()).isZero();
            l.bumpArbPrio();
            l.bumpArbPrio();
            assertThat(l.arbPrio()).isEqualTo(2);
        }
    }

    @Nested
    class DestinationMatching {
        @Test
        void physicalMatchesOwnIdOnly() {
            Lapic l = new Lapic(5, false);
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 5, Icr.DEST_PHYSICAL))
                    .isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 6, Icr.DEST_PHYSICAL))
                    .isFalse();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0, Icr.DEST_PHYSICAL))
                    .isFalse();
        }

        @Test
        void xapicPhysicalBroadcastIs0xFf() {
            Lapic l = new Lapic(5, false);
            assertThat(l.isBroadcast(0xFF)).isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0xFF, Icr.DEST_PHYSICAL))
                    .isTrue();
            assertThat(l.isBroadcast(0xFFFF_FFFFL)).isFalse();
        }

        @Test
        void x2apicPhysicalBroadcastIsAllOnesAnd0xFfIsAnOrdinaryId() {
            Lapic l = new Lapic(5, true);
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0xFFFF_FFFFL, Icr.DEST_PHYSICAL))
                    .isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0xFF, Icr.DEST_PHYSICAL))
                    .isFalse();
            assertThat(new Lapic(0xFF, true).matchDest(false, Icr.SHORTHAND_NONE, 0xFF, Icr.DEST_PHYSICAL))
                    .isTrue();
        }

        @Test
        void x2apicPhysicalUsesThirtyTwoBitIds() {
            Lapic l = new Lapic(0x1234, true);
            assertThat(l.matchPhysical(0x1234)).isTrue();
            assertThat(l.matchPhysical(0x34)).isFalse();
        }

        @Test
        void x2apicLdrIsDerivedFromId() {
            assertThat(Lapic.x2apicLdr(0)).isEqualTo(0x0000_0001);
            assertThat(Lapic.x2apicLdr(0x0F)).isEqualTo(0x0000_8000);
            assertThat(Lapic.x2apicLdr(0x13)).isEqualTo(0x0001_0008);
            assertThat(Lapic.x2apicLdr(0x2F)).isEqualTo(0x0002_8000);
            assertThat(new Lapic(0x13, true).ldr()).isEqualTo(0x0001_0008);
        }

        @Test
        void x2apicLogicalMatchesClusterAndMaskBit() {
            Lapic l = new Lapic(0x13, true);
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x0001_0008, Icr.DEST_LOGICAL))
                    .isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x0001_FFFF, Icr.DEST_LOGICAL))
                    .isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x0001_0004, Icr.DEST_LOGICAL))
                    .as("mask misses bit 3")
                    .isFalse();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x0000_0008, Icr.DEST_LOGICAL))
                    .as("wrong cluster")
                    .isFalse();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x0002_FFFF, Icr.DEST_LOGICAL))
                    .isFalse();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0xFFFF_FFFFL, Icr.DEST_LOGICAL))
                    .as("broadcast")
                    .isTrue();
        }

        @Test
        void x2apicLdrIsReadOnly() {
            Lapic l = new Lapic(1, true);
            assertThatThrownBy(() -> l.setXapicLogical(0x02, Lapic.DFR_FLAT)).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void xapicFlatMatchesWhenLogicalIdAndMaskIntersect() {
            Lapic l = new Lapic(2, false);
            l.setXapicLogical(0x04, Lapic.DFR_FLAT);
            assertThat(l.ldr()).isEqualTo(0x0400_0000);
            assertThat(l.dfr()).isEqualTo(Lapic.DFR_FLAT);
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x04, Icr.DEST_LOGICAL))
                    .isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x0C, Icr.DEST_LOGICAL))
                    .isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x03, Icr.DEST_LOGICAL))
                    .isFalse();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0xFF, Icr.DEST_LOGICAL))
                    .isTrue();
        }

        @Test
        void xapicWithoutProgrammedLogicalIdMatchesNoLogicalMask() {
            Lapic l = new Lapic(2, false);
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x7F, Icr.DEST_LOGICAL))
                    .isFalse();
        }

        @Test
        void xapicClusterNeedsEqualClusterAndIntersectingMask() {
            Lapic l = new Lapic(9, false);
            l.setXapicLogical(0x21, Lapic.DFR_CLUSTER); // cluster 2, member bit 0
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x21, Icr.DEST_LOGICAL))
                    .isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x2F, Icr.DEST_LOGICAL))
                    .isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x22, Icr.DEST_LOGICAL))
                    .as("mask misses the member bit")
                    .isFalse();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0x31, Icr.DEST_LOGICAL))
                    .as("other cluster")
                    .isFalse();
            assertThat(l.matchDest(false, Icr.SHORTHAND_NONE, 0xFF, Icr.DEST_LOGICAL))
                    .as("broadcast")
                    .isTrue();
        }

        @Test
        void selfShorthandMatchesOnlyTheSource() {
            Lapic l = new Lapic(3, true);
            assertThat(l.matchDest(true, Icr.SHORTHAND_SELF, 7, Icr.DEST_PHYSICAL))
                    .isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_SELF, 3, Icr.DEST_PHYSICAL))
                    .isFalse();
        }

        @Test
        void allIncludingSelfMatchesEveryApic() {
            Lapic l = new Lapic(3, true);
            assertThat(l.matchDest(true, Icr.SHORTHAND_ALL_INCLUDING_SELF, 7, Icr.DEST_PHYSICAL))
                    .isTrue();
            assertThat(l.matchDest(false, Icr.SHORTHAND_ALL_INCLUDING_SELF, 7, Icr.DEST_LOGICAL))
                    .isTrue();
        }

        @Test
        void allExcludingSelfMatchesEveryApicButTheSource() {
            Lapic l = new Lapic(3, true);
            assertThat(l.matchDest(true, Icr.SHORTHAND_ALL_EXCLUDING_SELF, 3, Icr.DEST_PHYSICAL))
                    .isFalse();
            assertThat(l.matchDest(false, Icr.SHORTHAND_ALL_EXCLUDING_SELF, 7, Icr.DEST_PHYSICAL))
                    .isTrue();
        }
    }
}
