package dev.kvmfleetsim.hostsim.model.lapic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests of {@link ApicMap} and {@link ApicDelivery}: fast and slow paths agree; edge cases (kvm-model §1.8–1.9). */
class ApicDeliveryTest {

    /** An acceptor that records every destination it is offered and accepts all of them (or a chosen subset). */
    private static final class Recorder implements ApicDelivery.Acceptor {
        final List<Integer> offered = new ArrayList<>();
        final List<Long> irqs = new ArrayList<>();
        private final IntPredicate accepts;

        Recorder() {
            this(v -> true);
        }

        Recorder(IntPredicate accepts) {
            this.accepts = accepts;
        }

        @Override
        public boolean accept(int vcpu, long irq) {
            offered.add(vcpu);
            irqs.add(irq);
            return accepts.test(vcpu);
        }
    }

    private static Lapic[] x2apic(int n) {
        Lapic[] l = new Lapic[n];
        for (int i = 0; i < n; i++) {
            l[i] = new Lapic(i, true);
        }
        return l;
    }

    private static Lapic[] xapicFlat(int n) {
        Lapic[] l = new Lapic[n];
        for (int i = 0; i < n; i++) {
            l[i] = new Lapic(i, false);
            l[i].setXapicLogical(1 << i, Lapic.DFR_FLAT);
        }
        return l;
    }

    private static Lapic[] xapicCluster(int n) {
        Lapic[] l = new Lapic[n];
        for (int i = 0; i < n; i++) {
            l[i] = new Lapic(i, false);
            l[i].setXapicLogical(((i / 4) << 4) | (1 << (i % 4)), Lapic.DFR_CLUSTER);
        }
        return l;
    }

    /** A map that is always disabled (two APICs alias ID 0), so that deliveries through it take the slow path. */
    private static ApicMap disabledMap() {
        ApicMap m = new ApicMap(new Lapic[] {new Lapic(0, true), new Lapic(0, true)});
        assertThat(m.valid()).isFalse();
        return m;
    }

    /**
     * The slow scan of kvm-model §1.8 computed from {@link Lapic#matchDest}: every match for fixed mode; for lowest
     * priority the (vector mod n)-th enabled match in index order with vector hashing, else the first enabled match
     * with minimum arbitration priority. A physical 0xFF lowest-priority request is converted to fixed (as the
     * kernel's {@code kvm_irq_delivery_to_apic} does).
     */
    private static List<Integer> reference(Lapic[] lapics, int src, long irq, boolean vectorHashing) {
        int shorthand = Icr.shorthand(irq);
        int destMode = Icr.destMode(irq);
        long dest = Icr.dest(irq);
        boolean lowest = Icr.lowestPriority(irq);
        if (lowest && destMode == Icr.DEST_PHYSICAL && dest == Icr.XAPIC_BROADCAST) {
            lowest = false;
        }
        List<Integer> matches = new ArrayList<>();
        for (int i = 0; i < lapics.length; i++) {
            if (lapics[i].matchDest(i == src, shorthand, dest, destMode) && (!lowest || lapics[i].softwareEnabled())) {
                matches.add(i);
            }
        }
        if (!lowest || matches.isEmpty()) {
            return matches;
        }
        if (vectorHashing) {
            return List.of(matches.get(Icr.vector(irq) % matches.size()));
        }
        int best = matches.get(0);
        for (int i : matches) {
            if (lapics[i].arbPrio() < lapics[best].arbPrio()) {
                best = i;
            }
        }
        return List.of(best);
    }

    private static long[] arbPrios(Lapic[] lapics) {
        long[] a = new long[lapics.length];
        for (int i = 0; i < lapics.length; i++) {
            a[i] = lapics[i].arbPrio();
        }
        return a;
    }

