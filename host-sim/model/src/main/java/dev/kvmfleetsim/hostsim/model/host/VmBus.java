package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.ioapic.Ioapic;
import dev.kvmfleetsim.hostsim.model.lapic.ApicDelivery;

/**
 * One VM's interrupt bus: {@code kvm_irq_delivery_to_apic} for senders in the host (ICR writes, MSIs) and the
 * IOAPIC's callbacks into the VM ({@code ioapic.c}: deliver, request a scan, schedule the delayed re-injection).
 * The IOAPIC and the APIC delivery code do not carry times; the origin and delay of the delivery in flight are the
 * arguments of the call that starts it here, and hold only while that call runs.
 */
final class VmBus implements Ioapic.Bus, ApicDelivery.Acceptor {
    private final HostContext ctx;
    private Vm vm;
    private IrqInjection injection;
    private IrqSources sources;
    /** The delivery in flight: its origin (for latencies) and how long after now it takes effect. */
    private long originNs;

    private long delayNs;

    VmBus(HostContext ctx) {
        this.ctx = ctx;
    }

    void link(Vm owner, HostParts p) {
        this.vm = owner;
        this.injection = p.injection;
        this.sources = p.sources;
    }

    /**
     * {@code kvm_irq_delivery_to_apic} of {@code irq} from {@code source} (a vCPU index, or -1 for a device).
     *
     * @return the number of vCPUs that accepted it
     */
    int deliver(int source, long irq, long origin, long delay) {
        this.originNs = origin;
        this.delayNs = delay;
        int accepted = vm.delivery.deliver(source, irq, this);
        this.delayNs = 0;
        return accepted;
    }

    /** {@code kvm_ioapic_set_irq}: a device drives a pin at {@code origin}. */
    void setIrq(int pin, boolean level, long origin) {
        this.originNs = origin;
        vm.ioapic.setIrq(pin, level);
    }

    /** {@code kvm_ioapic_update_eoi}: may re-inject a level line still high, timed from {@code origin}. */
    void updateEoi(int vector, boolean levelEoi, long origin) {
        this.originNs = origin;
        vm.ioapic.updateEoi(vector, levelEoi);
    }

    /** {@code kvm_ioapic_eoi_inject_work}: the delayed re-injection after a storm, timed from {@code origin}. */
    void eoiInjectWork(long origin) {
        this.originNs = origin;
        vm.ioapic.eoiInjectWork();
    }

    /** The guest retargets an IOAPIC pin; a pending level line is delivered to the new destination at once. */
    void retarget(int pin, long dest, long origin) {
        this.originNs = origin;
        vm.ioapic.retarget(pin, dest, vm.lapics);
    }

    @Override
    public boolean accept(int vcpu, long irq) {
        return injection.accept(vm.vcpus[vcpu], irq, originNs, delayNs);
    }

    @Override
    public int deliver(long irq) {
        return vm.delivery.deliver(-1, irq, this);
    }

    @Override
    public void requestScan(int vcpu) {
        sources.requestScan(vm.vcpus[vcpu]);
    }

    @Override
    public void scheduleEoiInject(long delay) {
        ctx.queue.schedule(ctx.now + delay, EventKind.EOI_INJECT, vm.index, 0);
    }
}
