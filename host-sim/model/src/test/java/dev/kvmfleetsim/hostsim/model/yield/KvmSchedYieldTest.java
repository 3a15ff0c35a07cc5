package dev.kvmfleetsim.hostsim.model.yield;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.yield.KvmSchedYield.Outcome;
import org.junit.jupiter.api.Test;

/** {@link KvmSchedYield}: {@code kvm_sched_yield} step by step (kvm-model §5.5). */
class KvmSchedYieldTest {
    /** APIC ID = 10 + vCPU index for four vCPUs; anything else maps to nothing. */
    private static int apicToVcpu(long apicId) {
        return apicId >= 10 && apicId < 14 ? (int) (apicId - 10) : -1;
    }

    private final FakeVcpus vcpus = new FakeVcpus(4);
    private final KvmSchedYield sy = new KvmSchedYield(4, vcpus, KvmSchedYieldTest::apicToVcpu);

    @Test
    void successfulYieldCountsAttemptAndSuccess() {
        vcpus.preempted(2, false);
        assertThat(sy.schedYield(0, 12, false)).isEqualTo(Outcome.YIELDED);
        assertThat(vcpus.yieldCalls()).containsExactly(2);
        assertThat(sy.directedYieldAttempted(0)).isEqualTo(1);
        assertThat(sy.directedYieldSuccessful(0)).isEqualTo(1);
    }

    @Test
    void singleTaskOnThePcpuGivesUpButCountsTheAttempt() {
        vcpus.preempted(2, true);
        assertThat(sy.schedYield(0, 12, true)).isEqualTo(Outcome.SINGLE_TASK);
        assertThat(vcpus.yieldCalls()).isEmpty();
        assertThat(sy.directedYieldAttempted(0)).isEqualTo(1);
        assertThat(sy.directedYieldSuccessful(0)).isZero();
    }

    @Test
    void unknownApicIdGivesUp() {
        assertThat(sy.schedYield(0, 99, false)).isEqualTo(Outcome.NO_TARGET);
    }

    @Test
    void targetMustBeReady() {
        vcpus.running(3);
        assertThat(sy.schedYield(0, 13, false)).isEqualTo(Outcome.TARGET_NOT_READY);
        vcpus.woken(3);
        assertThat(sy.schedYield(0, 13, false))
                .as("woken but not preempted is ready: unlike patch 09 this path accepts it")
                .isEqualTo(Outcome.YIELDED);
    }

    @Test
    void readinessIsCheckedBeforeSelf() {
        assertThat(sy.schedYield(1, 11, false)).isEqualTo(Outcome.TARGET_NOT_READY);
        vcpus.setReady(1, true);
        assertThat(sy.schedYield(1, 11, false)).isEqualTo(Outcome.SELF);
        assertThat(vcpus.yieldCalls()).isEmpty();
    }

    @Test
    void failedOrEsrchYieldIsNotSuccessful() {
        vcpus.preempted(2, true).yieldResult(2, 0);
        assertThat(sy.schedYield(0, 12, false)).isEqualTo(Outcome.YIELD_FAILED);
        vcpus.yieldResult(2, FakeVcpus.ESRCH);
        assertThat(sy.schedYield(0, 12, false)).isEqualTo(Outcome.YIELD_FAILED);
        assertThat(sy.directedYieldAttempted(0)).isEqualTo(2);
        assertThat(sy.directedYieldSuccessful(0)).isZero();
    }

    @Test
    void totalsSumOverVcpus() {
        vcpus.preempted(2, true);
        sy.schedYield(0, 12, false);
        sy.schedYield(1, 12, false);
        sy.schedYield(3, 12, true);
        assertThat(sy.directedYieldAttemptedTotal()).isEqualTo(3);
        assertThat(sy.directedYieldSuccessfulTotal()).isEqualTo(2);
    }

    @Test
    void pleDirectedYieldNeverTouchesTheseCounters() {
        vcpus.preempted(2, true);
        DirectedYield ple = new DirectedYield(4, DirectedYieldParams.seriesDefaults(), vcpus, IpiReceiverQuery.NONE);
        assertThat(ple.onSpin(0, true, 0).boosted()).isTrue();
        assertThat(sy.directedYieldAttemptedTotal()).isZero();
        assertThat(sy.directedYieldSuccessfulTotal()).isZero();
    }
}