    private static long randomIcr(Random rnd, boolean x2apicMode, int n, int clusters) {
        int vector = 16 + rnd.nextInt(240);
        int dm = rnd.nextBoolean() ? Icr.DM_FIXED : Icr.DM_LOWEST;
        int shorthand = rnd.nextInt(10) < 8 ? Icr.SHORTHAND_NONE : 1 + rnd.nextInt(3);
        int destMode = rnd.nextBoolean() ? Icr.DEST_PHYSICAL : Icr.DEST_LOGICAL;
        long dest;
        int r = rnd.nextInt(20);
        if (r == 0) {
            dest = x2apicMode ? Icr.X2APIC_BROADCAST : Icr.XAPIC_BROADCAST;
        } else if (r == 1) {
            dest = Icr.XAPIC_BROADCAST; // in x2APIC mode an ordinary (absent) ID or a logical cluster-0 mask
        } else if (destMode == Icr.DEST_PHYSICAL) {
            dest = rnd.nextInt(n + 4); // sometimes above max_apic_id
        } else if (x2apicMode) {
            dest = ((long) rnd.nextInt(clusters + 1) << 16) | rnd.nextInt(0x1_0000);
        } else {
            dest = rnd.nextInt(0xFF); // flat: 8-bit mask; cluster: cluster nibble and member mask
        }
        return Icr.encode(vector, dm, destMode, true, false, shorthand, dest);
    }

    /**
     * Delivers many random requests on two identical VMs, one with a valid map (fast path where it accepts) and one
     * whose map is disabled (always the slow path), and checks both against the reference scan.
     */
    private static void fastAndSlowPathsAgree(
            IntFunction<Lapic[]> vm, boolean x2apicMode, int maxVcpus, boolean vectorHashing, long seed) {
        Random rnd = new Random(seed);
        int fastDeliveries = 0;
        int slowDeliveries = 0;
        int lowestArbitrations = 0;
        for (int round = 0; round < 40; round++) {
            int n = 1 + rnd.nextInt(maxVcpus);
            Lapic[] a = vm.apply(n);
            Lapic[] b = vm.apply(n);
            ApicMap map = new ApicMap(a);
            assertThat(map.valid()).isTrue();
            ApicDelivery fast = new ApicDelivery(a, map, vectorHashing);
            ApicDelivery slow = new ApicDelivery(b, disabledMap(), vectorHashing);
            int clusters = (n - 1) / 16 + 1;
            for (int k = 0; k < 250; k++) {
                long irq = randomIcr(rnd, x2apicMode, n, clusters);
                int src = rnd.nextInt(n + 1) - 1;
                String what = String.format(
                        "n=%d src=%d vector=0x%x dm=%d destMode=%d shorthand=%d dest=0x%x",
                        n,
                        src,
                        Icr.vector(irq),
                        Icr.deliveryMode(irq),
                        Icr.destMode(irq),
                        Icr.shorthand(irq),
                        Icr.dest(irq));
                List<Integer> expected = reference(a, src, irq, vectorHashing);
                long[] before = arbPrios(a);

                Recorder fr = new Recorder();
                int fastResult = fast.deliver(src, irq, fr);
                Recorder sr = new Recorder();
                int slowResult = slow.deliver(src, irq, sr);

                assertThat(fr.offered).as("fast-map delivery, " + what).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(sr.offered).as("slow-path delivery, " + what).containsExactlyElementsOf(expected);
                assertThat(arbPrios(a)).as("arb prio, " + what).containsExactly(arbPrios(b));
                // Only the slow path converts a physical-0xFF lowest-priority request; a self IPI never gets there.
                boolean selfFast = Icr.shorthand(irq) == Icr.SHORTHAND_SELF && src >= 0;
                boolean lowestKept = Icr.lowestPriority(irq)
                        && (selfFast
                                || !(Icr.destMode(irq) == Icr.DEST_PHYSICAL && Icr.dest(irq) == Icr.XAPIC_BROADCAST));
                for (int i = 0; i < n; i++) {
                    long bump = lowestKept && expected.contains(i) ? 1 : 0;
                    assertThat(a[i].arbPrio()).as("arb prio of %d, %s", i, what).isEqualTo(before[i] + bump);
                }
                if (lowestKept && !expected.isEmpty()) {
                    lowestArbitrations++;
                }

                assertThat(fast.lastAcceptedCount()).isEqualTo(expected.size());
                assertThat(slow.lastAcceptedCount()).isEqualTo(expected.size());
                int single = expected.size() == 1 ? expected.get(0) : -1;
                assertThat(fast.lastSingleTarget()).as(what).isEqualTo(single);
                assertThat(slow.lastSingleTarget()).as(what).isEqualTo(single);

                assertThat(slow.lastUsedSlowPath() || Icr.shorthand(irq) == Icr.SHORTHAND_SELF)
                        .isTrue();
                assertThat(slowResult)
                        .as("slow result, " + what)
                        .isEqualTo(expected.isEmpty() && slow.lastUsedSlowPath() ? -1 : expected.size());
                if (fast.lastUsedSlowPath()) {
                    slowDeliveries++;
                    assertThat(fastResult).isEqualTo(expected.isEmpty() ? -1 : expected.size());
                } else {
                    fastDeliveries++;
                    assertThat(fastResult)
                            .as("the fast path reports 0, never -1")
                            .isEqualTo(expected.size());
                }
                boolean broadcast = Icr.dest(irq) == (x2apicMode ? Icr.X2APIC_BROADCAST : Icr.XAPIC_BROADCAST);
                boolean mapShouldAccept = (Icr.shorthand(irq) == Icr.SHORTHAND_SELF && src >= 0)
                        || (Icr.shorthand(irq) == Icr.SHORTHAND_NONE && !broadcast);
                assertThat(fast.lastUsedSlowPath()).as("path taken, " + what).isEqualTo(!mapShouldAccept);
            }
        }
        assertThat(fastDeliveries).as("fast-path deliveries exercised").isGreaterThan(3000);
        assertThat(slowDeliveries).as("slow-path deliveries exercised").isGreaterThan(1000);
        assertThat(lowestArbitrations)
                .as("lowest-priority arbitrations exercised")
                .isGreaterThan(1000);
    }

