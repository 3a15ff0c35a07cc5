package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;

/**
 * What one IPI costs its sender: each ICR write virtualized by IPIv, or its exit (x2APIC {@code MSR_WRITE} through
 * {@code handle_fastpath_set_x2apic_icr_irqoff} or {@code kvm_x2apic_icr_write}, xAPIC {@code APIC_WRITE} with APICv,
 * two {@code APIC_ACCESS} exits without), the x2APIC SELF_IPI MSR, and {@code KVM_HC_SEND_IPI}
 * ({@code kvm_pv_send_ipi}); each delivery is {@code kvm_irq_delivery_to_apic} with the series' IPI tracking
 * (patch 07). kvm-model §1.6, §1.12, §1.13, §3.2, §7.4.
 */
final class IcrWrite {
    /** Max APIC IDs one {@code KVM_HC_SEND_IPI} covers in a 64-bit guest (two 64-bit bitmaps). */
    static final int PV_IPI_WINDOW = 128;

    private final HostContext ctx;
    private final int[] hardwareTargets = new int[16];
    private VcpuRun run;
    private IrqInjection injection;

    IcrWrite(HostContext ctx) {
        this.ctx = ctx;
    }

    void link(HostParts p) {
        this.run = p.run;
        this.injection = p.injection;
    }

    /**
     * The guest writes the ICR {@code n} times in a row. Each write is virtualized by IPIv (unicast physical fixed),
     * or exits: MSR_WRITE in x2APIC (fastpath if the APIC map can deliver it), APIC_WRITE with APICv in xAPIC, or two
     * APIC_ACCESS exits (ICR2, ICR) in xAPIC without APICv (kvm-model §1.13).
     *
     * @return the sender's time for the whole operation
     */
    long writes(Vcpu v, long[] writes, int n) {
        Vm vm = v.vm;
        long now = ctx.now;
        long offset = 0;
        boolean exited = false;
        for (int i = 0; i < n; i++) {
            long irq = writes[i];
            ctx.count(vm, KvmStat.IPIS_SENT);
            boolean virtualizable = Icr.deliveryMode(irq) == Icr.DM_FIXED
                    && Icr.destMode(irq) == Icr.DEST_PHYSICAL
                    && Icr.shorthand(irq) == Icr.SHORTHAND_NONE
                    && Icr.dest(irq) != (ctx.x2apic ? Icr.X2APIC_BROADCAST : Icr.XAPIC_BROADCAST);
            if (ctx.ipiv && virtualizable) {
                // IPIv: the CPU posts through the PID-pointer table; KVM never sees it (no tracking, §1.12).
                offset += ctx.costs.ipivSendNs();
                int t = vm.apicMap.destinations(v.index, irq, ctx.kvm.vectorHashing(), hardwareTargets);
                for (int k = 0; k < t; k++) {
                    injection.accept(vm.vcpus[hardwareTargets[k]], irq, now, offset);
                }
                continue;
            }
            ExitReason reason;
            long base;
            if (ctx.ipiv) {
                // IPIv traps what it cannot virtualize as an APIC-write exit (logical, shorthand, non-fixed).
                reason = ExitReason.APIC_WRITE;
                base = HostContext.sample(v, ctx.costs.apicWrite());
            } else if (ctx.x2apic) {
                reason = ExitReason.MSR_WRITE;
                boolean fast = ctx.kvm.ipiFastpath() && vm.delivery.fastPathCanDeliver(v.index, irq);
                if (fast) {
                    ctx.count(vm, KvmStat.ICR_FASTPATH);
                }
                base = HostContext.sample(v, fast ? ctx.costs.msrWriteFastpath() : ctx.costs.msrWriteSlow());
            } else if (ctx.apicv) {
                reason = ExitReason.APIC_WRITE;
                base = HostContext.sample(v, ctx.costs.apicWrite());
            } else {
                // xAPIC without APICv: the ICR2 write exits first.
                long icr2 = HostContext.sample(v, ctx.costs.apicAccess());
                ctx.recordExit(v, ExitReason.APIC_ACCESS, now + offset, icr2);
                offset += icr2;
                reason = ExitReason.APIC_ACCESS;
                base = HostContext.sample(v, ctx.costs.apicAccess());
            }
            int accepted = deliverFrom(v, irq, offset + base);
            long extra = Math.max(0, accepted - 1) * ctx.costs.kvmDeliverPerTargetNs();
            if (vm.delivery.lastUsedSlowPath()) {
                extra += vm.vcpus.length * ctx.costs.apicSlowPathPerVcpuNs();
            }
            ctx.recordExit(v, reason, now + offset, base + extra);
            offset += base + extra;
            exited = true;
        }
        if (exited) {
            run.startExits(v, offset);
        }
        return offset;
    }

