package dev.kvmfleetsim.hostsim.model.host;

import static dev.kvmfleetsim.hostsim.model.host.HostHarness.IPI_VECTOR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two vCPU threads sharing one pCPU, {@link PcpuScheduler}: the tick ({@code scheduler_tick} -> {@code update_curr})
 * that wants a reschedule kicks the running vCPU ({@code resched_curr}); at the end of that exit {@code schedule()}
 * switches, and KVM's preempt notifiers set and clear the flags of kvm-model §5.1: {@code kvm_sched_out} marks the
 * still-runnable thread {@code preempted} and {@code ready}, records {@code preempted_in_kernel} from the guest's CPL
 * and suppresses its posted-interrupt notifications ({@code vmx_vcpu_pi_put}, §1.10); {@code kvm_sched_in} clears
 * them and the time waited is steal (§6.2).
 */
class PcpuSchedulerTest {
    private static final String APICV = "\"x2apic\": true, \"enable_apicv\": true";
    private static final long EXT_INT_NS = 500;
    private static final long CONTEXT_SWITCH_NS = 2_000;

    @ParameterizedTest(name = "guest CPL {0}")
    @ValueSource(ints = {0, 3})
    void aTickThatWantsAReschedulePreemptsTheRunningVcpuAndSchedInUndoesIt(int cpl) {
        HostHarness h = HostHarness.sharedPcpu(APICV, "", IrqInjectionTest.COSTS);
        Vcpu running = h.vcpu(0).mode == VcpuMode.GUEST ? h.vcpu(0) : h.vcpu(1);
        Vcpu waiting = h.vcpu(1 - running.index);
        assertThat(waiting.mode).isEqualTo(VcpuMode.RUNNABLE);
        assertThat(waiting.preempted).as("never ran: not preempted").isFalse();
        running.guest.cpl = cpl;
        long tick = h.ctx.scenario.sched().tickNs();
        long preemptions = h.counter(running, KvmStat.PREEMPTIONS);
        long steal = h.ctx.stats.stealTotalNs;
        h.log.clear();

        // The first tick: the running thread has used its slice.
        h.runUntil(tick - 1);
        assertThat(running.needResched).isFalse();
        h.runUntil(tick);
        assertThat(running.needResched).as("resched_curr").isTrue();
        // The tick is the host's timer interrupt: in guest mode it exits at once.
        assertThat(h.log.reasons(running.index)).containsExactly(ExitReason.EXTERNAL_INTERRUPT);
        assertThat(running.mode).isEqualTo(VcpuMode.HOST);
        assertThat(running.preempted).as("still running its exit").isFalse();

        // The exit ends with need_resched set: schedule() switches (kvm_sched_out, then kvm_sched_in of the other).
        long switchAt = tick + EXT_INT_NS;
        h.runUntil(switchAt);
        assertThat(running.mode).isEqualTo(VcpuMode.RUNNABLE);
        assertThat(running.preempted).isTrue();
        assertThat(running.ready).isTrue();
        assertThat(running.preemptedInKernel)
                .as("preempted_in_kernel = (CPL == 0)")
                .isEqualTo(cpl == 0);
        assertThat(h.counter(running, KvmStat.PREEMPTIONS) - preemptions).isEqualTo(1);
        assertThat(running.pid.post(IPI_VECTOR))
                .as("SN set: a post sends no notification")
                .isFalse();
        assertThat(waiting.mode).isEqualTo(VcpuMode.HOST);
        assertThat(waiting.preempted).isFalse();
        assertThat(waiting.ready).isFalse();
        assertThat(h.ctx.stats.stealTotalNs - steal)
                .as("the other thread waited since boot")
                .isEqualTo(switchAt);
        h.runUntil(switchAt + CONTEXT_SWITCH_NS);
        assertThat(waiting.mode).isEqualTo(VcpuMode.GUEST);

        // The preempted vCPU is picked again at a later tick: kvm_sched_in clears its flags, its wait is steal.
        long stealBefore = h.ctx.stats.stealTotalNs;
        assertThat(h.stepUntil(() -> running.mode != VcpuMode.RUNNABLE, switchAt + 10 * tick))
                .as("scheduled in again")
                .isTrue();
        long inAt = h.ctx.now;
        assertThat(running.mode).isEqualTo(VcpuMode.HOST);
        assertThat(running.preempted).isFalse();
        assertThat(running.ready).isFalse();
        assertThat(h.ctx.stats.stealTotalNs - stealBefore)
                .as("steal: preempted until now")
                .isEqualTo(inAt - switchAt);
        assertThat(waiting.preempted)
                .as("the other one is preempted in its turn")
                .isTrue();

        // The IPI posted while it was preempted is taken at entry; with SN clear, a new post notifies again.
        h.runUntil(inAt + CONTEXT_SWITCH_NS);
        assertThat(running.mode).isEqualTo(VcpuMode.GUEST);
        assertThat(running.guest.handlerVector).as("the PIR is synced at entry").isEqualTo(IPI_VECTOR);
        h.runUntil(inAt + CONTEXT_SWITCH_NS + 3_000);
        assertThat(running.guest.inHandler()).isFalse();
        assertThat(running.pid.post(0x40)).as("SN clear: the post must notify").isTrue();
    }

    @ParameterizedTest(name = "apicv={0}")
    @ValueSource(booleans = {true, false})
    void anInterruptForAPreemptedVcpuWaitsUntilTheSchedulerRunsIt(boolean apicv) {
        HostHarness h = HostHarness.sharedPcpu(
                apicv ? APICV : "\"x2apic\": true, \"enable_apicv\": false", "", IrqInjectionTest.COSTS);
        Vcpu running = h.vcpu(0).mode == VcpuMode.GUEST ? h.vcpu(0) : h.vcpu(1);
        Vcpu waiting = h.vcpu(1 - running.index);
        long tick = h.ctx.scenario.sched().tickNs();
        h.runUntil(tick + EXT_INT_NS);
        assertThat(running.preempted).isTrue();
        h.log.clear();

        h.parts.injection.accept(running, Icr.fixedPhysical(IPI_VECTOR, running.lapic.apicId()), h.ctx.now, 0);
        h.runUntil(h.ctx.now + 100_000);

        assertThat(running.mode).as("no kick or notification reschedules it").isEqualTo(VcpuMode.RUNNABLE);
        assertThat(h.log.countOn(running.index)).isZero();
        assertThat(waiting.mode).isEqualTo(VcpuMode.GUEST);
        assertThat(h.stepUntil(() -> running.guest.handlerVector == IPI_VECTOR, 10 * tick))
                .as("delivered once it runs")
                .isTrue();
    }
}
