package dev.kvmfleetsim.hostsim.model.yield;

import static dev.kvmfleetsim.hostsim.model.yield.FakeVcpus.ESRCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link DirectedYield}: each rule of {@code kvm_vcpu_on_spin} (kvm-model §5.2) and of patches 09 and 10 (§5.7, §5.8). */
class DirectedYieldTest {
    private static final long NOW = 1_000_000;

    private static DirectedYield upstream(FakeVcpus v) {
        return new DirectedYield(16, DirectedYieldParams.upstream(), v, IpiReceiverQuery.NONE);
    }

    private static DirectedYield strict09(FakeVcpus v, IpiReceiverQuery ipi) {
        return new DirectedYield(16, new DirectedYieldParams(true, false, true, true), v, ipi);
    }

    private static DirectedYield series(FakeVcpus v, IpiReceiverQuery ipi) {
        return new DirectedYield(16, DirectedYieldParams.seriesDefaults(), v, ipi);
    }

    // ---- §5.2 step 1 ----

    @Test
    void fewerThanTwoOnlineVcpusReturnsAtOnce() {
        FakeVcpus v = new FakeVcpus(1);
        DirectedYield dy = upstream(v);
        SpinResult r = dy.onSpinDeferringFinish(0, true, NOW);
        assertThat(r.failure()).isEqualTo(SpinFailure.TOO_FEW_VCPUS);
        assertThat(r.passes()).isZero();
        assertThat(r.examined()).isZero();
        assertThat(dy.inSpinLoop(0))
                .as("returns before kvm_vcpu_set_in_spin_loop")
                .isFalse();
        assertThat(dy.failures(SpinFailure.TOO_FEW_VCPUS)).isEqualTo(1);
    }

    // ---- §5.2 step 3 filters ----

    @Test
    void skipsMeAndVcpusThatAreNotReady() {
        FakeVcpus v = new FakeVcpus(4).preempted(0, true);
        SpinResult r = upstream(v).onSpin(0, true, NOW);
        assertThat(v.yieldCalls()).isEmpty();
        assertThat(r.failure()).isEqualTo(SpinFailure.NO_CANDIDATE);
        assertThat(r.examined()).as("every vCPU but me").isEqualTo(3);
    }

    @Test
    void skipsBlockingVcpuUnlessDyRunnable() {
        FakeVcpus v = new FakeVcpus(3).woken(1).setBlocking(1, true);
        DirectedYield dy = upstream(v);
        assertThat(dy.onSpin(0, true, NOW).boosted()).isFalse();

        v.setDyRunnable(1, true);
        SpinResult r = dy.onSpin(0, true, NOW);
        assertThat(r.target()).isEqualTo(1);
        assertThat(r.cause()).isEqualTo(BoostCause.PLAIN_CANDIDATE);
    }

    @Test
    void upstreamSkipsUserModePreemptedOnlyForKernelModeYield() {
        FakeVcpus v = new FakeVcpus(3).preempted(1, false);
        assertThat(upstream(v).onSpin(0, true, NOW).failure()).isEqualTo(SpinFailure.NO_CANDIDATE);
        SpinResult r = upstream(v).onSpin(0, false, NOW);
        assertThat(r.target()).isEqualTo(1);
        assertThat(r.cause()).isEqualTo(BoostCause.PLAIN_CANDIDATE);
    }

    @Test
    void upstreamPendingPostedInterruptCountsAsInKernel() {
        FakeVcpus v = new FakeVcpus(3).preempted(1, false).setPendingPosted(1, true);
        SpinResult r = upstream(v).onSpin(0, true, NOW);
        assertThat(r.target()).isEqualTo(1);
        assertThat(r.cause()).isEqualTo(BoostCause.PENDING_INTERRUPT);
    }

    @Test
    void upstreamAcceptsKernelPreemptedAndWokenVcpus() {
        FakeVcpus v = new FakeVcpus(3).preempted(1, true);
        assertThat(upstream(v).onSpin(0, true, NOW).cause()).isEqualTo(BoostCause.PLAIN_CANDIDATE);
        FakeVcpus w = new FakeVcpus(3).woken(2);
        SpinResult r = upstream(w).onSpin(0, true, NOW);
        assertThat(r.target()).as("ready but not preempted passes step 4").isEqualTo(2);
    }

    // ---- round robin, last_boosted_vcpu, tries ----

