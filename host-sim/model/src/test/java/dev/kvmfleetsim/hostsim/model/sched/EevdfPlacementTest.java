package dev.kvmfleetsim.hostsim.model.sched;

import static dev.kvmfleetsim.hostsim.model.sched.Ticks.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Wakeup placement (PLACE_LAG), DELAY_DEQUEUE and run delay (kvm-model §6.2). */
class EevdfPlacementTest {

    /** a, b, c queued at 0, a picked. */
    private static Eevdf three(EevdfParams p) {
        Eevdf rq = new Eevdf(p);
        for (int i = 0; i < 3; i++) {
            rq.enqueue(rq.addEntity(1024), 0, true);
        }
        assertThat(rq.pick(0)).isZero();
        return rq;
    }

    @Test
    void wakeupPlacementPreservesPositiveLag() {
        Eevdf rq = three(EevdfParams.upstream());
        rq.updateCurr(1 * MS); // a: v = 1 ms, V = 1/3 ms; b, c have lag +1/3 ms
        assertThat(rq.dequeue(2, 1 * MS, true)).isTrue();
        long saved = rq.vlag(2);
        assertThat(saved).isEqualTo(333_333);

        Ticks.run(rq, 1 * MS, 40 * MS, 1 * MS); // a and b run on; V moves
        rq.enqueue(2, 40 * MS, true);
        assertThat(rq.lag(2)).as("lag after the wakeup equals the saved lag").isCloseTo(saved, within(1L));
        assertThat(rq.avgVruntime()).isEqualTo(Ticks.recomputedV(rq));
    }

    @Test
    void wakeupPlacementPreservesNegativeLagWithoutDelayDequeue() {
        Eevdf rq = three(EevdfParams.upstream().withDelayDequeue(false));
        rq.updateCurr(2 * MS); // a: v = 2 ms > V = 2/3 ms
        assertThat(rq.dequeue(0, 2 * MS, true))
                .as("ineligible, but DELAY_DEQUEUE is off")
                .isTrue();
        assertThat(rq.vlag(0)).isEqualTo(-1_333_334);
        rq.pick(2 * MS);
        Ticks.run(rq, 2 * MS, 30 * MS, 1 * MS);
        rq.enqueue(0, 30 * MS, true);
        assertThat(rq.lag(0)).isCloseTo(rq.vlag(0), within(1L));
        assertThat(rq.eligible(0)).isFalse();
    }

    @Test
    void ineligibleSleeperStaysQueuedAsDelayedUntilPicked() {
        Eevdf rq = three(EevdfParams.upstream());
        rq.updateCurr(2 * MS); // a ineligible
        assertThat(rq.dequeue(0, 2 * MS, true)).as("delayed, not dequeued").isFalse();
        assertThat(rq.isDelayed(0)).isTrue();
        assertThat(rq.isQueued(0)).isTrue();
        assertThat(rq.nrQueued()).isEqualTo(3);
        long v0 = rq.vruntime(0);

        int next = rq.pick(2 * MS);
        assertThat(next).as("an ineligible delayed entity is not picked").isIn(1, 2);
        assertThat(rq.isDelayed(0)).isTrue();

        long t = 2 * MS;
        while (rq.isQueued(0)) {
            t += 1 * MS;
            if (rq.updateCurr(t)) {
                assertThat(rq.pick(t)).as("a delayed entity never runs").isNotZero();
            }
        }
        assertThat(rq.vruntime(0)).as("it did not run while delayed").isEqualTo(v0);
        assertThat(rq.isDelayed(0)).isFalse();
        assertThat(rq.nrQueued()).isEqualTo(2);
        assertThat(rq.vlag(0))
                .as("picked when eligible; DELAY_ZERO clips the positive lag to 0")
                .isZero();
        assertThat(rq.runDelayNs(0, t)).as("a sleeper has no run delay").isZero();
    }

    @Test
    void delayZeroClipsThePositiveLagOfADelayedEntityWhenItIsPicked() {
        for (boolean delayZero : new boolean[] {true, false}) {
            EevdfParams p = EevdfParams.upstream();
            p = new EevdfParams(
                    p.baseSliceNs(),
                    p.tickNs(),
                    true,
                    delayZero,
                    p.pickBuddy(),
                    p.runToParity(),
                    false,
                    p.lagCreditK(),
                    p.forcedReschedIntervalNs(),
                    p.balanceIntervalNs());
            Eevdf rq = new Eevdf(p);
            int a = rq.addEntity(1024);
            int b = rq.addEntity(1024);
            rq.enqueue(a, 0, true);
            rq.enqueue(b, 0, true);
            assertThat(rq.pick(0)).isEqualTo(a);
            rq.updateCurr(2 * MS); // v_a = 2 ms > V = 1 ms
            assertThat(rq.dequeue(a, 2 * MS, true)).isFalse();
            assertThat(rq.pick(2 * MS)).isEqualTo(b);
            rq.updateCurr(12 * MS); // b hogs: V = 6 ms, a's lag +4 ms
            assertThat(rq.lag(a)).isEqualTo(4 * MS);
            assertThat(rq.pick(12 * MS))
                    .as("a is picked, really dequeued, and b picked again")
                    .isEqualTo(b);
            assertThat(rq.isQueued(a)).isFalse();
            assertThat(rq.vlag(a)).as("DELAY_ZERO=%s", delayZero).isEqualTo(delayZero ? 0 : 4 * MS);
        }
    }

