package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import dev.kvmfleetsim.hostsim.model.yield.KvmSchedYield;
import dev.kvmfleetsim.hostsim.model.yield.SpinFailure;
import dev.kvmfleetsim.hostsim.model.yield.SpinResult;
import dev.kvmfleetsim.hostsim.model.yield.YieldTargetState;

/**
 * The exits of a spinning guest and the directed yields they start: the PAUSE-loop exit ({@code handle_pause} ->
 * {@code kvm_vcpu_on_spin}, with the series' candidates), a pv-qspinlock waiter halting after {@code SPIN_THRESHOLD},
 * and the PV hypercalls {@code KVM_HC_KICK_CPU} and {@code KVM_HC_SCHED_YIELD} ({@code kvm_sched_yield}).
 * kvm-model §4, §5, §7.1, §7.2.
 */
final class SpinExits {
    private final HostContext ctx;
    private GuestCpu guestCpu;
    private VcpuRun run;
    private VcpuHalt halt;
    private IrqInjection injection;
    private PcpuScheduler scheduler;

    SpinExits(HostContext ctx) {
        this.ctx = ctx;
    }

    void link(HostParts p) {
        this.guestCpu = p.guestCpu;
        this.run = p.run;
        this.halt = p.halt;
        this.injection = p.injection;
        this.scheduler = p.scheduler;
    }

    /** The guest (re)starts a PAUSE loop in guest mode: arm the PLE exit and the pv-qspinlock spin budget. */
    void armSpin(Vcpu v) {
        long now = ctx.now;
        // A CPL0 PAUSE loop exits after the current PLE window (kvm-model §4.3).
        if (v.ple.exitsAtCpl(0)) {
            long w = v.ple.spinNsBeforeExit(ctx.scenario.host().tscGhz(), ctx.guest.pauseLatencyCycles());
            ctx.scheduleEpochEvent(v, now + Math.max(1, w), EventKind.PLE);
        }
        if (v.guest.spinBudgetNs != Long.MAX_VALUE) {
            ctx.scheduleEpochEvent(v, now + Math.max(0, v.guest.spinBudgetNs), EventKind.SPIN_BUDGET);
        }
    }

    /** What the chosen target was doing, from KVM's flags (kvm-model §5.1). */
    static YieldTargetState targetState(Vm vm, int target) {
        if (target < 0) {
            return YieldTargetState.NONE;
        }
        Vcpu t = vm.vcpus[target];
        return switch (t.mode) {
            case RUNNABLE ->
                t.preempted
                        ? (t.preemptedInKernel ? YieldTargetState.PREEMPTED_KERNEL : YieldTargetState.PREEMPTED_USER)
                        : YieldTargetState.READY;
            case BLOCKED, POLLING -> YieldTargetState.HALTED;
            default -> YieldTargetState.RUNNING;
        };
    }

    /** Whether a spin event of {@code epoch} still applies: the vCPU spins in guest mode, outside any handler. */
    private static boolean stillSpinning(Vcpu v, int epoch) {
        GuestState g = v.guest;
        return epoch == v.epoch && v.mode == VcpuMode.GUEST && g.activity == GuestActivity.SPIN && g.handlerVector < 0;
    }

