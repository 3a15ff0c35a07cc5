package dev.kvmfleetsim.hostsim.model.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.ipi.EoiClearMode;
import dev.kvmfleetsim.hostsim.model.ipi.IpiTracker;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.yield.BoostCause;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYield;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYieldParams;
import dev.kvmfleetsim.hostsim.model.yield.FakeVcpus;
import dev.kvmfleetsim.hostsim.model.yield.IpiReceiverQuery;
import dev.kvmfleetsim.hostsim.model.yield.SpinFailure;
import dev.kvmfleetsim.hostsim.model.yield.SpinResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * F9 (kvm-model §9, §5.2, §5.7, §5.8): {@code yield_to_kernel_mode = true} and a candidate preempted at CPL3. Upstream
 * skips it unless it has a pending posted interrupt; patch 09 accepts it in the strict pass iff it is the spinner's
 * confirmed IPI receiver (within 50 ms) or has a pending posted interrupt, and rejects a woken-but-not-preempted vCPU
 * unless one of those holds; patch 10's relaxed pass accepts the preempted CPL3 candidate when the strict pass yields
 * to no one. The IPI relationship comes from the real {@link IpiTracker}.
 */
class F9YieldToKernelModeTest {
    private static final int VCPUS = 4;
    private static final int SPINNER = 0;
    private static final int CANDIDATE = 2;
    private static final long WINDOW_NS = 50_000_000L;
    private static final long SENT_AT = 1_000_000L;

    private static final DirectedYieldParams STRICT_09 = new DirectedYieldParams(true, false, true, true);

    private final IpiTracker tracker = new IpiTracker(VCPUS, true, WINDOW_NS, EoiClearMode.V3_INFERRED);

    private DirectedYield dy(DirectedYieldParams params, FakeVcpus vcpus) {
        return new DirectedYield(VCPUS, params, vcpus, tracker::isIpiReceiver);
    }

    private static FakeVcpus userModePreemptedCandidate() {
        return new FakeVcpus(VCPUS).preempted(CANDIDATE, false);
    }

    private void spinnerSentIpiToCandidate() {
        boolean recorded = tracker.onDelivered(SPINNER, Icr.fixedPhysical(0xfd, CANDIDATE), 1, CANDIDATE, SENT_AT);
        assertThat(recorded).isTrue();
    }

    @Test
    @DisplayName("F9: upstream skips a CPL3-preempted candidate under ytkm")
    void upstreamSkipsUserModePreempted() {
        FakeVcpus vcpus = userModePreemptedCandidate();
        spinnerSentIpiToCandidate();
        SpinResult r = new DirectedYield(VCPUS, DirectedYieldParams.upstream(), vcpus, tracker::isIpiReceiver)
                .onSpin(SPINNER, true, SENT_AT + 1000);
        assertThat(r.failure()).as("upstream does not look at IPI tracking").isEqualTo(SpinFailure.NO_CANDIDATE);
        assertThat(vcpus.yieldCalls()).isEmpty();
    }

    @Test
    @DisplayName("F9: upstream accepts it when APICv shows a pending posted interrupt")
    void upstreamAcceptsWithPendingPostedInterrupt() {
        FakeVcpus vcpus = userModePreemptedCandidate().setPendingPosted(CANDIDATE, true);
        SpinResult r = dy(DirectedYieldParams.upstream(), vcpus).onSpin(SPINNER, true, 0);
        assertThat(r.target()).isEqualTo(CANDIDATE);
        assertThat(r.cause()).isEqualTo(BoostCause.PENDING_INTERRUPT);
    }

    @Test
    @DisplayName("F9: patch 09 strict pass accepts the confirmed IPI receiver within the 50 ms window only")
    void patch09AcceptsConfirmedReceiverWithinWindow() {
        FakeVcpus vcpus = userModePreemptedCandidate();
        DirectedYield dy = dy(STRICT_09, vcpus);
        assertThat(dy.onSpin(SPINNER, true, SENT_AT).boosted()).as("no IPI yet").isFalse();

        spinnerSentIpiToCandidate();
        SpinResult r = dy.onSpin(SPINNER, true, SENT_AT + WINDOW_NS);
        assertThat(r.target()).isEqualTo(CANDIDATE);
        assertThat(r.cause()).isEqualTo(BoostCause.IPI_RECEIVER);
        assertThat(r.passes()).isEqualTo(1);

        assertThat(dy.onSpin(SPINNER, true, SENT_AT + WINDOW_NS + 1).boosted())
                .as("the record aged out")
                .isFalse();
    }

