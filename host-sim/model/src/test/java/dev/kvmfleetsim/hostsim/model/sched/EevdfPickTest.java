package dev.kvmfleetsim.hostsim.model.sched;

import static dev.kvmfleetsim.hostsim.model.sched.Ticks.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code pick_eevdf}: single entity, PICK_BUDDY, RUN_TO_PARITY, earliest eligible deadline (kvm-model §6.3). */
class EevdfPickTest {

    /** a, b, c queued at 0 in that order: v = 0, d = 1.4 ms each. */
    private static Eevdf three(EevdfParams p) {
        Eevdf rq = new Eevdf(p);
        for (int i = 0; i < 3; i++) {
            rq.enqueue(rq.addEntity(1024), 0, true);
        }
        return rq;
    }

    @Test
    void emptyAndSingleEntity() {
        Eevdf rq = new Eevdf(EevdfParams.defaults());
        assertThat(rq.pickEevdf()).isEqualTo(-1);
        assertThat(rq.pick(0)).isEqualTo(-1);
        int a = rq.addEntity(1024);
        assertThat(rq.enqueue(a, 0, true)).as("an idle CPU reschedules").isTrue();
        assertThat(rq.needResched()).isTrue();
        assertThat(rq.pick(0)).isEqualTo(a);
        assertThat(rq.needResched()).isFalse();
        rq.updateCurr(50 * MS);
        assertThat(rq.eligible(a)).isTrue();
        assertThat(rq.pick(50 * MS)).isEqualTo(a);
        rq.dequeue(a, 60 * MS, true);
        assertThat(rq.pick(60 * MS)).as("the CPU goes idle").isEqualTo(-1);
        assertThat(rq.curr()).isEqualTo(-1);
    }

    @Test
    void earliestEligibleDeadlineWinsTiesGoToTheEarlierQueued() {
        Eevdf rq = three(EevdfParams.defaults());
        assertThat(rq.pickEevdf()).isZero();
        assertThat(rq.pick(0)).isZero();
        rq.updateCurr(2 * MS); // a: v = 2 ms, new deadline 4.8 ms, ineligible
        assertThat(rq.needResched()).isTrue();
        assertThat(rq.pick(2 * MS)).isEqualTo(1);
    }

    @Test
    void pickBuddyReturnsAnEligibleBuddyOverAnEarlierDeadline() {
        Eevdf rq = three(EevdfParams.defaults());
        rq.setNextBuddy(2);
        assertThat(rq.pickEevdf()).isEqualTo(2);
        assertThat(rq.pick(0)).isEqualTo(2);
        assertThat(rq.nextBuddy())
                .as("set_next_entity clears the buddy it picks")
                .isEqualTo(-1);

        Eevdf off = three(EevdfParams.defaults().withPickBuddy(false));
        off.setNextBuddy(2);
        assertThat(off.pickEevdf()).as("PICK_BUDDY off").isZero();
    }

    @Test
    void pickBuddySkipsAnIneligibleBuddy() {
        Eevdf rq = three(EevdfParams.defaults());
        rq.setCurr(2, 0);
        rq.updateCurr(1 * MS); // c: v = 1 ms > V = 1/3 ms
        rq.putPrev(1 * MS);
        assertThat(rq.eligible(2)).isFalse();
        rq.setNextBuddy(2);
        assertThat(rq.pickEevdf()).isZero();
        assertThat(rq.pick(1 * MS)).isZero();
        assertThat(rq.nextBuddy()).as("the hint stays").isEqualTo(2);
    }

    @Test
    void runToParityKeepsAProtectedCurrAgainstAnEarlierDeadline() {
        Eevdf rq = new Eevdf(EevdfParams.defaults());
        int a = rq.addEntity(1024);
        int b = rq.addEntity(1024);
        rq.enqueue(a, 0, true);
        rq.dequeue(a, 0, true);
        rq.enqueue(a, 0, true); // a wakeup: full slice, d = 2.8 ms
        assertThat(rq.pick(0)).isEqualTo(a);
        assertThat(rq.vprot(a)).as("min slice = a's own: vprot = d").isEqualTo(rq.deadline(a));
        rq.updateCurr(1 * MS);
        rq.enqueue(b, 1 * MS, false); // new: v = V = 1 ms, d = 2.4 ms
        assertThat(rq.deadline(b)).isLessThan(rq.deadline(a));
        assertThat(rq.eligible(a)).isTrue();
        assertThat(rq.eligible(b)).isTrue();
        assertThat(rq.protectSlice(a)).isTrue();
        assertThat(rq.pickEevdf()).as("RUN_TO_PARITY keeps a").isEqualTo(a);

        rq.updateCurr(2_800_000); // a reaches its deadline: new slice, protection over
        assertThat(rq.needResched()).isTrue();
        assertThat(rq.pick(2_800_000)).isEqualTo(b);
    }

    @Test
    void aDelayedEntityCannotBeABuddy() {
        Eevdf rq = three(EevdfParams.defaults());
        rq.pick(0);
        rq.updateCurr(2 * MS);
        rq.dequeue(0, 2 * MS, true);
        assertThat(rq.isDelayed(0)).isTrue();
        assertThatThrownBy(() -> rq.setNextBuddy(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void wakeupReschedulesAnIneligibleCurrButNotAProtectedEligibleOne() {
        Eevdf rq = new Eevdf(EevdfParams.defaults());
        int a = rq.addEntity(1024, 100 * MS);
        int b = rq.addEntity(1024, 100 * MS);
        int c = rq.addEntity(1024, 100 * MS);
        rq.enqueue(a, 0, true);
        rq.enqueue(b, 0, true);
        assertThat(rq.pick(0)).isEqualTo(a);
        rq.dequeue(b, 0, true);
        assertThat(rq.enqueue(c, 1 * MS, true))
                .as("a is eligible and protected: c waits")
                .isFalse();
        rq.updateCurr(10 * MS); // v_a = 10 ms > V = 5.5 ms, still inside its 50 ms protection
        assertThat(rq.needResched()).isFalse();
        assertThat(rq.eligible(a)).isFalse();
        assertThat(rq.enqueue(b, 10 * MS, true))
                .as("an ineligible curr is rescheduled on a wakeup")
                .isTrue();
        assertThat(rq.pick(10 * MS))
                .as("c: eligible with the earliest deadline")
                .isEqualTo(c);
    }

    @Test
    void aShorterSliceWakeeOverridesProtection() {
        Eevdf rq = new Eevdf(EevdfParams.defaults());
        int a = rq.addEntity(1024);
        int s = rq.addEntity(1024, 500_000);
        rq.enqueue(a, 0, true);
        rq.pick(0);
        assertThat(rq.protectSlice(a)).isTrue();
        assertThat(rq.enqueue(s, 100_000, true)).as("PREEMPT_SHORT").isTrue();
        assertThat(rq.vprot(a)).as("protection cancelled").isEqualTo(rq.vruntime(a));
        assertThat(rq.pick(100_000)).isEqualTo(s);
    }
}
