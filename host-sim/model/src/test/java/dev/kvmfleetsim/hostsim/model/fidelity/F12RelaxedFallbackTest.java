package dev.kvmfleetsim.hostsim.model.fidelity;

import static dev.kvmfleetsim.hostsim.model.yield.FakeVcpus.ESRCH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.yield.BoostCause;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYield;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYieldParams;
import dev.kvmfleetsim.hostsim.model.yield.FakeVcpus;
import dev.kvmfleetsim.hostsim.model.yield.IpiReceiverQuery;
import dev.kvmfleetsim.hostsim.model.yield.SpinFailure;
import dev.kvmfleetsim.hostsim.model.yield.SpinResult;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * F12 (kvm-model §9, §5.8): when patch 09's strict pass boosts no one, patch 10's second pass yields to any
 * {@code ready ∧ preempted} vCPU that passes the dy_eligible check; switching {@code enable_relaxed_boost} off lowers
 * the successful yields per PLE exit where there are no IPI relationships. Also the v2 code's try-budget edge case.
 */
class F12RelaxedFallbackTest {
    private static final int VCPUS = 8;

    private static DirectedYield series(FakeVcpus vcpus, boolean relaxed) {
        return new DirectedYield(
                VCPUS, DirectedYieldParams.seriesDefaults().withRelaxedBoost(relaxed), vcpus, IpiReceiverQuery.NONE);
    }

    @Test
    @DisplayName("F12: strict pass finds none, the relaxed pass yields to the first ready and preempted vCPU")
    void relaxedPassYieldsToReadyPreempted() {
        FakeVcpus vcpus =
                new FakeVcpus(VCPUS).woken(1).halted(2).preempted(3, false).preempted(5, false);
        SpinResult r = series(vcpus, true).onSpin(0, true, 0);
        assertThat(r.target()).isEqualTo(3);
        assertThat(r.cause()).isEqualTo(BoostCause.RELAXED_FALLBACK);
        assertThat(r.passes()).isEqualTo(2);
        assertThat(vcpus.yieldCalls()).containsExactly(3);

        FakeVcpus same =
                new FakeVcpus(VCPUS).woken(1).halted(2).preempted(3, false).preempted(5, false);
        assertThat(series(same, false).onSpin(0, true, 0).failure()).isEqualTo(SpinFailure.NO_CANDIDATE);
    }

    @Test
    @DisplayName("F12: the relaxed pass honours dy_eligible: an in-spin-loop candidate passes every other time")
    void relaxedPassHonoursDyEligible() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        DirectedYield dy = series(vcpus, true);
        dy.onSpinDeferringFinish(4, true, 0);
        vcpus.preempted(4, false);

        SpinResult first = dy.onSpin(0, true, 1);
        assertThat(first.boosted())
                .as("strict rejects it before the toggle; relaxed toggles it")
                .isFalse();
        assertThat(dy.dyEligible(4)).isTrue();
        SpinResult second = dy.onSpin(0, true, 2);
        assertThat(second.target()).isEqualTo(4);
        assertThat(second.cause()).isEqualTo(BoostCause.RELAXED_FALLBACK);
    }

    @Test
    @DisplayName("F12 [I]: the relaxed pass toggles dy_eligible a second time within one call")
    void relaxedPassTogglesASecondTime() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        DirectedYield dy = series(vcpus, true);
        dy.onSpinDeferringFinish(4, true, 0);
        // in kernel mode it passes the strict filter; examination 1 (strict) toggles false -> true and rejects,
        // examination 2 (relaxed) finds it eligible in the same call
        vcpus.preempted(4, true);
        SpinResult r = dy.onSpin(0, true, 1);
        assertThat(r.target()).isEqualTo(4);
        assertThat(r.cause()).isEqualTo(BoostCause.RELAXED_FALLBACK);
        assertThat(dy.dyEligible(4)).isFalse();

        DirectedYield strictOnly = series(new FakeVcpus(VCPUS), false);
        assertThat(strictOnly.params().enableRelaxedBoost()).isFalse();
    }

    @Test
    @DisplayName("F12 [I]: after the strict pass used up its 3 tries the relaxed pass has no retry limit")
    void relaxedPassAfterExhaustedTriesHasNoLimit() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        for (int v = 1; v < VCPUS; v++) {
            vcpus.preempted(v, v <= 3).yieldResult(v, ESRCH);
        }
        SpinResult r = series(vcpus, true).onSpin(0, true, 0);
        // strict: 1, 2, 3 (kernel mode) -> try 0, stop; relaxed: every preempted vCPU, try goes 0 -> -1 ... -7
        assertThat(vcpus.yieldCalls()).containsExactly(1, 2, 3, 1, 2, 3, 4, 5, 6, 7);
        assertThat(r.esrch()).isEqualTo(10);
        assertThat(r.triesLeft()).isEqualTo(-7);
        assertThat(r.failure()).isEqualTo(SpinFailure.ESRCH_LIMIT);

        FakeVcpus off = new FakeVcpus(VCPUS);
        for (int v = 1; v < VCPUS; v++) {
            off.preempted(v, v <= 3).yieldResult(v, ESRCH);
        }
        series(off, false).onSpin(0, true, 0);
        assertThat(off.yieldCalls()).containsExactly(1, 2, 3);
    }

    @Test
    @DisplayName("F12: without IPI relationships, enable_relaxed_boost=0 lowers successful yields per PLE exit")
    void disablingRelaxedBoostLowersYieldsPerSpin() {
        double on = yieldsPerSpin(true);
        double off = yieldsPerSpin(false);
        assertThat(off).isLessThan(on);
        assertThat(on - off)
                .as("a material share of spins relies on the fallback")
                .isGreaterThan(0.05);
    }

    /**
     * 2000 PLE exits of vCPU 0 over random but seeded states: each other vCPU is running, halted, woken, or preempted
     * at CPL0 or CPL3 with equal odds; no IPI relationships, no APICv interrupts.
     */
    private static double yieldsPerSpin(boolean relaxed) {
        SplittableRandom random = new SplittableRandom(12);
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        DirectedYield dy = series(vcpus, relaxed);
        int spins = 2000;
        for (int s = 0; s < spins; s++) {
            for (int v = 1; v < VCPUS; v++) {
                switch (random.nextInt(5)) {
                    case 0 -> vcpus.running(v);
                    case 1 -> vcpus.halted(v);
                    case 2 -> vcpus.woken(v);
                    case 3 -> vcpus.preempted(v, true);
                    default -> vcpus.preempted(v, false);
                }
            }
            dy.onSpin(0, true, s * 1000L);
        }
        return (double) dy.boosts() / spins;
    }
}
