package dev.kvmfleetsim.hostsim.model.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYield;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYieldParams;
import dev.kvmfleetsim.hostsim.model.yield.IpiReceiverQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a HLT leaves behind (kvm-model §3.4, §7.1): {@code __kvm_emulate_halt} with an event already pending is one
 * short HLT exit, and {@code vcpu_block} leaving KVM_MP_STATE_HALTED clears {@code pv_unhalted}, so the kick that
 * woke a pv-qspinlock waiter does not also cancel its next {@code kvm_wait}.
 */
class HaltExitTest {
    private static final String NO_APICV = "\"x2apic\": true, \"enable_apicv\": false";

    private static long pvUnhaltIrq(Vcpu target) {
        return Icr.encode(0, Icr.DM_REMRD, Icr.DEST_PHYSICAL, true, false, 0, target.index);
    }

    @Test
    void theFirstHltWithAnEventPendingIsOneShortExit() {
        HostHarness h = HostHarness.busyVm(2, NO_APICV, "");
        Vcpu v = h.vcpu(0);
        h.log.clear();
        h.ctx.now = 2_000_000;
        h.parts.injection.accept(v, pvUnhaltIrq(v), h.ctx.now, 0);
        h.parts.halt.executeHlt(v);
        h.runUntil(3_000_000);
        assertThat(h.log.count(0, ExitReason.HLT))
                .as("one HLT exit, not a second one timed from boot")
                .isEqualTo(1);
        assertThat(h.log.exits.stream()
                        .filter(e -> e.reason() == ExitReason.HLT)
                        .findFirst()
                        .orElseThrow()
                        .timeNs())
                .isEqualTo(2_000_000);
    }

    @Test
    void leavingTheHaltedStateConsumesTheKick() {
        HostHarness h = HostHarness.busyVm(2, NO_APICV, "\"idle\": \"halt\"");
        Vcpu waiter = h.vcpu(0);
        Vcpu unlocker = h.vcpu(1);
        h.ctx.now = 2_000_000;
        h.parts.guestCpu.pauseGuest(waiter);
        h.parts.halt.executeHlt(waiter); // kvm_wait: nothing pending, no poll window yet: blocks
        assertThat(waiter.mode).isEqualTo(VcpuMode.BLOCKED);

        h.ctx.now = 2_100_000;
        h.parts.guestCpu.pauseGuest(unlocker);
        h.parts.spinExits.pvKick(unlocker, waiter); // KVM_HC_KICK_CPU
        assertThat(waiter.lapic.pvUnhalted()).isTrue();
        h.runUntil(3_000_000);

        assertThat(waiter.mode).as("woken and back in the guest").isEqualTo(VcpuMode.GUEST);
        assertThat(waiter.lapic.pvUnhalted())
                .as("pv_unhalted cleared on leaving the halted state")
                .isFalse();
    }

    @Test
    void aPollEndsWhenAnotherThreadBecomesRunnableOnThePcpu() {
        HostHarness h = HostHarness.sharedPcpu(NO_APICV, "", "");
        Vcpu poller = h.vcpu(0).mode == VcpuMode.GUEST ? h.vcpu(0) : h.vcpu(1);
        Vcpu other = h.vcpu(1 - poller.index);
        other.mode = VcpuMode.BLOCKED; // the other thread sleeps: the poller is alone on its run queue
        h.parts.scheduler.dequeueAndSchedule(other);
        poller.haltPoll.onWakeup(1_000, true); // a short halt before: the poll window grew to 10 us
        h.ctx.now = 1_500_000;
        h.parts.guestCpu.pauseGuest(poller);
        h.parts.halt.executeHlt(poller);
        assertThat(poller.mode).isEqualTo(VcpuMode.POLLING);

        // kvm_vcpu_can_poll: single_task_running() is false once the other thread is runnable again.
        h.ctx.now = 1_502_000;
        h.parts.halt.wake(other, 0);
        assertThat(poller.mode).as("the poll stops and the poller blocks").isEqualTo(VcpuMode.BLOCKED);
    }

    @ParameterizedTest(name = "queue_head_boost={0}")
    @ValueSource(booleans = {true, false})
    void theKickYieldsToTheQueueHeadOnlyWithTheBoost(boolean boost) {
        HostHarness h = HostHarness.busyVm(2, NO_APICV, "");
        Vcpu waiter = h.vcpu(0);
        Vcpu unlocker = h.vcpu(1);
        waiter.vm.directedYield = new DirectedYield(
                2,
                new DirectedYieldParams(true, true, true, boost),
                new VmVcpuView(waiter.vm.vcpus, false, h.parts.scheduler),
                IpiReceiverQuery.NONE);
        long before = h.counter(unlocker, KvmStat.DIRECTED_YIELD_ATTEMPTED);
        h.ctx.now = 2_000_000;
        h.parts.guestCpu.pauseGuest(unlocker);
        h.parts.spinExits.pvKick(unlocker, waiter);
        assertThat(h.counter(unlocker, KvmStat.DIRECTED_YIELD_ATTEMPTED) - before)
                .as("kvm_sched_yield after KVM_HC_KICK_CPU")
                .isEqualTo(boost ? 1 : 0);
    }
}
