package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.yield.VcpuView;

/** What {@code kvm_vcpu_on_spin} and {@code kvm_sched_yield} read from one VM's vCPUs (kvm-model §5.1). */
final class VmVcpuView implements VcpuView {
    private final Vcpu[] vcpus;
    private final boolean apicv;
    private final PcpuScheduler scheduler;

    VmVcpuView(Vcpu[] vcpus, boolean apicv, PcpuScheduler scheduler) {
        this.vcpus = vcpus;
        this.apicv = apicv;
        this.scheduler = scheduler;
    }

    @Override
    public int vcpuCount() {
        return vcpus.length;
    }

    @Override
    public boolean ready(int vcpu) {
        return vcpus[vcpu].ready;
    }

    @Override
    public boolean preempted(int vcpu) {
        return vcpus[vcpu].preempted;
    }

    @Override
    public boolean preemptedInKernel(int vcpu) {
        return vcpus[vcpu].preemptedInKernel;
    }

    @Override
    public boolean blocking(int vcpu) {
        return vcpus[vcpu].mode == VcpuMode.BLOCKED;
    }

    @Override
    public boolean dyRunnable(int vcpu) {
        Vcpu t = vcpus[vcpu];
        // kvm_arch_dy_runnable: pv_unhalted, a pending NMI or event request, or a pending posted interrupt.
        return t.lapic.pvUnhalted()
                || t.lapic.nmiPending()
                || (!apicv && t.lapic.highestIrr() >= 0)
                || (apicv && t.pid.hasPendingInterrupt());
    }

    @Override
    public boolean hasPendingPostedInterrupt(int vcpu) {
        return apicv && vcpus[vcpu].pid.hasPendingInterrupt();
    }

    @Override
    public int yieldTo(int me, int target) {
        return scheduler.yieldTo(vcpus[me], vcpus[target]);
    }
}
