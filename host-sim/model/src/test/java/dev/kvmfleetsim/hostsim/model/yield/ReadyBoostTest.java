package dev.kvmfleetsim.hostsim.model.yield;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * d73eb57b80b9 "KVM: Boost vCPUs that are delivering interrupts" (kvm-model §5.2 step 3.2, A7): with it a vCPU woken by
 * an interrupt and not yet run ({@code ready}, not {@code preempted}) is a directed-yield candidate; without it only
 * preempted vCPUs are.
 */
class ReadyBoostTest {
    private static final long NOW = 1_000_000;

    private static SpinResult spinWithAWokenCandidate(boolean readyBoost) {
        FakeVcpus v = new FakeVcpus(2).woken(1);
        DirectedYield dy = new DirectedYield(
                16, DirectedYieldParams.upstream().withReadyBoost(readyBoost), v, IpiReceiverQuery.NONE);
        return dy.onSpin(0, true, NOW);
    }

    @Test
    void aWokenVcpuIsBoostedWithTheReadyBoost() {
        SpinResult r = spinWithAWokenCandidate(true);
        assertThat(r.boosted()).isTrue();
        assertThat(r.target()).isEqualTo(1);
    }

    @Test
    void withoutItOnlyPreemptedVcpusAreCandidates() {
        assertThat(spinWithAWokenCandidate(false).boosted()).isFalse();
        FakeVcpus v = new FakeVcpus(2).preempted(1, true);
        DirectedYield dy =
                new DirectedYield(16, DirectedYieldParams.upstream().withReadyBoost(false), v, IpiReceiverQuery.NONE);
        assertThat(dy.onSpin(0, true, NOW).boosted()).isTrue();
    }
}