    /**
     * {@code kvm_irq_delivery_to_apic} from a vCPU's LAPIC, taking effect {@code delayNs} from now, then patch 07's
     * recording.
     */
    private int deliverFrom(Vcpu v, long irq, long delayNs) {
        Vm vm = v.vm;
        int r = vm.bus.deliver(v.index, irq, ctx.now, delayNs);
        if (vm.delivery.lastUsedSlowPath()) {
            ctx.count(vm, KvmStat.APIC_SLOW_PATH_DELIVERIES);
        }
        if (vm.ipiTracker.onDelivered(
                v.index, irq, vm.delivery.lastAcceptedCount(), vm.delivery.lastSingleTarget(), ctx.now)) {
            ctx.count(vm, KvmStat.IPI_TRACKING_RECORDS);
        }
        return r;
    }

    /**
     * {@code KVM_HC_SEND_IPI} to {@code targets[0..n)} (vCPU indices in APIC-ID order): one VMCALL per 128-APIC-ID
     * window; KVM accepts on each target directly ({@code __pv_send_ipi} calls {@code kvm_apic_set_irq}, not the
     * tracked delivery path), kvm-model §7.4.
     *
     * @return the sender's time for the whole operation
     */
    long pvSendIpi(Vcpu v, int vector, int[] targets, int n) {
        Vm vm = v.vm;
        long now = ctx.now;
        long irq = Icr.fixedPhysical(vector, 0);
        long offset = 0;
        int i = 0;
        while (i < n) {
            int min = vm.lapics[targets[i]].apicId();
            int j = i;
            while (j < n && vm.lapics[targets[j]].apicId() < min + PV_IPI_WINDOW) {
                j++;
            }
            long cost = HostContext.sample(v, ctx.costs.vmcall())
                    + Math.max(0, j - i - 1) * ctx.costs.kvmDeliverPerTargetNs();
            ctx.count(vm, KvmStat.HYPERCALLS); // kvm_emulate_hypercall counts every KVM_HC_SEND_IPI
            for (int k = i; k < j; k++) {
                ctx.count(vm, KvmStat.IPIS_SENT);
                injection.accept(vm.vcpus[targets[k]], irq, now, offset + cost);
            }
            ctx.recordExit(v, ExitReason.VMCALL, now + offset, cost);
            offset += cost;
            i = j;
        }
        run.startExits(v, offset);
        return offset;
    }

    /**
     * A fixed self-IPI through the x2APIC SELF_IPI MSR: virtualized with APICv (vIRR set, no exit), an MSR_WRITE exit
     * without.
     *
     * @return the sender's time
     */
    long selfIpiMsr(Vcpu v, int vector) {
        Vm vm = v.vm;
        ctx.count(vm, KvmStat.IPIS_SENT);
        long irq = Icr.encode(vector, Icr.DM_FIXED, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_SELF, 0);
        if (ctx.apicv) {
            injection.accept(v, irq, ctx.now, 0);
            v.pid.syncTo(v.lapic);
            if (v.guest.interruptsEnabled() && injection.hasDeliverable(v)) {
                injection.takeInterrupt(v);
            }
            return 0;
        }
        long cost = HostContext.sample(v, ctx.costs.msrWriteSlow());
        deliverFrom(v, irq, 0);
        run.startExit(v, ExitReason.MSR_WRITE, cost);
        return cost;
    }
}
