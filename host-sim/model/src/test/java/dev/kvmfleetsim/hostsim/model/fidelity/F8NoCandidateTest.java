package dev.kvmfleetsim.hostsim.model.fidelity;

import static dev.kvmfleetsim.hostsim.model.yield.FakeVcpus.ESRCH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.ple.PleParams;
import dev.kvmfleetsim.hostsim.model.ple.PleWindow;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYield;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYieldParams;
import dev.kvmfleetsim.hostsim.model.yield.FakeVcpus;
import dev.kvmfleetsim.hostsim.model.yield.IpiReceiverQuery;
import dev.kvmfleetsim.hostsim.model.yield.SpinFailure;
import dev.kvmfleetsim.hostsim.model.yield.SpinResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * F8 (kvm-model §9, §5.2, §5.4): 1:1 vCPU:pCPU with no other load. No vCPU is ready, so {@code kvm_vcpu_on_spin}
 * yields to no one, while PLE exits still happen. If a target is ready but both runqueues hold one task,
 * {@code yield_to} returns {@code -ESRCH} three times and the scan gives up.
 */
class F8NoCandidateTest {
    private static final int VCPUS = 8;

    @Test
    @DisplayName("F8: 1:1, every vCPU running: PLE exits happen, no candidate, no yield")
    void noReadyVcpuNoYield() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        DirectedYield dy = new DirectedYield(VCPUS, DirectedYieldParams.upstream(), vcpus, IpiReceiverQuery.NONE);
        PleWindow ple = new PleWindow(PleParams.intelDefaults());
        for (int exit = 0; exit < 5; exit++) {
            assertThat(ple.exitsAtCpl(0)).isTrue();
            ple.onPleExit();
            SpinResult r = dy.onSpin(0, true, exit * 10_000L);
            assertThat(r.boosted()).isFalse();
            assertThat(r.failure()).isEqualTo(SpinFailure.NO_CANDIDATE);
            assertThat(r.examined()).isEqualTo(VCPUS - 1);
        }
        assertThat(vcpus.yieldCalls()).isEmpty();
        assertThat(ple.exits()).isEqualTo(5);
        assertThat(ple.windowCycles()).as("the spinner stayed scheduled in").isEqualTo(4096L << 5);
        assertThat(dy.failures(SpinFailure.NO_CANDIDATE)).isEqualTo(5);
    }

    @Test
    @DisplayName("F8: ready targets but one task per rq: -ESRCH x3, then give up")
    void esrchThreeTimesThenGiveUp() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        for (int v = 1; v < VCPUS; v++) {
            // woken from HLT onto its own idle pCPU: ready, not preempted; yield_to finds one task on both rqs
            vcpus.woken(v).yieldResult(v, ESRCH);
        }
        DirectedYield dy = new DirectedYield(VCPUS, DirectedYieldParams.upstream(), vcpus, IpiReceiverQuery.NONE);
        SpinResult r = dy.onSpin(0, true, 0);
        assertThat(vcpus.yieldCalls()).containsExactly(1, 2, 3);
        assertThat(r.esrch()).isEqualTo(3);
        assertThat(r.failure()).isEqualTo(SpinFailure.ESRCH_LIMIT);
        assertThat(dy.lastBoostedVcpu()).isZero();
    }

    @Test
    @DisplayName("F8: with the series the same woken-not-preempted targets are never even tried")
    void seriesRejectsWokenTargetsBeforeYielding() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS);
        for (int v = 1; v < VCPUS; v++) {
            vcpus.woken(v).yieldResult(v, ESRCH);
        }
        DirectedYield dy = new DirectedYield(VCPUS, DirectedYieldParams.seriesDefaults(), vcpus, IpiReceiverQuery.NONE);
        SpinResult r = dy.onSpin(0, true, 0);
        assertThat(vcpus.yieldCalls()).isEmpty();
        assertThat(r.passes()).isEqualTo(2);
        assertThat(r.failure()).isEqualTo(SpinFailure.NO_CANDIDATE);
    }
}
