package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadConfig;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;

/**
 * An interrupt from acceptance to EOI: {@code __apic_accept_irq} with the vendor delivery hook (posting to the PID and
 * the notification with APICv, {@code kvm_vcpu_kick} without), the guest taking it, its handler, the EOI (virtualized
 * or trapped), IRET and the interrupt window, and {@code kvm_ioapic_send_eoi} (lapic.c, vmx/posted_intr.c, ioapic.c;
 * kvm-model §1.9 to §1.11, §2.3, §2.5).
 */
final class IrqInjection {
    private final HostContext ctx;
    private GuestCpu guestCpu;
    private VcpuRun run;
    private VcpuHalt halt;
    private IrqSources sources;
    private GuestWorkload workload;

    IrqInjection(HostContext ctx) {
        this.ctx = ctx;
    }

    void link(HostParts p) {
        this.guestCpu = p.guestCpu;
        this.run = p.run;
        this.halt = p.halt;
        this.sources = p.sources;
        this.workload = p.workload;
    }

    /**
     * {@code __apic_accept_irq} on {@code t}.
     *
     * @param originNs when the guest operation or device event that causes this delivery started (for latencies)
     * @param delayNs how long after now the delivery takes effect (the sender's exit still running)
     * @return whether the target's LAPIC accepted it
     */
    boolean accept(Vcpu t, long irq, long originNs, long delayNs) {
        if (!t.lapic.accept(irq)) {
            return false;
        }
        Vm vm = t.vm;
        int dm = Icr.deliveryMode(irq);
        if (dm == Icr.DM_NMI) {
            ctx.count(vm, KvmStat.NMI_INJECTIONS);
            kick(t, delayNs);
            return true;
        }
        if (dm != Icr.DM_FIXED && dm != Icr.DM_LOWEST) {
            kick(t, delayNs);
            return true;
        }
        int v = Icr.vector(irq);
        boolean alreadyPending = t.lapic.irrContains(v) || t.pid.pirContains(v);
        if (!alreadyPending) {
            t.vectors.pendingSinceNs[v] = originNs;
        } else {
            ctx.count(vm, KvmStat.INTERRUPTS_COALESCED);
        }
        if (ctx.apicv) {
            ctx.count(vm, KvmStat.POSTED_INTERRUPTS);
            if (t.pid.post(v)) {
                // The posted-interrupt notification (or the wakeup vector for a blocked vCPU), §1.10. In the host
                // the PIR is synced at the next entry; a preempted vCPU's SN kept the post silent.
                signal(t, EventKind.PI_NOTIFY, ctx.costs.postedIntrLatencyNs(), delayNs);
            }
        } else {
            t.lapic.setIrr(v);
            kick(t, delayNs);
        }
        return true;
    }

    /** {@code kvm_vcpu_kick}: a host IPI if the target is in guest mode, a wake-up if it is blocked. */
    private void kick(Vcpu t, long delayNs) {
        signal(t, EventKind.KICK, ctx.costs.hostKickLatencyNs(), delayNs);
    }

    /** A vCPU in guest mode gets {@code guestEvent} after the latency; a halted one is woken; others need nothing. */
    private void signal(Vcpu t, int guestEvent, long latencyNs, long delayNs) {
        switch (t.mode) {
            case GUEST:
                ctx.queue.schedule(ctx.now + delayNs + latencyNs, guestEvent, t.id, 0);
                break;
            case BLOCKED:
                halt.wake(t, delayNs);
                break;
            case POLLING:
                halt.endPoll(t, delayNs);
                break;
            default:
                break;
        }
    }

    /** {@link EventKind#PI_NOTIFY}: the CPU merges PIR into the virtual IRR and evaluates it, no exit. */
    void onPostedInterruptNotification(Vcpu t) {
        if (t.mode != VcpuMode.GUEST) {
            return;
        }
        t.pid.syncTo(t.lapic);
        if (t.guest.interruptsEnabled() && hasDeliverable(t)) {
            guestCpu.pauseGuest(t);
            takeInterrupt(t);
            guestCpu.runGuest(t);
        }
    }

    /** {@link EventKind#KICK}: the host IPI forces an external-interrupt exit. */
    void onKick(Vcpu t) {
        if (t.mode != VcpuMode.GUEST) {
            return;
        }
        run.startExit(t, ExitReason.EXTERNAL_INTERRUPT, HostContext.sample(t, ctx.costs.externalInterrupt()));
    }

    boolean hasDeliverable(Vcpu v) {
        return v.lapic.nmiPending() || v.lapic.highestDeliverable() >= 0;
    }

    /** The guest takes the highest-priority pending interrupt (NMI first) and starts its handler. Guest is paused. */
    void takeInterrupt(Vcpu v) {
        GuestState g = v.guest;
        if (v.lapic.takeNmi()) {
            g.handlerVector = GuestState.NMI_HANDLER;
            g.handlerRemainingNs = ctx.guest.timerHandlerNs();
            return;
        }
        int vec = v.lapic.ack();
        if (vec < 0) {
            return;
        }
        if (!ctx.apicv) {
            ctx.count(v.vm, KvmStat.IRQ_INJECTIONS);
        }
        long latency = ctx.now - v.vectors.pendingSinceNs[vec];
        VectorTable.Kind kind = v.vectors.kind(vec);
        if (ctx.recording) {
            switch (kind) {
                case IPI, CALL_FUNCTION, RESCHEDULE -> ctx.stats.ipiLatency.recordValue(Math.max(0, latency));
                case DEVICE, MSI, IO_COMPLETION -> ctx.stats.deviceLatency.recordValue(Math.max(0, latency));
                default -> {}
            }
        }
        if (g.activity == GuestActivity.IDLE && kind == VectorTable.Kind.IPI && ctx.guest.ipiEndsIdle()) {
            // A reschedule/call-function IPI gives an idle CPU work: the idle period ends.
            g.timerEpoch++;
            guestCpu.startBusyPeriod(v);
        }
        if (!ctx.apicv && ctx.guest.pvEoi()) {
            // apic_sync_pv_eoi_to_guest at this entry: only with nothing else in IRR and no IOAPIC EOI to forward.
            v.pvEoiPending = v.lapic.highestIrr() < 0 && !v.eoiExitBitmapContains(vec);
        }
        g.handlerVector = vec;
        long handlerNs = v.vectors.handlerNs(vec);
        g.handlerRemainingNs = handlerNs > 0 ? handlerNs : ctx.guest.timerHandlerNs();
    }

