package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;

/**
 * The vCPU run loop, {@code vcpu_run} / {@code vcpu_enter_guest} (x86.c): an exit takes host time, then the vCPU
 * processes its requests, syncs the PIR, injects or arms the interrupt window and re-enters, or calls
 * {@code schedule()} first when TIF_NEED_RESCHED is set ({@code xfer_to_guest_mode_work}). kvm-model §1.10, §3.
 */
final class VcpuRun {
    private final HostContext ctx;
    private GuestCpu guestCpu;
    private IrqInjection injection;
    private IrqSources sources;
    private PcpuScheduler scheduler;

    VcpuRun(HostContext ctx) {
        this.ctx = ctx;
    }

    void link(HostParts p) {
        this.guestCpu = p.guestCpu;
        this.injection = p.injection;
        this.sources = p.sources;
        this.scheduler = p.scheduler;
    }

    /** The vCPU exits now for {@code reason}; handling takes {@code durationNs}, then {@link #onExitEnd}. */
    void startExit(Vcpu v, ExitReason reason, long durationNs) {
        guestCpu.pauseGuest(v);
        // apic_sync_pv_eoi_from_guest: the guest did not use the PV EOI before exiting; it will write EOI itself.
        v.pvEoiPending = false;
        v.mode = VcpuMode.HOST;
        v.exitReason = reason;
        ctx.recordExit(v, reason, ctx.now, durationNs);
        ctx.scheduleEpochEvent(v, ctx.now + durationNs, EventKind.EXIT_END);
    }

    /**
     * Exits that follow each other back to back (several ICR writes of one send), each already recorded by the caller
     * at its own start: one host period of {@code totalNs}.
     */
    void startExits(Vcpu v, long totalNs) {
        guestCpu.pauseGuest(v);
        v.pvEoiPending = false;
        v.mode = VcpuMode.HOST;
        ctx.scheduleEpochEvent(v, ctx.now + totalNs, EventKind.EXIT_END);
    }

    /** {@link EventKind#EXIT_END}. */
    void onExitEnd(Vcpu v, int epoch) {
        if (epoch != v.epoch || v.mode != VcpuMode.HOST) {
            return;
        }
        if (v.needResched) {
            // Exit-to-guest work: need_resched set, so schedule() before re-entering (xfer_to_guest_mode_work).
            v.needResched = false;
            if (scheduler.wantsSwitch(v)) {
                scheduler.schedule(v.pcpu);
                return;
            }
        }
        enterGuest(v);
    }

    /** {@code vcpu_enter_guest}: process requests, sync PIR, inject or arm the interrupt window, enter. */
    void enterGuest(Vcpu v) {
        v.mode = VcpuMode.GUEST;
        if (v.vm.directedYield.inSpinLoop(v.index)) {
            // A boosting spinner that schedule() kept on its pCPU: kvm_vcpu_on_spin returns now (§5.2).
            v.vm.directedYield.finishSpin(v.index);
        }
        if (v.exitReason == ExitReason.HLT && v.haltStartNs >= 0) {
            // perf kvm stat charges the time blocked (and polled) to the HLT exit.
            ctx.recordExit(v, ExitReason.HLT, v.haltStartNs, ctx.now - v.haltStartNs);
            v.haltStartNs = -1;
            // vcpu_block: leaving KVM_MP_STATE_HALTED clears pv_unhalted (the kick that woke it is consumed).
            v.lapic.clearPvUnhalted();
        }
        if (v.lapic.initPending()) {
            // INIT (kvm_vcpu_reset): the LAPIC and, with the series, the IPI context are reset (SEED-06).
            v.lapic.reset();
            v.vm.ipiTracker.resetOnInit(v.index);
        }
        if (v.scanIoapicRequested) {
            v.scanIoapicRequested = false;
            sources.scanIoapic(v);
        }
        if (ctx.apicv) {
            v.pid.syncTo(v.lapic);
        }
        if (injection.hasDeliverable(v)) {
            if (v.guest.interruptsEnabled()) {
                injection.takeInterrupt(v);
            } else if (!ctx.apicv) {
                v.irqWindowArmed = true;
            }
        }
        if (v.guest.pendingIret) {
            injection.completeIret(v);
            return;
        }
        guestCpu.runGuest(v);
    }
}
