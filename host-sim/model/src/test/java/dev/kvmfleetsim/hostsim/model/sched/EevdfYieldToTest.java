package dev.kvmfleetsim.hostsim.model.sched;

import static dev.kvmfleetsim.hostsim.model.sched.Ticks.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code yield_to} return codes, the forfeit, and the series' lag credit primitives (kvm-model §5.4, §6.4, §6.5). */
class EevdfYieldToTest {

    /** Three nice-0 entities queued at 0; entity 0 is curr. */
    private static Eevdf three(EevdfParams p) {
        Eevdf rq = new Eevdf(p);
        for (int i = 0; i < 3; i++) {
            rq.enqueue(rq.addEntity(1024), 0, true);
        }
        assertThat(rq.pick(0)).isZero();
        return rq;
    }

    private static Eevdf single(EevdfParams p) {
        Eevdf rq = new Eevdf(p);
        rq.enqueue(rq.addEntity(1024), 0, true);
        rq.pick(0);
        return rq;
    }

    @Test
    void anEligibleYielderForfeitsItsSlice() {
        Eevdf rq = three(EevdfParams.upstream());
        rq.updateCurr(500_000);
        rq.setCurr(1, 500_000); // b: v = 0 <= V, eligible
        long d = rq.deadline(1);
        assertThat(rq.eligible(1)).isTrue();
        assertThat(Eevdf.yieldTo(rq, 1, rq, 2, 500_000, true)).isEqualTo(1);
        assertThat(rq.vruntime(1)).as("v := d").isEqualTo(d);
        assertThat(rq.deadline(1)).as("d += vslice").isEqualTo(d + 2_800_000);
        assertThat(rq.forfeits()).isOne();
        assertThat(rq.nextBuddy()).isEqualTo(2);
        assertThat(rq.needResched()).as("the yielder calls schedule()").isTrue();
        assertThat(rq.avgVruntime()).isEqualTo(Ticks.recomputedV(rq));
        assertThat(rq.pick(500_000)).as("the eligible buddy").isEqualTo(2);
    }

    @Test
    void anIneligibleYielderKeepsVruntimeAndDeadline() {
        Eevdf rq = three(EevdfParams.upstream());
        rq.updateCurr(1 * MS); // a: v = 1 ms > V = 1/3 ms
        assertThat(rq.eligible(0)).isFalse();
        long v = rq.vruntime(0);
        long d = rq.deadline(0);
        assertThat(Eevdf.yieldTo(rq, 0, rq, 1, 1 * MS, true)).isEqualTo(1);
        assertThat(rq.vruntime(0)).isEqualTo(v);
        assertThat(rq.deadline(0)).isEqualTo(d);
        assertThat(rq.forfeits()).isZero();
        assertThat(rq.nextBuddy()).isEqualTo(1);
    }

    @Test
    void aLoneYielderYieldingCrossRqDoesNotForfeit() {
        Eevdf local = single(EevdfParams.upstream());
        Eevdf remote = three(EevdfParams.upstream());
        long d = local.deadline(0);
        assertThat(Eevdf.yieldTo(local, 0, remote, 2, 0, true)).isEqualTo(1);
        assertThat(local.deadline(0)).isEqualTo(d);
        assertThat(local.forfeits()).isZero();
        assertThat(remote.nextBuddy()).isEqualTo(2);
        assertThat(remote.needResched()).as("preempt: resched_curr(p_rq)").isTrue();
    }

    @Test
    void bothQueuesWithOneTaskReturnEsrch() {
        Eevdf a = single(EevdfParams.defaults());
        Eevdf b = single(EevdfParams.defaults());
        assertThat(Eevdf.yieldTo(a, 0, b, 0, 1 * MS, true))
                .isEqualTo(-Eevdf.ESRCH)
                .isEqualTo(-3);
        assertThat(b.nextBuddy()).isEqualTo(-1);
        assertThat(a.needResched()).isFalse();
        b.setRt(0, true);
        assertThat(Eevdf.yieldTo(a, 0, b, 0, 1 * MS, true))
                .as("-ESRCH is checked before the class")
                .isEqualTo(-3);
    }

