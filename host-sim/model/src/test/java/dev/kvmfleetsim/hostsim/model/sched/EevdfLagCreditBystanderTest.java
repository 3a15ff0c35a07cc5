package dev.kvmfleetsim.hostsim.model.sched;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The series' lag credit (patches 01 to 04) gives a yield target lag by moving it back, which lowers V and so every other
 * queued entity's lag. Bystanders that wait through a long S↔R yield ping-pong on their run queue must not pay for it
 * beyond the legal bound: their lag V − v never goes below −{@link Eevdf#lagLimit} (review H3; issue 12 item 6).
 */
class EevdfLagCreditBystanderTest {
    private static final long US = 1_000;

    /**
     * @param yielderAloneInGroup no forfeit at this level, only the credit: a per_vcpu LCA cfs_rq of group entities
     * @param runUs how long each of the pair runs before it yields to the other
     * @param bystanders queued entities that never run
     * @param k the margin's scale (the default and a large one)
     */
    @ParameterizedTest(name = "forfeit skipped: {0}, runs of {1} us, {2} bystanders, k = {3}")
    @CsvSource({
        "false, 50, 1, 0.02", "true, 50, 1, 0.02", "false, 5, 6, 0.02", "true, 5, 6, 0.02", "true, 500, 6, 0.02",
        "false, 50, 1, 0.5", "true, 50, 1, 0.5", "false, 5, 6, 0.5", "true, 5, 6, 0.5", "true, 500, 6, 0.5"
    })
    void bystandersKeepTheirLagWithinTheLegalBoundThroughAThousandYieldPingPongs(
            boolean yielderAloneInGroup, long runUs, int bystanders, double k) {
        Eevdf rq = new Eevdf(
                EevdfParams.upstream().withLagCredit(true).withLagCreditK(k).withPickBuddy(true), 4);
        long now = 0;
        int s = rq.addEntity(Eevdf.NICE_0_LOAD);
        int r = rq.addEntity(Eevdf.NICE_0_LOAD);
        rq.enqueue(s, now, true);
        rq.enqueue(r, now, true);
        for (int b = 0; b < bystanders; b++) {
            rq.enqueue(rq.addEntity(Eevdf.NICE_0_LOAD), now, true);
        }
        rq.setCurr(s, now);

        long lowest = Long.MAX_VALUE;
        long credits = 0;
        int yielder = s;
        int target = r;
        for (int i = 0; i < 1_000; i++) {
            // The yielder spins, then yields to the other (a lock waiter and the preempted holder, in turn).
            now += runUs * US;
            rq.updateCurr(now);
            long before = rq.creditsApplied();
            if (yielderAloneInGroup) {
                // The LCA level under per_vcpu: the forfeit lands in the yielder's own leaf, here only the credit acts.
                credits += rq.credit(target, rq.creditMargin(target)) ? 1 : 0;
            } else {
                Eevdf.yieldTo(rq, yielder, rq, target, now, true);
            }
            credits += rq.creditsApplied() - before;
            // Whatever schedule() would pick, the pair keeps the CPU; the bystanders wait queued.
            rq.putPrev(now);
            rq.setCurr(target, now);
            for (int b = 2; b < 2 + bystanders; b++) {
                long lag = rq.avgVruntime() - rq.vruntime(b);
                lowest = Math.min(lowest, lag);
                assertThat(lag)
                        .as("bystander %d's lag after ping-pong %d", b, i)
                        .isGreaterThanOrEqualTo(-rq.lagLimit(b));
            }
            int t = yielder;
            yielder = target;
            target = t;
        }
        assertThat(credits).as("the credit did act").isGreaterThan(0);
    }
}
