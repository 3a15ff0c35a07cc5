package dev.kvmfleetsim.hostsim.model.host;

import static dev.kvmfleetsim.hostsim.model.host.HostHarness.IPI_VECTOR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import dev.kvmfleetsim.hostsim.model.testing.ExitLog;
import org.junit.jupiter.api.Test;

/**
 * HLT and what follows it, {@link VcpuHalt}: {@code kvm_vcpu_halt} polls only while the vCPU's thread is alone on its
 * pCPU ({@code single_task_running()}), a wake event during the poll re-enters without blocking
 * ({@code halt_successful_poll}), otherwise {@code kvm_vcpu_block} sleeps and {@code kvm_vcpu_wake_up} makes the thread
 * runnable and {@code ready}; an idle pCPU runs it after the wake-up latency; the HLT exit is charged with the whole
 * halted time, as {@code perf kvm stat} does (kvm-model §3.4, §5.1, §6.2). Exit costs are fixed.
 */
class VcpuHaltTest {
    private static final String APICV = "\"x2apic\": true, \"enable_apicv\": true";
    private static final long HLT_NS = 700;
    private static final long WAKEUP_NS = 5_000;
    private static final long CONTEXT_SWITCH_NS = 2_000;
    private static final long T = 2_000_000;

    /** The halt-poll window after one short halt: {@code halt_poll_ns_grow_start}. */
    private static void growPollWindow(Vcpu v) {
        v.haltPoll.onWakeup(1_000, true);
        assertThat(v.haltPoll.pollWindowNs()).as("poll window").isEqualTo(10_000);
    }

    private static void sendIpi(HostHarness h, Vcpu to) {
        h.parts.injection.accept(to, Icr.fixedPhysical(IPI_VECTOR, to.lapic.apicId()), h.ctx.now, 0);
    }

    private static ExitLog.Exit onlyHltExit(HostHarness h, int vcpu) {
        assertThat(h.log.reasons(vcpu)).containsExactly(ExitReason.HLT);
        return h.log.exits.stream().filter(e -> e.vcpu() == vcpu).findFirst().orElseThrow();
    }

    @Test
    void aHltWithNothingPendingPollsWhileTheThreadIsAloneAndAWakeEndsThePoll() {
        HostHarness h = HostHarness.busyVm(2, APICV, "", IrqInjectionTest.COSTS);
        Vcpu v = h.vcpu(0);
        growPollWindow(v);
        long attempted = h.counter(v, KvmStat.HALT_ATTEMPTED_POLL);
        long successful = h.counter(v, KvmStat.HALT_SUCCESSFUL_POLL);
        long wakeups = h.counter(v, KvmStat.HALT_WAKEUP);
        h.runUntil(T);
        h.log.clear();

        h.parts.halt.executeHlt(v);

        assertThat(v.mode).isEqualTo(VcpuMode.POLLING);
        assertThat(h.counter(v, KvmStat.HALT_ATTEMPTED_POLL) - attempted).isEqualTo(1);
        assertThat(h.log.reasons(0)).as("the HLT exit is charged when it ends").isEmpty();

        h.runUntil(T + 3_000);
        assertThat(v.mode).as("within the window").isEqualTo(VcpuMode.POLLING);
        sendIpi(h, v);

        assertThat(h.counter(v, KvmStat.HALT_SUCCESSFUL_POLL) - successful).isEqualTo(1);
        assertThat(v.mode).as("the poll ended: back in the run loop").isEqualTo(VcpuMode.HOST);
        h.runUntil(T + 3_000 + HLT_NS);
        assertThat(v.mode).isEqualTo(VcpuMode.GUEST);
        assertThat(v.guest.handlerVector).as("the wake event is taken at entry").isEqualTo(IPI_VECTOR);
        assertThat(h.counter(v, KvmStat.HALT_WAKEUP) - wakeups)
                .as("never blocked")
                .isZero();
        ExitLog.Exit hlt = onlyHltExit(h, 0);
        assertThat(hlt.timeNs()).isEqualTo(T);
        assertThat(hlt.durationNs()).as("polled time plus the HLT handling").isEqualTo(3_000 + HLT_NS);
    }