    @Test
    void firstScanStartsAtVcpuOneAndWraps() {
        FakeVcpus v = new FakeVcpus(4);
        for (int i = 1; i < 4; i++) {
            v.preempted(i, true).yieldResult(i, 0);
        }
        DirectedYield dy = upstream(v);
        SpinResult r = dy.onSpin(2, true, NOW);
        assertThat(v.yieldCalls()).containsExactly(1, 3);
        assertThat(r.failure()).isEqualTo(SpinFailure.ALL_YIELDS_FAILED);
        assertThat(dy.lastBoostedVcpu()).isZero();
    }

    @Test
    void successStoresTheIndexAndStops() {
        FakeVcpus v = new FakeVcpus(6).preempted(3, true).preempted(4, true);
        DirectedYield dy = upstream(v);
        SpinResult r = dy.onSpin(0, true, NOW);
        assertThat(r.target()).isEqualTo(3);
        assertThat(dy.lastBoostedVcpu()).isEqualTo(3);
        assertThat(v.yieldCalls()).containsExactly(3);
        assertThat(r.examined()).as("1, 2, 3").isEqualTo(3);
    }

    @Test
    void threeEsrchStopTheScan() {
        FakeVcpus v = new FakeVcpus(8);
        for (int i = 1; i < 8; i++) {
            v.preempted(i, true).yieldResult(i, ESRCH);
        }
        DirectedYield dy = upstream(v);
        SpinResult r = dy.onSpin(0, true, NOW);
        assertThat(v.yieldCalls()).containsExactly(1, 2, 3);
        assertThat(r.esrch()).isEqualTo(3);
        assertThat(r.triesLeft()).isZero();
        assertThat(r.failure()).isEqualTo(SpinFailure.ESRCH_LIMIT);
        assertThat(dy.esrchTotal()).isEqualTo(3);
    }

