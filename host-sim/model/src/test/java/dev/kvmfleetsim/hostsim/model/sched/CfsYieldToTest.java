package dev.kvmfleetsim.hostsim.model.sched;

import static dev.kvmfleetsim.hostsim.model.sched.Ticks.MS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code yield_to} through the hierarchy: buddies per level, patch 04 per level, patch 05 (kvm-model §6.4, §6.5). */
class CfsYieldToTest {
    private static final int[] TWO_VMS_OF_THREE = {3, 3};

    /** libvirt layout, two VMs of three vCPUs: group of VM vm's vCPU i. */
    private static int leaf(int vm, int i) {
        return TaskGroups.perVcpuLeaf(TWO_VMS_OF_THREE, vm, i);
    }

    private static int vmGroup(int vm) {
        return 2 + vm;
    }

    @Test
    void yieldToSetsTheNextBuddyAtEveryLevelOfTheTargetsChain() {
        CfsHierarchy h = new CfsHierarchy(EevdfParams.upstream(), 1, TaskGroups.perVcpu(TWO_VMS_OF_THREE));
        CfsYieldTo y = new CfsYieldTo(h);
        int s = h.addTask(leaf(0, 0), 0, 1024);
        int r = h.addTask(leaf(0, 1), 0, 1024);
        int o = h.addTask(leaf(1, 0), 0, 1024);
        for (int t : new int[] {s, r, o}) {
            h.enqueue(t, 0, false);
        }
        assertThat(h.pick(0, 0)).isEqualTo(s);
        assertThat(y.yieldTo(s, r, 0, true)).isOne();
        assertThat(h.cfsRq(0, leaf(0, 1)).nextBuddy()).isEqualTo(h.taskEntity(r));
        assertThat(h.cfsRq(0, vmGroup(0)).nextBuddy()).isEqualTo(h.groupEntity(0, leaf(0, 1)));
        assertThat(h.cfsRq(0, 1).nextBuddy()).as("machine.slice").isEqualTo(h.groupEntity(0, vmGroup(0)));
        assertThat(h.cfsRq(0, 0).nextBuddy()).as("root").isEqualTo(h.groupEntity(0, 1));
        assertThat(h.needResched(0)).isTrue();
        assertThat(h.pick(0, 0)).as("eligible at every level: the buddy runs").isEqualTo(r);
        assertThat(y.forfeits())
                .as("the leaf forfeit of an eligible yielder (rq->nr_running > 1)")
                .isOne();
    }

    /**
     * Yielder s in group 2, target r in group 1 (their LCA is the root). Group 1's entity at the root is ineligible (it
     * ran 2 ms, group 2 none); r is eligible inside group 1. Upstream, PICK_BUDDY drops the hint at the root and s,
     * still eligible and protected there, runs again; with patch 04 the ineligible root level is credited and r runs.
     */
    @Test
    void aBuddyIneligibleAtOneLevelIsDroppedAndPatch04CreditsThatLevel() {
        for (boolean series : new boolean[] {false, true}) {
            CfsHierarchy h = new CfsHierarchy(EevdfParams.defaults().withLagCredit(series), 1, TaskGroups.perVm(2));
            CfsYieldTo y = new CfsYieldTo(h);
            int x = h.addTask(1, 0, 1024);
            int r = h.addTask(1, 0, 1024);
            int s = h.addTask(2, 0, 1024);
            h.enqueue(x, 0, false);
            h.enqueue(s, 0, false);
            assertThat(h.pick(0, 0)).isEqualTo(x);
            assertThat(h.tick(0, 1 * MS))
                    .as("protected until its first deadline, 1.4 ms")
                    .isFalse();
            assertThat(h.tick(0, 2 * MS)).isTrue();
            assertThat(h.pick(0, 2 * MS)).isEqualTo(s);
            h.enqueue(r, 2 * MS, false); // r joins group 1 at its V: eligible there
            Eevdf root = h.cfsRq(0, 0);
            int g1 = h.groupEntity(0, 1);
            assertThat(root.vruntime(g1)).isEqualTo(2 * MS);
            assertThat(root.eligible(g1)).as("v = 2 ms > V = 1 ms").isFalse();
            assertThat(h.cfsRq(0, 1).eligible(h.taskEntity(r))).isTrue();
            assertThat(y.yieldTo(s, r, 2 * MS, true)).isOne();
            assertThat(root.nextBuddy()).isEqualTo(g1);
            if (!series) {
                assertThat(h.pick(0, 2 * MS))
                        .as("dropped at the root: the yielder again")
                        .isEqualTo(s);
                assertThat(y.creditsApplied()).isZero();
            } else {
                assertThat(root.eligible(g1)).as("credited at the root").isTrue();
                assertThat(root.lag(g1)).isGreaterThanOrEqualTo(root.creditMargin(g1));
                assertThat(y.creditsApplied()).as("only the ineligible level").isOne();
                assertThat(h.pick(0, 2 * MS)).isEqualTo(r);
            }
        }
    }