    @Test
    @DisplayName("F9: patch 09 ignores an IPI the candidate sent, or one the spinner sent to someone else")
    void patch09NeedsTheSpinnersOwnRecord() {
        FakeVcpus vcpus = userModePreemptedCandidate();
        tracker.onDelivered(CANDIDATE, Icr.fixedPhysical(0xfd, SPINNER), 1, SPINNER, SENT_AT);
        tracker.onDelivered(SPINNER, Icr.fixedPhysical(0xfd, 3), 1, 3, SENT_AT);
        assertThat(dy(STRICT_09, vcpus).onSpin(SPINNER, true, SENT_AT).boosted())
                .isFalse();
    }

    @Test
    @DisplayName("F9: patch 09 strict pass accepts a pending posted interrupt")
    void patch09AcceptsPendingPostedInterrupt() {
        FakeVcpus vcpus = userModePreemptedCandidate().setPendingPosted(CANDIDATE, true);
        SpinResult r = dy(STRICT_09, vcpus).onSpin(SPINNER, true, 0);
        assertThat(r.target()).isEqualTo(CANDIDATE);
        assertThat(r.cause()).isEqualTo(BoostCause.PENDING_INTERRUPT);
    }

    @Test
    @DisplayName(
            "F9: a woken-but-not-preempted vCPU: upstream accepts, patch 09 strict rejects unless IPI or interrupt")
    void wokenNotPreemptedVcpu() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS).woken(CANDIDATE);
        assertThat(dy(DirectedYieldParams.upstream(), vcpus)
                        .onSpin(SPINNER, true, 0)
                        .cause())
                .isEqualTo(BoostCause.PLAIN_CANDIDATE);
        assertThat(dy(STRICT_09, vcpus).onSpin(SPINNER, true, 0).boosted()).isFalse();

        spinnerSentIpiToCandidate();
        assertThat(dy(STRICT_09, vcpus).onSpin(SPINNER, true, SENT_AT).cause()).isEqualTo(BoostCause.IPI_RECEIVER);

        FakeVcpus pending = new FakeVcpus(VCPUS).woken(CANDIDATE).setPendingPosted(CANDIDATE, true);
        SpinResult r = new DirectedYield(VCPUS, STRICT_09, pending, IpiReceiverQuery.NONE).onSpin(SPINNER, true, 0);
        assertThat(r.cause()).isEqualTo(BoostCause.PENDING_INTERRUPT);
    }

    @Test
    @DisplayName("F9: with enable_relaxed_boost the CPL3-preempted candidate is taken by the relaxed pass")
    void relaxedPassAcceptsUserModePreempted() {
        FakeVcpus vcpus = userModePreemptedCandidate();
        SpinResult r = dy(DirectedYieldParams.seriesDefaults(), vcpus).onSpin(SPINNER, true, 0);
        assertThat(r.target()).isEqualTo(CANDIDATE);
        assertThat(r.cause()).isEqualTo(BoostCause.RELAXED_FALLBACK);
        assertThat(r.passes()).isEqualTo(2);
    }

    @Test
    @DisplayName("F9: the relaxed pass still rejects a woken-but-not-preempted vCPU")
    void relaxedPassRejectsWokenNotPreempted() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS).woken(CANDIDATE);
        SpinResult r = dy(DirectedYieldParams.seriesDefaults(), vcpus).onSpin(SPINNER, true, 0);
        assertThat(r.failure()).isEqualTo(SpinFailure.NO_CANDIDATE);
        assertThat(vcpus.yieldCalls()).isEmpty();
    }

    @Test
    @DisplayName("F9: a kernel-mode-preempted vCPU later in the scan wins the strict pass over the relaxed one")
    void strictPassPreferredOverRelaxed() {
        FakeVcpus vcpus = new FakeVcpus(VCPUS).preempted(1, false).preempted(3, true);
        SpinResult r = dy(DirectedYieldParams.seriesDefaults(), vcpus).onSpin(SPINNER, true, 0);
        assertThat(r.target()).isEqualTo(3);
        assertThat(r.cause()).isEqualTo(BoostCause.PLAIN_CANDIDATE);
        assertThat(vcpus.yieldCalls()).containsExactly(3);
    }

    @Test
    @DisplayName("F9: without yield_to_kernel_mode a CPL3-preempted vCPU is a plain candidate everywhere")
    void withoutYtkmUserModeIsAPlainCandidate() {
        FakeVcpus vcpus = userModePreemptedCandidate();
        assertThat(dy(DirectedYieldParams.upstream(), vcpus)
                        .onSpin(SPINNER, false, 0)
                        .cause())
                .isEqualTo(BoostCause.PLAIN_CANDIDATE);
        assertThat(dy(STRICT_09, vcpus).onSpin(SPINNER, false, 0).cause()).isEqualTo(BoostCause.PLAIN_CANDIDATE);
        assertThat(new DirectedYield(VCPUS, STRICT_09, vcpus, IpiReceiverQuery.NONE)
                        .onSpin(SPINNER, false, 0)
                        .passes())
                .isEqualTo(1);
    }
}
