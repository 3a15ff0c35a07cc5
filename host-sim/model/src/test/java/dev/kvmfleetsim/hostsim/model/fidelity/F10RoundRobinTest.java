package dev.kvmfleetsim.hostsim.model.fidelity;

import static dev.kvmfleetsim.hostsim.model.yield.FakeVcpus.ESRCH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.yield.DirectedYield;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYieldParams;
import dev.kvmfleetsim.hostsim.model.yield.FakeVcpus;
import dev.kvmfleetsim.hostsim.model.yield.IpiReceiverQuery;
import dev.kvmfleetsim.hostsim.model.yield.SpinFailure;
import dev.kvmfleetsim.hostsim.model.yield.SpinResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * F10 (kvm-model §9, §5.2): successive {@code kvm_vcpu_on_spin} calls scan round robin from
 * {@code last_boosted_vcpu + 1}; a candidate that is itself inside on_spin is eligible only on every other examination;
 * an RT-class vCPU thread is never boosted ({@code yield_to} returns 0), and such a 0 does not consume a try.
 */
class F10RoundRobinTest {
    private static final int VCPUS = 6;

    private static DirectedYield upstream(FakeVcpus vcpus) {
        return new DirectedYield(VCPUS, DirectedYieldParams.upstream(), vcpus, IpiReceiverQuery.NONE);
    }

    @Test
    @DisplayName("F10: successive on_spin calls start after last_boosted_vcpu and wrap, skipping the spinner")
    void successiveSpinsRotate() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        for (int v = 1; v < VCPUS; v++) {
            vcpus.preempted(v, true);
        }
        DirectedYield dy = upstream(vcpus);
        List<Integer> targets = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            targets.add(dy.onSpin(0, true, i).target());
        }
        assertThat(targets).containsExactly(1, 2, 3, 4, 5, 1, 2);
        assertThat(dy.lastBoostedVcpu()).isEqualTo(2);
    }

    @Test
    @DisplayName("F10: the scan order itself starts at last_boosted_vcpu + 1")
    void scanOrderStartsAfterLastBoosted() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS).preempted(3, true);
        DirectedYield dy = upstream(vcpus);
        assertThat(dy.onSpin(0, true, 0).target()).isEqualTo(3);

        for (int v = 1; v < VCPUS; v++) {
            vcpus.preempted(v, true).yieldResult(v, 0);
        }
        vcpus.clearYieldCalls();
        SpinResult r = dy.onSpin(0, true, 1);
        assertThat(vcpus.yieldCalls()).containsExactly(4, 5, 1, 2, 3);
        assertThat(r.failure()).isEqualTo(SpinFailure.ALL_YIELDS_FAILED);
    }

    @Test
    @DisplayName("F10: a candidate inside its own on_spin is eligible only every other examination")
    void candidateInSpinLoopEveryOtherTime() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        DirectedYield dy = upstream(vcpus);
        // vCPU 4 takes a PLE exit, finds nobody, and is preempted inside kvm_vcpu_on_spin (in_spin_loop stays set)
        dy.onSpinDeferringFinish(4, true, 0);
        vcpus.preempted(4, true);

        List<Boolean> boosted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            boosted.add(dy.onSpin(1, true, i).target() == 4);
        }
        assertThat(boosted).containsExactly(false, true, false, true, false, true);

        dy.finishSpin(4);
        assertThat(dy.onSpin(1, true, 10).target()).isEqualTo(4);
        assertThat(dy.onSpin(1, true, 11).target())
                .as("out of the spin loop: always eligible")
                .isEqualTo(4);
    }

    @Test
    @DisplayName(
            "F10: two spinners alternate on one in-spin-loop candidate: the flag is per candidate, not per spinner")
    void eligibilityToggleIsSharedBetweenSpinners() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        DirectedYield dy = upstream(vcpus);
        dy.onSpinDeferringFinish(5, true, 0);
        vcpus.preempted(5, true);
        assertThat(dy.onSpin(1, true, 1).boosted()).isFalse();
        assertThat(dy.onSpin(2, true, 2).target()).isEqualTo(5);
        assertThat(dy.onSpin(1, true, 3).boosted()).isFalse();
    }

    @Test
    @DisplayName("F10: an RT vCPU thread is never boosted (yield_to returns 0), and the 0 does not consume a try")
    void rtTargetNeverBoostedAndCostsNoTry() {
        FakeVcpus vcpus = new FakeVcpus(8);
        for (int v = 1; v < 8; v++) {
            vcpus.preempted(v, true);
        }
        // 1, 2, 3: RT-class threads; 4, 5: alone with the yielder on their rqs; 6: boostable
        vcpus.yieldResult(1, 0).yieldResult(2, 0).yieldResult(3, 0);
        vcpus.yieldResult(4, ESRCH).yieldResult(5, ESRCH);
        DirectedYield dy = new DirectedYield(8, DirectedYieldParams.upstream(), vcpus, IpiReceiverQuery.NONE);

        SpinResult r = dy.onSpin(0, true, 0);
        assertThat(vcpus.yieldCalls()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(r.target()).isEqualTo(6);
        assertThat(r.esrch()).isEqualTo(2);
        assertThat(r.triesLeft()).as("only the two -ESRCH consumed tries").isEqualTo(1);
    }

    @Test
    @DisplayName("F10: with only RT candidates nothing is ever boosted and last_boosted_vcpu never moves")
    void onlyRtCandidates() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        for (int v = 1; v < VCPUS; v++) {
            vcpus.preempted(v, true).yieldResult(v, 0);
        }
        DirectedYield dy = upstream(vcpus);
        for (int i = 0; i < 4; i++) {
            SpinResult r = dy.onSpin(0, true, i);
            assertThat(r.boosted()).isFalse();
            assertThat(r.yieldAttempts())
                    .as("every RT candidate is tried, none consumes a try")
                    .isEqualTo(5);
        }
        assertThat(dy.lastBoostedVcpu()).isZero();
        assertThat(dy.boosts()).isZero();
    }
}