    /** {@link EventKind#PLE}: the spin reached the PLE window: PAUSE exit, grow the window, {@code kvm_vcpu_on_spin}. */
    void onPauseLoopExit(Vcpu v, int epoch) {
        if (!stillSpinning(v, epoch)) {
            return;
        }
        guestCpu.pauseGuest(v);
        if (ctx.recording) {
            ctx.stats.pleWindow.recordValue(
                    v.ple.spinNsBeforeExit(ctx.scenario.host().tscGhz(), ctx.guest.pauseLatencyCycles()));
        }
        v.ple.onPleExit();
        ctx.count(v.vm, KvmStat.PLE_EXITS);
        Vm vm = v.vm;
        // kvm_vcpu_on_spin: a successful yield_to calls schedule() inside the loop, so a boosting spinner stays
        // in_spin_loop (and keeps its dy_eligible state) until it runs again; otherwise the loop ends here (§5.2).
        SpinResult r = vm.directedYield.onSpinDeferringFinish(v.index, true, ctx.now);
        if (!r.boosted() && r.failure() != SpinFailure.TOO_FEW_VCPUS) {
            vm.directedYield.finishSpin(v.index);
        }
        if (r.failure() != SpinFailure.TOO_FEW_VCPUS) {
            ctx.count(vm, KvmStat.SPIN_YIELD_ATTEMPTED);
            if (ctx.recording) {
                vm.counters[KvmStat.SPIN_YIELD_ESRCH.ordinal()] += r.esrch();
                YieldTargetState state = targetState(vm, r.target());
                ctx.stats.yields[r.cause().ordinal() * YieldTargetState.values().length + state.ordinal()]++;
                ctx.sink.onYield(ctx.now, vm.index, v.index, r.target(), r.cause(), r.failure(), state);
            }
        }
        if (r.boosted()) {
            ctx.count(vm, KvmStat.SPIN_YIELD_SUCCESSFUL);
            switch (r.cause()) {
                case IPI_RECEIVER -> ctx.count(vm, KvmStat.SPIN_YIELD_IPI_RECEIVER);
                case PENDING_INTERRUPT -> ctx.count(vm, KvmStat.SPIN_YIELD_PENDING_INTERRUPT);
                case RELAXED_FALLBACK -> ctx.count(vm, KvmStat.SPIN_YIELD_RELAXED);
                default -> ctx.count(vm, KvmStat.SPIN_YIELD_PLAIN);
            }
            // The yielder calls schedule() on its way out.
            v.needResched = true;
        }
        run.startExit(v, ExitReason.PAUSE_INSTRUCTION, HostContext.sample(v, ctx.costs.pause()));
    }

    /** {@link EventKind#SPIN_BUDGET}: {@code kvm_wait} halts the pv-qspinlock waiter until the unlocker kicks (§7.1). */
    void onSpinBudgetSpent(Vcpu v, int epoch) {
        if (!stillSpinning(v, epoch)) {
            return;
        }
        guestCpu.pauseGuest(v);
        v.guest.pvHalted = true;
        v.guest.spinBudgetNs = Long.MAX_VALUE;
        halt.executeHlt(v);
    }

    /**
     * {@code KVM_HC_KICK_CPU}: unhalt the target (REMRD delivery, §1.3), then, with the queue-head boost
     * (266e85a5ec91), {@code kvm_sched_yield} to it (§5.5).
     */
    void pvKick(Vcpu from, Vcpu target) {
        ctx.count(from.vm, KvmStat.HYPERCALLS);
        long irq = Icr.encode(0, Icr.DM_REMRD, Icr.DEST_PHYSICAL, true, false, 0, target.index);
        injection.accept(target, irq, ctx.now, 0);
        if (from.vm.directedYield.params().queueHeadBoost()) {
            schedYield(from, target);
        }
        run.startExit(from, ExitReason.VMCALL, HostContext.sample(from, ctx.costs.vmcall()));
    }

    /** {@code KVM_HC_SCHED_YIELD} toward a preempted target (§5.5, §7.2). */
    void pvSchedYield(Vcpu from, Vcpu target) {
        ctx.count(from.vm, KvmStat.HYPERCALLS);
        schedYield(from, target);
        run.startExit(from, ExitReason.VMCALL, HostContext.sample(from, ctx.costs.vmcall()));
    }

    private void schedYield(Vcpu from, Vcpu target) {
        Vm vm = from.vm;
        KvmSchedYield.Outcome o =
                vm.schedYield.schedYield(from.index, target.index, scheduler.nrQueued(from.pcpu) == 1);
        ctx.count(vm, KvmStat.DIRECTED_YIELD_ATTEMPTED);
        if (o == KvmSchedYield.Outcome.YIELDED) {
            ctx.count(vm, KvmStat.DIRECTED_YIELD_SUCCESSFUL);
            from.needResched = true;
        }
    }
}