    @Test
    void aPollThatSeesNoEventBlocksWhenItsWindowEnds() {
        HostHarness h = HostHarness.busyVm(2, APICV, "", IrqInjectionTest.COSTS);
        Vcpu v = h.vcpu(0);
        growPollWindow(v);
        h.runUntil(T);
        h.parts.halt.executeHlt(v);

        h.runUntil(T + 10_000 - 1);
        assertThat(v.mode).isEqualTo(VcpuMode.POLLING);
        h.runUntil(T + 10_000);
        assertThat(v.mode).isEqualTo(VcpuMode.BLOCKED);
        assertThat(v.ready).as("a blocked vCPU is not a yield candidate").isFalse();
    }

    @Test
    void aHltBlocksAtOnceWhenAnotherThreadSharesThePcpu() {
        HostHarness h = HostHarness.sharedPcpu(APICV, "", IrqInjectionTest.COSTS);
        Vcpu v = h.vcpu(0).mode == VcpuMode.GUEST ? h.vcpu(0) : h.vcpu(1);
        Vcpu other = h.vcpu(1 - v.index);
        assertThat(other.mode).isEqualTo(VcpuMode.RUNNABLE);
        growPollWindow(v);
        long attempted = h.counter(v, KvmStat.HALT_ATTEMPTED_POLL);
        long switches = h.counter(v, KvmStat.CONTEXT_SWITCHES);
        long preemptions = h.counter(v, KvmStat.PREEMPTIONS);
        h.runUntil(T);

        h.parts.halt.executeHlt(v);

        assertThat(h.counter(v, KvmStat.HALT_ATTEMPTED_POLL) - attempted)
                .as("no poll")
                .isZero();
        assertThat(v.mode).isEqualTo(VcpuMode.BLOCKED);
        assertThat(v.preempted).as("it blocked itself: not preempted (§5.1)").isFalse();
        assertThat(v.ready).isFalse();
        assertThat(h.counter(v, KvmStat.PREEMPTIONS) - preemptions).isZero();
        assertThat(other.mode).as("the pCPU switches to the other thread").isEqualTo(VcpuMode.HOST);
        assertThat(h.counter(v, KvmStat.CONTEXT_SWITCHES) - switches).isEqualTo(1);
        h.runUntil(T + CONTEXT_SWITCH_NS);
        assertThat(other.mode).isEqualTo(VcpuMode.GUEST);
    }

    @Test
    void aWakeMakesTheBlockedVcpuReadyAndTheIdlePcpuRunsItAfterTheWakeUpLatency() {
        HostHarness h = HostHarness.busyVm(2, APICV, "", IrqInjectionTest.COSTS);
        Vcpu v = h.vcpu(0);
        assertThat(v.haltPoll.pollWindowNs())
                .as("no poll window yet: the HLT blocks")
                .isZero();
        long wakeups = h.counter(v, KvmStat.HALT_WAKEUP);
        h.runUntil(T);
        h.log.clear();
        h.parts.halt.executeHlt(v);
        assertThat(v.mode).isEqualTo(VcpuMode.BLOCKED);

        long wakeAt = T + 20_000;
        h.runUntil(wakeAt);
        assertThat(v.mode).isEqualTo(VcpuMode.BLOCKED);
        sendIpi(h, v);

        assertThat(v.mode).isEqualTo(VcpuMode.RUNNABLE);
        assertThat(v.ready).as("kvm_vcpu_wake_up sets ready").isTrue();
        assertThat(v.preempted).isFalse();
        assertThat(h.counter(v, KvmStat.HALT_WAKEUP) - wakeups).isEqualTo(1);
        long runsAt = wakeAt + WAKEUP_NS + HLT_NS;
        h.runUntil(runsAt - 1);
        assertThat(v.mode).as("not before the wake-up latency and the HLT exit").isEqualTo(VcpuMode.RUNNABLE);
        assertThat(v.ready).isTrue();
        assertThat(h.log.reasons(0)).isEmpty();

        h.runUntil(runsAt);
        assertThat(v.mode).isEqualTo(VcpuMode.GUEST);
        assertThat(v.ready).as("cleared by kvm_sched_in").isFalse();
        assertThat(v.guest.handlerVector).isEqualTo(IPI_VECTOR);
        ExitLog.Exit hlt = onlyHltExit(h, 0);
        assertThat(hlt.timeNs()).as("recorded at the HLT").isEqualTo(T);
        assertThat(hlt.durationNs()).as("charged with the blocked time").isEqualTo(runsAt - T);
    }
}