    @Test
    void rtClassMakesYieldToANoOp() {
        Eevdf rq = three(EevdfParams.defaults());
        rq.setRt(0, true);
        long d = rq.deadline(0);
        assertThat(Eevdf.yieldTo(rq, 0, rq, 1, 0, true))
                .as("an RT yielder has no yield_to_task")
                .isZero();
        assertThat(rq.nextBuddy()).isEqualTo(-1);
        assertThat(rq.deadline(0)).isEqualTo(d);
        rq.setRt(0, false);
        rq.setRt(1, true);
        assertThat(Eevdf.yieldTo(rq, 0, rq, 1, 0, true)).as("classes differ").isZero();
        assertThat(rq.directedYields()).isZero();
    }

    @Test
    void aRunningOrNonRunnableTargetFails() {
        Eevdf local = three(EevdfParams.defaults());
        Eevdf remote = three(EevdfParams.defaults());
        assertThat(Eevdf.yieldTo(local, 0, remote, 0, 0, true))
                .as("target on a CPU")
                .isZero();
        assertThat(Eevdf.yieldTo(local, 0, local, 0, 0, true)).as("itself").isZero();
        remote.dequeue(2, 0, true);
        assertThat(Eevdf.yieldTo(local, 0, remote, 2, 0, true)).as("asleep").isZero();
        remote.updateCurr(2 * MS);
        remote.dequeue(0, 2 * MS, true); // ineligible: delayed
        remote.pick(2 * MS);
        assertThat(remote.isDelayed(0)).isTrue();
        assertThat(Eevdf.yieldTo(local, 0, remote, 0, 2 * MS, true))
                .as("sched_delayed is asleep")
                .isZero();
        assertThat(local.directedYields()).isZero();
        assertThatThrownBy(() -> Eevdf.yieldTo(local, 1, local, 2, 2 * MS, true))
                .as("only curr can yield")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void crossRqYieldGetsNoLagCredit() {
        Eevdf local = three(EevdfParams.defaults());
        Eevdf remote = three(EevdfParams.defaults());
        remote.setCurr(1, 0);
        remote.updateCurr(2 * MS);
        remote.putPrev(2 * MS);
        remote.setCurr(0, 2 * MS); // entity 1 now waits, ineligible
        assertThat(remote.eligible(1)).isFalse();
        long v = remote.vruntime(1);
        assertThat(Eevdf.yieldTo(local, 0, remote, 1, 2 * MS, false)).isEqualTo(1);
        assertThat(remote.vruntime(1)).isEqualTo(v);
        assertThat(remote.creditsApplied() + local.creditsApplied()).isZero();
        assertThat(local.forcedResched()).isZero();
        assertThat(remote.needResched()).as("preempt = false").isFalse();
        assertThat(remote.nextBuddy()).isEqualTo(1);
        assertThat(remote.pickEevdf()).as("an ineligible buddy is skipped").isNotEqualTo(1);
    }

    @Test
    void creditMarginScalesWithQueueDepthAndIsClampedToTheLagLimit() {
        Eevdf small = new Eevdf(EevdfParams.defaults());
        for (int i = 0; i < 4; i++) {
            small.enqueue(small.addEntity(1024), 0, false);
        }
        assertThat(small.creditMargin(0))
                .as("default k = 0.02: 56 us per queued entity")
                .isEqualTo(224_000);
        Eevdf rq = new Eevdf(EevdfParams.defaults().withLagCreditK(0.25));
        int[] ids = new int[10];
        for (int i = 0; i < 10; i++) {
            ids[i] = rq.addEntity(1024);
        }
        for (int i = 0; i < 4; i++) {
            rq.enqueue(ids[i], 0, false);
        }
        assertThat(rq.creditMargin(0)).as("k = 1/4: one base slice at depth 4").isEqualTo(2_800_000);
        for (int i = 4; i < 10; i++) {
            rq.enqueue(ids[i], 0, false);
        }
        assertThat(rq.creditMargin(0)).as("7 ms capped at the 5.6 ms lag limit").isEqualTo(5_600_000);
    }

    @Test
    void creditOfAQueuedEntityRequeuesItConsistently() {
        Eevdf rq = three(EevdfParams.defaults());
        rq.setCurr(2, 0);
        rq.updateCurr(2 * MS);
        rq.setCurr(1, 2 * MS); // 2 waits with v = 2 ms, ineligible
        rq.updateCurr(2_500_000);
        long relDeadline = rq.deadline(2) - rq.vruntime(2);
        long m = 2_100_000;
        assertThat(rq.credit(2, m)).isTrue();
        assertThat(rq.lag(2)).isGreaterThanOrEqualTo(m).isLessThan(m + 2);
        assertThat(rq.eligible(2)).isTrue();
        assertThat(rq.deadline(2) - rq.vruntime(2))
                .as("deadline shifted by the same delta")
                .isEqualTo(relDeadline);
        assertThat(rq.avgVruntime()).as("sum_w_vruntime consistent").isEqualTo(Ticks.recomputedV(rq));
        assertThat(rq.credit(2, m)).as("already has the lag").isFalse();
    }

    @Test
    void creditOfCurrShiftsItInPlaceWithItsProtection() {
        Eevdf rq = three(EevdfParams.defaults());
        rq.updateCurr(1 * MS); // curr 0: v = 1 ms, vprot = 1.4 ms
        long window = rq.vprot(0) - rq.vruntime(0);
        assertThat(window).isPositive();
        assertThat(rq.credit(0, 1 * MS)).isTrue();
        assertThat(rq.lag(0)).isGreaterThanOrEqualTo(1 * MS);
        assertThat(rq.vprot(0) - rq.vruntime(0))
                .as("the vprot window moves along")
                .isEqualTo(window);
        assertThat(rq.curr()).isZero();
        assertThat(rq.avgVruntime()).isEqualTo(Ticks.recomputedV(rq));
    }

    @Test
    void creditDoesNothingForALoneOrSleepingEntity() {
        Eevdf rq = single(EevdfParams.defaults());
        assertThat(rq.credit(0, 1 * MS)).as("alone: lag is always 0").isFalse();
        int b = rq.addEntity(1024);
        assertThat(rq.credit(b, 1 * MS)).as("not queued").isFalse();
    }

    @Test
    void forcedReschedIsRateLimitedPerRqWhileCreditsApplyEachTime() {
        Eevdf rq = three(EevdfParams.defaults());
        long t = 0;
        int yields = 0;
        long[] at = {3 * MS, 6 * MS, 9 * MS, 12 * MS, 15 * MS};
        for (long when : at) {
            Ticks.run(rq, t, when, 1 * MS);
            t = when;
            int target = ineligibleWaiter(rq);
            assertThat(target).as("an ineligible waiter exists at %d", when).isNotNegative();
            assertThat(Eevdf.yieldTo(rq, rq.curr(), rq, target, t, true)).isEqualTo(1);
            yields++;
            assertThat(rq.creditsApplied()).isEqualTo(yields);
            rq.pick(t);
            assertThat(rq.curr()).as("the credited buddy runs").isEqualTo(target);
        }
        // forced at 3 (the first), 9 and 15 (6 ms since the last forced one); not at 6 or 12 (3 ms)
        assertThat(rq.forcedResched()).isEqualTo(3);
    }

    private static int ineligibleWaiter(Eevdf rq) {
        for (int i = rq.entityCount() - 1; i >= 0; i--) {
            if (i != rq.curr() && rq.isQueued(i) && !rq.isDelayed(i) && !rq.eligible(i)) {
                return i;
            }
        }
        return -1;
    }
}