    @Test
    void theCreditStopsAtTheLcaLevel() {
        // s and r in one VM (per_vm): the LCA is the VM's group; the VM's entity at the root is s's running ancestor
        CfsHierarchy h = new CfsHierarchy(EevdfParams.defaults(), 1, TaskGroups.perVm(2));
        CfsYieldTo y = new CfsYieldTo(h);
        int s = h.addTask(1, 0, 1024);
        int r = h.addTask(1, 0, 1024);
        int o = h.addTask(2, 0, 1024);
        h.enqueue(s, 0, false);
        h.enqueue(o, 0, false);
        h.pick(0, 0);
        h.tick(0, 1 * MS);
        h.enqueue(r, 1 * MS, false);
        Eevdf root = h.cfsRq(0, 0);
        long v = root.vruntime(h.groupEntity(0, 1));
        assertThat(root.eligible(h.groupEntity(0, 1))).isFalse();
        assertThat(y.yieldTo(s, r, 1 * MS, true)).isOne();
        assertThat(root.vruntime(h.groupEntity(0, 1)))
                .as("above the LCA: not credited")
                .isEqualTo(v);
    }

    /**
     * Patch 05 observable: a cross-rq yield by s, which shares VM 0's cfs_rq on CPU 0 with its sibling u. Upstream the
     * leaf forfeit changes nothing where the pick is decided (s is alone in its vcpu group) and s's group entity is
     * still eligible and protected inside VM 0, so s is picked again: the futile yield. Patch 05 cancels the
     * protection along s's chain, and u (eligible, no later deadline) runs.
     */
    @Test
    void patch05ForcedReschedLetsTheYieldersSiblingRun() {
        for (boolean series : new boolean[] {false, true}) {
            CfsHierarchy h = new CfsHierarchy(
                    EevdfParams.defaults().withLagCredit(series), 2, TaskGroups.perVcpu(TWO_VMS_OF_THREE));
            CfsYieldTo y = new CfsYieldTo(h);
            int s = h.addTask(leaf(0, 0), 0, 1024);
            int u = h.addTask(leaf(0, 1), 0, 1024);
            int r = h.addTask(leaf(0, 2), 1, 1024);
            int o = h.addTask(leaf(1, 0), 1, 1024);
            for (int t : new int[] {s, u, r, o}) {
                h.enqueue(t, 0, false);
            }
            assertThat(h.pick(0, 0)).isEqualTo(s);
            // on CPU 1, VM 0 weighs 1024 · 1024 / 3072 = 341 and VM 1 1024: VM 1's earlier initial deadline wins
            assertThat(h.shares(1, vmGroup(0))).isEqualTo(341);
            assertThat(h.pick(1, 0)).as("the target waits on CPU 1").isEqualTo(o);
            Eevdf vm0 = h.cfsRq(0, vmGroup(0));
            int sSe = h.groupEntity(0, leaf(0, 0));
            assertThat(vm0.eligible(sSe)).isTrue();
            assertThat(vm0.protectSlice(sSe)).isTrue();
            assertThat(y.yieldTo(s, r, 0, true)).isOne();
            assertThat(h.cfsRq(1, vmGroup(0)).nextBuddy()).isEqualTo(h.groupEntity(1, leaf(0, 2)));
            assertThat(y.creditsApplied()).as("no credit across run queues").isZero();
            if (!series) {
                assertThat(h.pick(0, 0))
                        .as("upstream: the protected yielder again")
                        .isEqualTo(s);
                assertThat(y.forcedResched()).isZero();
            } else {
                assertThat(vm0.protectSlice(sSe)).isFalse();
                assertThat(h.pick(0, 0)).as("patch 05: the sibling").isEqualTo(u);
                assertThat(y.forcedResched()).isOne();
                // rate limit: at most once per 6 ms per run queue
                h.pick(0, 0);
                assertThat(h.running(0)).isEqualTo(u);
            }
        }
    }

    @Test
    void patch05IsRateLimitedPerRunQueue() {
        CfsHierarchy h = new CfsHierarchy(EevdfParams.defaults(), 2, TaskGroups.perVcpu(TWO_VMS_OF_THREE));
        CfsYieldTo y = new CfsYieldTo(h);
        int s = h.addTask(leaf(0, 0), 0, 1024);
        int u = h.addTask(leaf(0, 1), 0, 1024);
        int r = h.addTask(leaf(0, 2), 1, 1024);
        int o = h.addTask(leaf(1, 0), 1, 1024);
        for (int t : new int[] {s, u, r, o}) {
            h.enqueue(t, 0, false);
        }
        h.pick(0, 0);
        assertThat(h.pick(1, 0)).isEqualTo(o);
        assertThat(y.yieldTo(s, r, 1 * MS, true)).isOne();
        assertThat(h.pick(0, 1 * MS)).isEqualTo(u);
        assertThat(y.yieldTo(u, r, 2 * MS, true)).isOne();
        assertThat(y.forcedResched())
                .as("second yield within 6 ms: no forced resched")
                .isOne();
        assertThat(y.yieldTo(h.running(0), r, 8 * MS, true)).isOne();
        assertThat(y.forcedResched()).isEqualTo(2);
    }
}