    @Test
    void eligibleSleeperLeavesAtOnceKeepingPositiveLag() {
        Eevdf rq = three(EevdfParams.upstream());
        rq.updateCurr(1 * MS);
        rq.dequeue(0, 1 * MS, true); // curr a, v = 1 ms > V: delayed
        rq.pick(1 * MS);
        int curr = rq.curr();
        int other = 3 - curr;
        assertThat(rq.eligible(other)).isTrue();
        assertThat(rq.dequeue(other, 1 * MS, true)).isTrue();
        assertThat(rq.isQueued(other)).isFalse();
        assertThat(rq.vlag(other))
                .as("DELAY_ZERO only applies to delayed entities")
                .isPositive();
    }

    @Test
    void wakingADelayedEntityRequeuesItInPlace() {
        Eevdf rq = three(EevdfParams.upstream());
        rq.updateCurr(2 * MS);
        rq.dequeue(0, 2 * MS, true);
        rq.pick(2 * MS);
        long v = rq.vruntime(0);
        rq.enqueue(0, 2 * MS, true);
        assertThat(rq.isDelayed(0)).isFalse();
        assertThat(rq.nrQueued()).isEqualTo(3);
        assertThat(rq.vruntime(0)).as("negative lag: no re-placement").isEqualTo(v);
        assertThat(rq.avgVruntime()).isEqualTo(Ticks.recomputedV(rq));
    }

    @Test
    void wakingADelayedEntityWithPositiveLagPlacesItAtZeroLag() {
        Eevdf rq = three(EevdfParams.upstream());
        rq.updateCurr(2 * MS);
        rq.dequeue(0, 2 * MS, true);
        int runner = rq.pick(2 * MS);
        rq.updateCurr(12 * MS); // no pick in between: the runner hogs, a's lag turns positive
        assertThat(rq.lag(0)).isPositive();
        rq.enqueue(0, 12 * MS, true);
        assertThat(rq.isDelayed(0)).isFalse();
        assertThat(rq.lag(0)).isCloseTo(0L, within(1L));
        assertThat(rq.curr()).isEqualTo(runner);
        assertThat(rq.avgVruntime()).isEqualTo(Ticks.recomputedV(rq));
    }

    @Test
    void withoutDelayDequeueAnIneligibleSleeperLeavesWithNegativeLag() {
        Eevdf rq = three(EevdfParams.upstream().withDelayDequeue(false));
        rq.updateCurr(2 * MS);
        assertThat(rq.dequeue(0, 2 * MS, true)).isTrue();
        assertThat(rq.isQueued(0)).isFalse();
        assertThat(rq.vlag(0)).isNegative();
        assertThat(rq.nrQueued()).isEqualTo(2);
    }

    @Test
    void runDelayCountsQueuedWaitingOnly() {
        Eevdf rq = new Eevdf(EevdfParams.defaults());
        int a = rq.addEntity(1024);
        int b = rq.addEntity(1024);
        rq.enqueue(a, 0, true);
        rq.enqueue(b, 1 * MS, true);
        assertThat(rq.pick(1 * MS)).isEqualTo(a);
        assertThat(rq.runDelayNs(a)).isEqualTo(1 * MS);
        assertThat(rq.runDelayNs(b, 3 * MS)).as("in progress").isEqualTo(2 * MS);
        assertThat(rq.runDelayNs(b)).as("completed waits only").isZero();
        rq.setCurr(b, 4 * MS);
        assertThat(rq.runDelayNs(b)).isEqualTo(3 * MS);
        assertThat(rq.runDelayNs(a, 6 * MS)).isEqualTo(1 * MS + 2 * MS);
        rq.dequeue(a, 6 * MS, false);
        assertThat(rq.runDelayNs(a, 20 * MS)).as("off the queue: no run delay").isEqualTo(3 * MS);
    }

    @Test
    void migrationCarriesLagAndRelativeDeadline() {
        Eevdf src = new Eevdf(EevdfParams.upstream());
        Eevdf dst = new Eevdf(EevdfParams.upstream());
        for (int i = 0; i < 2; i++) {
            src.addEntity(1024);
            dst.addEntity(1024);
        }
        src.enqueue(0, 0, true);
        src.enqueue(1, 0, true);
        src.pick(0);
        src.updateCurr(1 * MS); // entity 1 waits with lag +0.5 ms
        long lag = src.lag(1);
        long relDeadline = src.deadline(1) - src.vruntime(1);
        assertThat(Eevdf.migrate(src, dst, 1, 1 * MS)).as("dst was idle").isTrue();
        assertThat(src.isQueued(1)).isFalse();
        assertThat(dst.isQueued(1)).isTrue();
        assertThat(dst.nrQueued()).isEqualTo(1);
        assertThat(dst.lag(1)).as("alone on dst: placement ignores lag").isZero();
        assertThat(dst.vlag(1)).isEqualTo(lag);
        assertThat(dst.deadline(1) - dst.vruntime(1)).isEqualTo(relDeadline);
        assertThat(dst.runDelayNs(1)).isEqualTo(1 * MS);
    }
}