    @ParameterizedTest(name = "vector hashing {0}")
    @ValueSource(booleans = {true, false})
    void x2apicPhysicalAndClusterFastPathChoosesSameDestinationsAsSlowScan(boolean vectorHashing) {
        fastAndSlowPathsAgree(ApicDeliveryTest::x2apic, true, 40, vectorHashing, 20_240_611L);
    }

    @ParameterizedTest(name = "vector hashing {0}")
    @ValueSource(booleans = {true, false})
    void xapicFlatFastPathChoosesSameDestinationsAsSlowScan(boolean vectorHashing) {
        fastAndSlowPathsAgree(ApicDeliveryTest::xapicFlat, false, 8, vectorHashing, 7_777L);
    }

    @ParameterizedTest(name = "vector hashing {0}")
    @ValueSource(booleans = {true, false})
    void xapicClusterFastPathChoosesSameDestinationsAsSlowScan(boolean vectorHashing) {
        fastAndSlowPathsAgree(ApicDeliveryTest::xapicCluster, false, 60, vectorHashing, 99L);
    }

    @Test
    void vectorHashingPicksVectorModCandidatesInIndexOrder() {
        Lapic[] l = x2apic(8);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), true);
        // Candidates 1, 3, 4, 6 (cluster 0 mask 0b0101_1010); 0x23 = 35, 35 mod 4 = 3 -> the 4th candidate, vCPU 6.
        long irq = Icr.encode(0x23, Icr.DM_LOWEST, Icr.DEST_LOGICAL, true, false, Icr.SHORTHAND_NONE, 0x5A);
        Recorder r = new Recorder();
        assertThat(d.deliver(0, irq, r)).isEqualTo(1);
        assertThat(r.offered).containsExactly(6);
        assertThat(l[6].arbPrio()).isEqualTo(1);
    }

    @Test
    void withoutVectorHashingLowestArbitrationPriorityWinsAndAcceptanceBumpsIt() {
        Lapic[] l = x2apic(4);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), false);
        long irq = Icr.encode(0x30, Icr.DM_LOWEST, Icr.DEST_LOGICAL, true, false, Icr.SHORTHAND_NONE, 0x0E);
        List<Integer> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Recorder r = new Recorder();
            d.deliver(-1, irq, r);
            picks.addAll(r.offered);
        }
        // Ties go to the first candidate; each acceptance bumps its arb prio, so the candidates rotate.
        assertThat(picks).containsExactly(1, 2, 3, 1, 2, 3);
        assertThat(l[0].arbPrio()).isZero();
        assertThat(l[1].arbPrio()).isEqualTo(2);
    }

    @Test
    void fastPathDeclinesShorthandsOtherThanSelf() {
        Lapic[] l = x2apic(4);
        ApicMap map = new ApicMap(l);
        int[] out = new int[16];
        for (int sh : new int[] {Icr.SHORTHAND_ALL_INCLUDING_SELF, Icr.SHORTHAND_ALL_EXCLUDING_SELF}) {
            long irq = Icr.encode(0x40, Icr.DM_FIXED, Icr.DEST_PHYSICAL, true, false, sh, 1);
            assertThat(map.destinations(0, irq, true, out)).isEqualTo(ApicMap.DECLINED);
        }
        long self = Icr.encode(0x40, Icr.DM_FIXED, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_SELF, 1);
        assertThat(map.destinations(2, self, true, out)).isEqualTo(1);
        assertThat(out[0]).isEqualTo(2);
        assertThat(map.destinations(-1, self, true, out))
                .as("self without a source vCPU")
                .isEqualTo(ApicMap.DECLINED);
    }

    @Test
    void fastPathDeclinesBroadcastDestinations() {
        int[] out = new int[16];
        Lapic[] x2 = x2apic(4);
        ApicMap x2map = new ApicMap(x2);
        assertThat(x2map.destinations(0, Icr.fixedPhysical(0x40, Icr.X2APIC_BROADCAST), true, out))
                .isEqualTo(ApicMap.DECLINED);
        long logicalBroadcast =
                Icr.encode(0x40, Icr.DM_FIXED, Icr.DEST_LOGICAL, true, false, Icr.SHORTHAND_NONE, Icr.X2APIC_BROADCAST);
        assertThat(x2map.destinations(0, logicalBroadcast, true, out)).isEqualTo(ApicMap.DECLINED);

        Lapic[] x = xapicFlat(4);
        ApicMap xmap = new ApicMap(x);
        assertThat(xmap.destinations(0, Icr.fixedPhysical(0x40, Icr.XAPIC_BROADCAST), true, out))
                .isEqualTo(ApicMap.DECLINED);
    }

    @Test
    void broadcastIsDeliveredToEveryVcpuBySlowPath() {
        Lapic[] l = x2apic(5);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), true);
        Recorder r = new Recorder();
        assertThat(d.deliver(2, Icr.fixedPhysical(0x40, Icr.X2APIC_BROADCAST), r))
                .isEqualTo(5);
        assertThat(d.lastUsedSlowPath()).isTrue();
        assertThat(r.offered).containsExactly(0, 1, 2, 3, 4);
        assertThat(d.lastSingleTarget()).isEqualTo(-1);
        assertThat(d.lastAcceptedCount()).isEqualTo(5);
    }

    @Test
    void aliasedPhysicalIdsDisableTheMap() {
        Lapic[] l = {new Lapic(0, true), new Lapic(1, true), new Lapic(1, true)};
        ApicMap map = new ApicMap(l);
        assertThat(map.valid()).isFalse();
        assertThat(map.destinations(0, Icr.fixedPhysical(0x40, 0), true, new int[16]))
                .isEqualTo(ApicMap.DECLINED);
        ApicDelivery d = new ApicDelivery(l, map, true);
        Recorder r = new Recorder();
        assertThat(d.deliver(0, Icr.fixedPhysical(0x40, 1), r)).isEqualTo(2);
        assertThat(d.lastUsedSlowPath()).isTrue();
        assertThat(r.offered).containsExactly(1, 2);
        assertThat(d.fastPathCanDeliver(0, Icr.fixedPhysical(0x40, 1))).isFalse();
    }

    @Test
    void aliasedXapicLogicalIdsDisableTheMap() {
        Lapic[] l = xapicFlat(3);
        l[2].setXapicLogical(0x01, Lapic.DFR_FLAT);
        ApicMap map = new ApicMap(l);
        assertThat(map.valid()).isFalse();
        l[2].setXapicLogical(0x04, Lapic.DFR_FLAT);
        map.rebuild();
        assertThat(map.valid()).as("valid again after the guest fixes its LDR").isTrue();
    }

    @Test
    void logicalIdInSeveralSlotsDisablesTheMap() {
        Lapic[] l = xapicFlat(2);
        l[1].setXapicLogical(0x06, Lapic.DFR_FLAT);
        assertThat(new ApicMap(l).valid()).isFalse();
    }

    @Test
    void mixedFlatAndClusterModelsDisableTheMap() {
        Lapic[] l = xapicFlat(2);
        l[1].setXapicLogical(0x12, Lapic.DFR_CLUSTER);
        assertThat(new ApicMap(l).valid()).isFalse();
    }

    @Test
    void mixedXapicAndX2apicDisableTheMap() {
        Lapic[] l = {new Lapic(0, true), new Lapic(1, false)};
        assertThat(new ApicMap(l).valid()).isFalse();
    }

    @Test
    void disabledApicsDoNotAliasLogicalIds() {
        Lapic[] l = xapicFlat(3);
        l[2].setXapicLogical(0x01, Lapic.DFR_FLAT);
        l[2].setSoftwareEnabled(false);
        ApicMap map = new ApicMap(l);
        assertThat(map.valid()).isTrue();
        ApicDelivery d = new ApicDelivery(l, map, true);
        Recorder r = new Recorder();
        long irq = Icr.encode(0x40, Icr.DM_FIXED, Icr.DEST_LOGICAL, true, false, Icr.SHORTHAND_NONE, 0x01);
        assertThat(d.deliver(-1, irq, r)).isEqualTo(1);
        assertThat(r.offered).containsExactly(0);
    }

    @Test
    void physicalDestinationAboveMaxApicIdIsDroppedByTheFastPath() {
        Lapic[] l = x2apic(4);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), true);
        Recorder r = new Recorder();
        assertThat(d.deliver(0, Icr.fixedPhysical(0x40, 4), r)).isZero();
        assertThat(d.lastUsedSlowPath()).isFalse();
        assertThat(r.offered).isEmpty();
        assertThat(d.lastAcceptedCount()).isZero();
        assertThat(d.lastSingleTarget()).isEqualTo(-1);
        assertThat(d.fastPathCanDeliver(0, Icr.fixedPhysical(0x40, 4000))).isTrue();
    }

    @Test
    void unicastReportsItsSingleTarget() {
        Lapic[] l = x2apic(4);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), true);
        Recorder r = new Recorder();
        assertThat(d.deliver(0, Icr.fixedPhysical(0xFB, 3), r)).isEqualTo(1);
        assertThat(d.lastUsedSlowPath()).isFalse();
        assertThat(d.lastAcceptedCount()).isEqualTo(1);
        assertThat(d.lastSingleTarget()).isEqualTo(3);
        assertThat(d.vcpuCount()).isEqualTo(4);
    }

    @Test
    void multicastHasNoSingleTargetUnlessOnlyOneAccepts() {
        Lapic[] l = x2apic(4);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), true);
        long irq = Icr.encode(0xFC, Icr.DM_FIXED, Icr.DEST_LOGICAL, true, false, Icr.SHORTHAND_NONE, 0x06);
        assertThat(d.deliver(0, irq, new Recorder())).isEqualTo(2);
        assertThat(d.lastAcceptedCount()).isEqualTo(2);
        assertThat(d.lastSingleTarget()).isEqualTo(-1);

        // Two destinations, but vCPU 1 rejects: exactly one accepted.
        Recorder r = new Recorder(v -> v != 1);
        assertThat(d.deliver(0, irq, r)).isEqualTo(1);
        assertThat(r.offered).containsExactlyInAnyOrder(1, 2);
        assertThat(d.lastAcceptedCount()).isEqualTo(1);
        assertThat(d.lastSingleTarget()).isEqualTo(2);
    }

    @Test
    void lastDeliveryStateIsResetOnEachDelivery() {
        Lapic[] l = x2apic(4);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), true);
        d.deliver(0, Icr.fixedPhysical(0xFB, 2), new Recorder());
        assertThat(d.lastSingleTarget()).isEqualTo(2);
        d.deliver(0, Icr.fixedPhysical(0xFB, 2), new Recorder(v -> false));
        assertThat(d.lastAcceptedCount()).isZero();
        assertThat(d.lastSingleTarget()).isEqualTo(-1);
    }

    @Test
    void slowPathConvertsPhysicalBroadcastLowestPriorityToFixed() {
        Lapic[] l = xapicFlat(4);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), true);
        long irq = Icr.encode(0x50, Icr.DM_LOWEST, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_NONE, 0xFF);
        Recorder r = new Recorder();
        assertThat(d.deliver(0, irq, r)).isEqualTo(4);
        assertThat(d.lastUsedSlowPath()).isTrue();
        assertThat(r.offered).containsExactly(0, 1, 2, 3);
        assertThat(r.irqs).allSatisfy(irqSeen -> {
            assertThat(Icr.deliveryMode(irqSeen)).isEqualTo(Icr.DM_FIXED);
            assertThat(Icr.vector(irqSeen)).isEqualTo(0x50);
        });
        assertThat(arbPrios(l)).as("fixed delivery does not arbitrate").containsOnly(0L);
    }

    @Test
    void slowPathReturnsMinusOneWhenNobodyMatched() {
        Lapic[] l = x2apic(1);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), true);
        long allButSelf =
                Icr.encode(0x40, Icr.DM_FIXED, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_ALL_EXCLUDING_SELF, 0);
        Recorder r = new Recorder();
        assertThat(d.deliver(0, allButSelf, r)).isEqualTo(-1);
        assertThat(d.lastUsedSlowPath()).isTrue();
        assertThat(r.offered).isEmpty();

        Lapic[] aliased = {new Lapic(0, true), new Lapic(0, true)};
        ApicDelivery slow = new ApicDelivery(aliased, new ApicMap(aliased), true);
        assertThat(slow.deliver(0, Icr.fixedPhysical(0x40, 7), new Recorder())).isEqualTo(-1);
    }

    @Test
    void slowPathReturnsZeroWhenMatchesAllReject() {
        Lapic[] l = x2apic(3);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), true);
        Recorder r = new Recorder(v -> false);
        assertThat(d.deliver(0, Icr.fixedPhysical(0x40, Icr.X2APIC_BROADCAST), r))
                .isZero();
        assertThat(r.offered).containsExactly(0, 1, 2);
    }

    @Test
    void slowPathLowestPriorityIgnoresDisabledApicsAndReturnsMinusOneIfAllAreDisabled() {
        Lapic[] l = x2apic(3);
        ApicDelivery d = new ApicDelivery(l, disabledMap(), false);
        long irq = Icr.encode(
                0x40, Icr.DM_LOWEST, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_NONE, Icr.X2APIC_BROADCAST);
        l[0].setSoftwareEnabled(false);
        Recorder r = new Recorder();
        assertThat(d.deliver(-1, irq, r)).isEqualTo(1);
        assertThat(r.offered).containsExactly(1);
        l[1].setSoftwareEnabled(false);
        l[2].setSoftwareEnabled(false);
        Recorder none = new Recorder();
        assertThat(d.deliver(-1, irq, none)).isEqualTo(-1);
        assertThat(none.offered).isEmpty();
    }

    @Test
    void lowestPrioritySelfIpiGoesToTheSenderAndBumpsItsArbPrio() {
        Lapic[] l = x2apic(3);
        ApicDelivery d = new ApicDelivery(l, new ApicMap(l), false);
        long irq = Icr.encode(0x40, Icr.DM_LOWEST, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_SELF, 0);
        Recorder r = new Recorder();
        assertThat(d.deliver(2, irq, r)).isEqualTo(1);
        assertThat(d.lastUsedSlowPath()).isFalse();
        assertThat(r.offered).containsExactly(2);
        assertThat(l[2].arbPrio()).isEqualTo(1);
    }
}
