package dev.kvmfleetsim.hostsim.model.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.sched.Eevdf;
import dev.kvmfleetsim.hostsim.model.sched.EevdfParams;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * F13 (kvm-model §9, §6.4, §6.5): a same-rq {@code yield_to(S→R)} where R is ineligible ({@code v_R > V}) and a third,
 * eligible task T exists. Upstream, S forfeits, PICK_BUDDY skips R and T runs; with the series' scheduler side
 * (patches 01 to 05) R is credited to lag ≥ margin and is picked, and the forced local resched happens at most once
 * per 6 ms per rq while the credit applies on every yield.
 */
class F13YieldToLagCreditTest {
    private static final long MS = 1_000_000L;
    private static final long YIELD_AT = 2_500_000L;

    /** The three tasks of the scenario on one rq, in the state of the yield at 2.5 ms. */
    private record Scenario(Eevdf rq, int s, int r, int t) {}

    /**
     * R, S and T are queued at 0 (v = 0, d = 1.4 ms each). R is picked and runs 2 ms (1 ms ticks), past its deadline:
     * v_R = 2 ms, a new slice, a resched. The pick takes S (eligible, earliest deadline, queued before T). S runs
     * 0.5 ms and spins: v_S = 0.5 ms, V = 2.5/3 ms, so R is ineligible while S and T are eligible.
     */
    private static Scenario scenario(EevdfParams params) {
        Eevdf rq = new Eevdf(params);
        int r = rq.addEntity(1024);
        int s = rq.addEntity(1024);
        int t = rq.addEntity(1024);
        rq.enqueue(r, 0, true);
        rq.enqueue(s, 0, true);
        rq.enqueue(t, 0, true);
        assertThat(rq.pick(0)).isEqualTo(r);
        assertThat(rq.updateCurr(1 * MS)).isFalse();
        assertThat(rq.updateCurr(2 * MS)).as("R reached its deadline").isTrue();
        assertThat(rq.pick(2 * MS)).isEqualTo(s);
        rq.updateCurr(YIELD_AT);
        assertThat(rq.eligible(r)).as("v_R > V").isFalse();
        assertThat(rq.vruntime(r)).isGreaterThan(rq.avgVruntime());
        assertThat(rq.eligible(s)).isTrue();
        assertThat(rq.eligible(t)).isTrue();
        return new Scenario(rq, s, r, t);
    }

    @Test
    @DisplayName("F13 upstream: S forfeits (v := d), PICK_BUDDY skips the ineligible R, T runs")
    void upstreamSkipsTheIneligibleBuddy() {
        Scenario sc = scenario(EevdfParams.upstream());
        Eevdf rq = sc.rq();
        long dS = rq.deadline(sc.s());
        assertThat(Eevdf.yieldTo(rq, sc.s(), rq, sc.r(), YIELD_AT, true)).isEqualTo(1);
        assertThat(rq.vruntime(sc.s())).as("forfeit").isEqualTo(dS);
        assertThat(rq.deadline(sc.s())).isEqualTo(dS + rq.vslice(sc.s()));
        assertThat(rq.eligible(sc.s())).isFalse();
        assertThat(rq.nextBuddy()).isEqualTo(sc.r());
        assertThat(rq.eligible(sc.r())).isFalse();

        assertThat(rq.pick(YIELD_AT)).as("T runs, not the buddy").isEqualTo(sc.t());
        assertThat(rq.isQueued(sc.r())).as("R stays queued").isTrue();
        assertThat(rq.creditsApplied()).isZero();
        assertThat(rq.forcedResched()).isZero();
    }

    @Test
    @DisplayName("F13 with patches 01-05: R is credited to lag >= margin and PICK_BUDDY picks it")
    void lagCreditMakesTheBuddyThePick() {
        Scenario sc = scenario(EevdfParams.defaults());
        Eevdf rq = sc.rq();
        long margin = rq.creditMargin(sc.r());
        assertThat(margin).as("k = 0.02 · 3 queued · 2.8 ms").isEqualTo(168_000);

        assertThat(Eevdf.yieldTo(rq, sc.s(), rq, sc.r(), YIELD_AT, true)).isEqualTo(1);
        assertThat(rq.creditsApplied()).isOne();
        assertThat(rq.lag(sc.r())).isGreaterThanOrEqualTo(margin);
        assertThat(rq.eligible(sc.r())).isTrue();
        assertThat(rq.forcedResched()).isOne();
        assertThat(rq.needResched()).isTrue();
        assertThat(rq.vprot(sc.s())).as("protection cancelled").isLessThanOrEqualTo(rq.vruntime(sc.s()));

        assertThat(rq.pick(YIELD_AT)).as("the credited buddy").isEqualTo(sc.r());
        assertThat(rq.nextBuddy()).isEqualTo(-1);
    }

    @Test
    @DisplayName("F13: two yields 1 ms apart force one resched, 7 ms apart two; both are credited")
    void forcedReschedIsRateLimitedTo6msPerRq() {
        assertThat(forcedAfterSecondYield(1 * MS)).isEqualTo(1);
        assertThat(forcedAfterSecondYield(7 * MS)).isEqualTo(2);
    }

    /**
     * The scenario's yield S→R at 2.5 ms and the pick of R; then 1 ms ticks until {@code gap} later, when the running
     * task yields to a waiting ineligible task. Returns the forced-resched count; asserts both yields were credited.
     */
    private static long forcedAfterSecondYield(long gap) {
        Scenario sc = scenario(EevdfParams.defaults());
        Eevdf rq = sc.rq();
        assertThat(Eevdf.yieldTo(rq, sc.s(), rq, sc.r(), YIELD_AT, true)).isEqualTo(1);
        assertThat(rq.pick(YIELD_AT)).isEqualTo(sc.r());
        long second = YIELD_AT + gap;
        for (long now = YIELD_AT + MS; now <= second; now += MS) {
            if (rq.updateCurr(now)) {
                rq.pick(now);
            }
        }
        int yielder = rq.curr();
        int target = -1;
        for (int id : new int[] {sc.s(), sc.r(), sc.t()}) {
            if (id != yielder && !rq.eligible(id)) {
                target = id;
            }
        }
        assertThat(target).as("an ineligible waiter %d ms later", gap / MS).isNotNegative();
        assertThat(Eevdf.yieldTo(rq, yielder, rq, target, second, true)).isEqualTo(1);
        assertThat(rq.creditsApplied()).as("the credit applies on every yield").isEqualTo(2);
        assertThat(rq.lag(target)).isGreaterThanOrEqualTo(rq.creditMargin(target));
        assertThat(rq.pick(second)).isEqualTo(target);
        return rq.forcedResched();
    }
}