    @Test
    void zeroReturnsDoNotConsumeTries() {
        FakeVcpus v = new FakeVcpus(8);
        for (int i = 1; i < 8; i++) {
            v.preempted(i, true).yieldResult(i, i % 2 == 0 ? ESRCH : 0);
        }
        SpinResult r = upstream(v).onSpin(0, true, NOW);
        // 1:0, 2:-ESRCH, 3:0, 4:-ESRCH, 5:0, 6:-ESRCH (third) stops; 7 is never tried
        assertThat(v.yieldCalls()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(r.yieldAttempts()).isEqualTo(6);
        assertThat(r.failure()).isEqualTo(SpinFailure.ESRCH_LIMIT);
    }

    // ---- dy_eligible ----

    @Test
    void candidateInItsOwnSpinLoopIsEligibleEveryOtherExamination() {
        FakeVcpus v = new FakeVcpus(3);
        DirectedYield dy = upstream(v);
        dy.onSpinDeferringFinish(2, true, NOW);
        assertThat(dy.inSpinLoop(2)).isTrue();
        v.preempted(2, true);

        assertThat(dy.onSpin(0, true, NOW).boosted()).isFalse();
        assertThat(dy.dyEligible(2)).isTrue();
        assertThat(dy.onSpin(0, true, NOW).target()).isEqualTo(2);
        assertThat(dy.dyEligible(2)).isFalse();
        assertThat(dy.onSpin(0, true, NOW).boosted()).isFalse();
        assertThat(dy.onSpin(0, true, NOW).boosted()).isTrue();

        dy.finishSpin(2);
        assertThat(dy.inSpinLoop(2)).isFalse();
        assertThat(dy.onSpin(0, true, NOW).boosted()).isTrue();
        assertThat(dy.onSpin(0, true, NOW).boosted()).isTrue();
    }

    @Test
    void ineligibleExaminationIsNotAYieldAttempt() {
        FakeVcpus v = new FakeVcpus(3);
        DirectedYield dy = upstream(v);
        dy.onSpinDeferringFinish(1, true, NOW);
        v.preempted(1, true);
        dy.onSpin(0, true, NOW);
        assertThat(v.yieldCalls()).isEmpty();
    }

    @Test
    void onSpinClearsTheSpinnersOwnFlagsAtTheEnd() {
        FakeVcpus v = new FakeVcpus(3);
        DirectedYield dy = upstream(v);
        dy.onSpinDeferringFinish(1, true, NOW);
        v.preempted(1, true);
        dy.onSpin(0, true, NOW);
        assertThat(dy.dyEligible(1)).as("toggled by vCPU 0's examination").isTrue();

        v.running(1);
        SpinResult r = dy.onSpin(1, true, NOW);
        assertThat(r.boosted()).isFalse();
        assertThat(dy.inSpinLoop(1)).isFalse();
        assertThat(dy.dyEligible(1)).isFalse();
    }

    @Test
    void filterRejectionHappensBeforeTheToggle() {
        FakeVcpus v = new FakeVcpus(3);
        DirectedYield dy = upstream(v);
        dy.onSpinDeferringFinish(1, true, NOW);
        v.preempted(1, false);
        dy.onSpin(0, true, NOW);
        assertThat(dy.dyEligible(1))
                .as("step 4 skipped it before eligible_for_directed_yield")
                .isFalse();
    }

    // ---- patch 09 ----

    @Test
    void patch09AcceptsTheIpiReceiverEvenWhenNotPreempted() {
        FakeVcpus v = new FakeVcpus(4).woken(1).woken(2);
        IpiReceiverQuery ipi = (s, c, now) -> s == 0 && c == 2;
        SpinResult r = strict09(v, ipi).onSpin(0, true, NOW);
        assertThat(r.target()).isEqualTo(2);
        assertThat(r.cause()).isEqualTo(BoostCause.IPI_RECEIVER);
        assertThat(v.yieldCalls())
                .as("vCPU 1 is woken but not preempted: rejected")
                .containsExactly(2);
    }

    @Test
    void patch09IpiRuleComesBeforeThePendingInterruptRule() {
        FakeVcpus v = new FakeVcpus(3).preempted(1, false).setPendingPosted(1, true);
        SpinResult r = strict09(v, (s, c, now) -> c == 1).onSpin(0, true, NOW);
        assertThat(r.cause()).isEqualTo(BoostCause.IPI_RECEIVER);
    }

    @Test
    void patch09AcceptsAPendingPostedInterruptEvenWhenNotPreempted() {
        FakeVcpus v = new FakeVcpus(3).woken(1).setPendingPosted(1, true);
        SpinResult r = strict09(v, IpiReceiverQuery.NONE).onSpin(0, true, NOW);
        assertThat(r.target()).isEqualTo(1);
        assertThat(r.cause()).isEqualTo(BoostCause.PENDING_INTERRUPT);
    }

    @Test
    void patch09RejectsNotPreemptedAndUserModeUnderKernelModeYield() {
        FakeVcpus v = new FakeVcpus(4).woken(1).preempted(2, false);
        assertThat(strict09(v, IpiReceiverQuery.NONE).onSpin(0, true, NOW).failure())
                .isEqualTo(SpinFailure.NO_CANDIDATE);
        SpinResult r = strict09(v, IpiReceiverQuery.NONE).onSpin(0, false, NOW);
        assertThat(r.target())
                .as("without ytkm a user-mode preempted vCPU passes")
                .isEqualTo(2);
        assertThat(r.cause()).isEqualTo(BoostCause.PLAIN_CANDIDATE);
    }

    @Test
    void patch09StillAppliesReadyAndBlockingChecksFirst() {
        FakeVcpus v = new FakeVcpus(3).halted(1);
        SpinResult r = strict09(v, (s, c, now) -> c == 1).onSpin(0, true, NOW);
        assertThat(r.failure()).as("an IPI receiver asleep in HLT is not ready").isEqualTo(SpinFailure.NO_CANDIDATE);
    }

    @Test
    void ipiQueryIsIgnoredWithoutPatch09() {
        FakeVcpus v = new FakeVcpus(3).preempted(1, false);
        DirectedYield dy = new DirectedYield(8, DirectedYieldParams.upstream(), v, (s, c, now) -> true);
        assertThat(dy.onSpin(0, true, NOW).boosted()).isFalse();
    }

    // ---- patch 10 ----

    @Test
    void relaxedPassRunsOnlyWhenTheStrictPassYieldedNothing() {
        FakeVcpus v = new FakeVcpus(4).preempted(1, false).preempted(2, true);
        DirectedYield dy = series(v, IpiReceiverQuery.NONE);
        SpinResult r = dy.onSpin(0, true, NOW);
        assertThat(r.target()).isEqualTo(2);
        assertThat(r.cause()).isEqualTo(BoostCause.PLAIN_CANDIDATE);
        assertThat(r.passes()).isEqualTo(1);
    }

    @Test
    void relaxedPassAcceptsOnlyPreemptedVcpus() {
        FakeVcpus v = new FakeVcpus(4).woken(1).preempted(2, false);
        DirectedYield dy = series(v, IpiReceiverQuery.NONE);
        SpinResult r = dy.onSpin(0, true, NOW);
        assertThat(r.passes()).isEqualTo(2);
        assertThat(r.target()).isEqualTo(2);
        assertThat(r.cause()).isEqualTo(BoostCause.RELAXED_FALLBACK);
        assertThat(v.yieldCalls()).containsExactly(2);
        assertThat(dy.boosts(BoostCause.RELAXED_FALLBACK)).isEqualTo(1);
    }

    @Test
    void relaxedPassRunsAfterFailedYieldsAndStartsAtTheSamePlace() {
        FakeVcpus v = new FakeVcpus(4).preempted(1, true).yieldResult(1, 0).preempted(3, false);
        SpinResult r = series(v, IpiReceiverQuery.NONE).onSpin(0, true, NOW);
        assertThat(v.yieldCalls())
                .as("strict: 1 (fails); relaxed: 1 again, then 3")
                .containsExactly(1, 1, 3);
        assertThat(r.target()).isEqualTo(3);
        assertThat(r.examined()).isEqualTo(3 + 3);
    }

    @Test
    void relaxedPassKeepsTheTryBudgetOfTheStrictPass() {
        FakeVcpus v = new FakeVcpus(6)
                .preempted(1, true)
                .yieldResult(1, ESRCH)
                .preempted(2, true)
                .yieldResult(2, ESRCH)
                .preempted(3, false)
                .yieldResult(3, ESRCH)
                .preempted(4, false);
        SpinResult r = series(v, IpiReceiverQuery.NONE).onSpin(0, true, NOW);
        // strict: 1, 2 (try 3 -> 1); relaxed: 1 is the third -ESRCH, try reaches 0 and the pass stops
        assertThat(v.yieldCalls()).containsExactly(1, 2, 1);
        assertThat(r.failure()).isEqualTo(SpinFailure.ESRCH_LIMIT);
        assertThat(r.triesLeft()).isZero();
    }

    @Test
    void spinResultIsReused() {
        FakeVcpus v = new FakeVcpus(3).preempted(1, true);
        DirectedYield dy = upstream(v);
        SpinResult a = dy.onSpin(0, true, NOW);
        SpinResult b = dy.onSpin(2, true, NOW);
        assertThat(a).isSameAs(b);
        assertThat(b.target()).isEqualTo(1);
        assertThat(dy.spins()).isEqualTo(2);
        assertThat(dy.boosts()).isEqualTo(2);
        assertThat(dy.boosts(BoostCause.PLAIN_CANDIDATE)).isEqualTo(2);
    }

    @Test
    void failuresAreCountedByReason() {
        FakeVcpus v = new FakeVcpus(3);
        DirectedYield dy = upstream(v);
        dy.onSpin(0, true, NOW);
        v.preempted(1, true).yieldResult(1, 0);
        dy.onSpin(0, true, NOW);
        assertThat(dy.failures(SpinFailure.NO_CANDIDATE)).isEqualTo(1);
        assertThat(dy.failures(SpinFailure.ALL_YIELDS_FAILED)).isEqualTo(1);
        assertThat(dy.failures(SpinFailure.NONE)).isZero();
        assertThat(dy.boosts()).isZero();
    }

    @Test
    void onlineCountBeyondCapacityIsRejected() {
        FakeVcpus v = new FakeVcpus(5);
        DirectedYield dy = new DirectedYield(4, DirectedYieldParams.upstream(), v, IpiReceiverQuery.NONE);
        assertThatThrownBy(() -> dy.onSpin(0, true, NOW)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void resetVcpuClearsBothFlags() {
        FakeVcpus v = new FakeVcpus(3);
        DirectedYield dy = upstream(v);
        dy.onSpinDeferringFinish(1, true, NOW);
        dy.resetVcpu(1);
        assertThat(dy.inSpinLoop(1)).isFalse();
        assertThat(dy.dyEligible(1)).isFalse();
    }
}
