package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;

/**
 * HLT and what follows it: {@code kvm_vcpu_halt} (halt polling while the thread is alone on its pCPU),
 * {@code kvm_vcpu_block} and {@code kvm_vcpu_wake_up} (kvm_main.c), kvm-model §3.4, §6.2.
 */
final class VcpuHalt {
    private final HostContext ctx;
    private GuestCpu guestCpu;
    private VcpuRun run;
    private IrqInjection injection;
    private PcpuScheduler scheduler;

    VcpuHalt(HostContext ctx) {
        this.ctx = ctx;
    }

    void link(HostParts p) {
        this.guestCpu = p.guestCpu;
        this.run = p.run;
        this.injection = p.injection;
        this.scheduler = p.scheduler;
    }

    /** The guest executes HLT ({@code kvm_vcpu_halt}, §3.4): blocks unless an event is already pending. */
    void executeHlt(Vcpu v) {
        guestCpu.pauseGuest(v);
        if (ctx.apicv) {
            v.pid.syncTo(v.lapic);
        }
        if (injection.hasDeliverable(v) || v.lapic.pvUnhalted()) {
            v.lapic.clearPvUnhalted();
            run.startExit(v, ExitReason.HLT, HostContext.sample(v, ctx.costs.hlt()));
            return;
        }
        long now = ctx.now;
        v.mode = VcpuMode.HOST;
        v.exitReason = ExitReason.HLT;
        v.haltStartNs = now;
        ctx.bumpEpoch(v);
        if (ctx.recording) {
            ctx.stats.haltPollWindow.recordValue(v.haltPoll.pollWindowNs());
        }
        // kvm_vcpu_halt: poll only while this vCPU's thread is the pCPU's only runnable task (kvm-model §3.4).
        if (v.haltPoll.shouldPoll(scheduler.nrQueued(v.pcpu) == 1) && v.haltPoll.pollWindowNs() > 0) {
            ctx.count(v.vm, KvmStat.HALT_ATTEMPTED_POLL);
            v.mode = VcpuMode.POLLING;
            ctx.scheduleEpochEvent(v, now + v.haltPoll.pollWindowNs(), EventKind.POLL_END);
            return;
        }
        block(v);
    }

    /**
     * A wake event arrived while polling: no block, back into the guest (halt_successful_poll).
     *
     * @param delayNs how long after now the event takes effect (the sender's exit still running)
     */
    void endPoll(Vcpu v, long delayNs) {
        ctx.count(v.vm, KvmStat.HALT_SUCCESSFUL_POLL);
        v.haltPoll.onWakeup(ctx.now - v.haltStartNs, true);
        v.mode = VcpuMode.HOST;
        ctx.bumpEpoch(v);
        ctx.scheduleEpochEvent(v, ctx.now + delayNs + HostContext.sample(v, ctx.costs.hlt()), EventKind.EXIT_END);
    }

    /** {@link EventKind#POLL_END}: nothing arrived within the poll window. */
    void onPollEnd(Vcpu v, int epoch) {
        if (epoch != v.epoch || v.mode != VcpuMode.POLLING) {
            return;
        }
        block(v);
    }

    /** {@code kvm_vcpu_block}: the thread sleeps; its pCPU runs something else. */
    void block(Vcpu v) {
        v.mode = VcpuMode.BLOCKED;
        ctx.bumpEpoch(v);
        scheduler.dequeueAndSchedule(v);
    }

    /**
     * {@code kvm_vcpu_wake_up}: the blocked thread becomes runnable ({@code ready}, a directed-yield candidate) and is
     * enqueued with wake-up placement; an idle pCPU picks it after the wake-up latency, a busy one only if the wakee
     * preempts the running thread (kvm-model §3.4, §6.2).
     *
     * @param delayNs how long after now the wake-up event takes effect (the sender's exit still running)
     */
    void wake(Vcpu v, long delayNs) {
        if (v.mode != VcpuMode.BLOCKED) {
            return;
        }
        ctx.count(v.vm, KvmStat.HALT_WAKEUP);
        v.haltPoll.onWakeup(ctx.now - v.haltStartNs, true);
        v.mode = VcpuMode.RUNNABLE;
        v.ready = true;
        v.runnableSinceNs = ctx.now;
        scheduler.enqueueWoken(v, delayNs);
    }
}