    /** The handler's body is done: the driver acks its device, then the guest writes EOI and returns with IRET. */
    void handlerBodyDone(Vcpu v) {
        GuestState g = v.guest;
        int vec = g.handlerVector;
        if (vec == GuestState.NMI_HANDLER) {
            g.handlerVector = GuestState.NO_HANDLER;
            completeIret(v);
            return;
        }
        switch (v.vectors.kind(vec)) {
            case DEVICE:
                sources.deviceHandled(v.vm, v.vectors.source(vec));
                break;
            case TIMER:
                if (g.activity == GuestActivity.IDLE && workload == null) {
                    guestCpu.startBusyPeriod(v);
                } else if (workload != null) {
                    workload.wake(v, WorkloadConfig.BlockWake.TIMER); // hrtimer_wakeup
                }
                break;
            case IO_COMPLETION:
                workload.wake(v, WorkloadConfig.BlockWake.DEVICE);
                break;
            case CALL_FUNCTION:
                workload.onCallFunctionHandled(v);
                break;
            default:
                break;
        }
        g.pendingIret = true;
        if (ctx.apicv) {
            // EOI virtualization retires the vector in hardware; it exits only for vectors in the EOI-exit bitmap.
            v.lapic.eoiAccelerated(vec);
            if (v.eoiExitBitmapContains(vec)) {
                ctx.count(v.vm, KvmStat.EOIS_TRAPPED);
                trackEoi(v, vec);
                sendEoiToIoapic(v, vec);
                run.startExit(v, ExitReason.EOI_INDUCED, HostContext.sample(v, ctx.costs.eoiInduced()));
                return;
            }
            completeIret(v);
            return;
        }
        if (v.pvEoiPending) {
            // kvm_guest_apic_eoi_write: the guest clears KVM_PV_EOI_ENABLED instead of writing EOI. KVM retires the
            // ISR bit at the next exit (apic_set_eoi), which is before it could inject anything else; the trapped-EOI
            // hook of patch 08 never sees it (review M6).
            v.pvEoiPending = false;
            v.lapic.eoi();
            ctx.count(v.vm, KvmStat.PV_EOIS);
            completeIret(v);
            return;
        }
        // Without APICv (and without PV EOI) every EOI write exits: MSR 0x80B in x2APIC, MMIO in xAPIC (§1.11).
        int retired = v.lapic.eoi();
        ctx.count(v.vm, KvmStat.EOIS_TRAPPED);
        if (retired >= 0) {
            trackEoi(v, retired);
            sendEoiToIoapic(v, retired);
        }
        if (ctx.x2apic) {
            run.startExit(v, ExitReason.MSR_WRITE, HostContext.sample(v, ctx.costs.msrWriteSlow()));
        } else {
            run.startExit(v, ExitReason.APIC_ACCESS, HostContext.sample(v, ctx.costs.apicAccess()));
        }
    }

    /** Patch 08: an EOI that KVM sees clears the IPI-tracking context. */
    private void trackEoi(Vcpu v, int vec) {
        if (v.vm.ipiTracker.onEoi(v.index, vec, ctx.now)) {
            ctx.count(v.vm, KvmStat.IPI_TRACKING_EOI_CLEARS);
        }
    }

    /** IRET: interrupts are enabled again; take the next pending one, or resume what was interrupted. */
    void completeIret(Vcpu v) {
        GuestState g = v.guest;
        g.handlerVector = GuestState.NO_HANDLER;
        g.pendingIret = false;
        if (workload != null && g.activity == GuestActivity.IDLE) {
            workload.resumeIfWorkArrived(v);
        }
        if (ctx.apicv) {
            if (hasDeliverable(v)) {
                takeInterrupt(v);
            }
        } else if (v.irqWindowArmed) {
            v.irqWindowArmed = false;
            run.startExit(v, ExitReason.INTERRUPT_WINDOW, HostContext.sample(v, ctx.costs.interruptWindow()));
            return;
        }
        guestCpu.runGuest(v);
    }

    /** {@code kvm_ioapic_send_eoi} with the v5 stale-vector rescan (kvm-model §2.5). */
    private void sendEoiToIoapic(Vcpu v, int vec) {
        if (!v.eoiExitBitmapContains(vec)) {
            return;
        }
        if (ctx.kvm.ioapicEoiFix() && v.highestStalePendingIoapicEoi == vec) {
            sources.requestScan(v);
        }
        ctx.count(v.vm, KvmStat.IOAPIC_EOIS);
        // A re-injection's latency counts from the EOI that re-injects it.
        v.vm.bus.updateEoi(vec, v.lapic.tmrContains(vec), ctx.now);
    }
}
