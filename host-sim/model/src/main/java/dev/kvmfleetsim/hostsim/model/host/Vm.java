package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.exit.ExitStats;
import dev.kvmfleetsim.hostsim.model.ioapic.Ioapic;
import dev.kvmfleetsim.hostsim.model.ipi.IpiTracker;
import dev.kvmfleetsim.hostsim.model.lapic.ApicDelivery;
import dev.kvmfleetsim.hostsim.model.lapic.ApicMap;
import dev.kvmfleetsim.hostsim.model.lapic.Lapic;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYield;
import dev.kvmfleetsim.hostsim.model.yield.KvmSchedYield;

/** One VM ({@code struct kvm}): its vCPUs, APIC map, IOAPIC, IPI tracking, directed-yield state and statistics. */
final class Vm {
    final int index;
    final Vcpu[] vcpus;
    final Lapic[] lapics;
    final ApicMap apicMap;
    final ApicDelivery delivery;
    final Ioapic ioapic;
    final IpiTracker ipiTracker;
    /** The IOAPIC's and {@code kvm_irq_delivery_to_apic}'s way back into this VM's vCPUs. */
    final VmBus bus;

    final ExitStats exitStats = new ExitStats();
    /** KVM's statistics of this VM, indexed by {@link KvmStat#ordinal()}. */
    final long[] counters = new long[KvmStat.count()];
    /** {@code kvm_vcpu_on_spin} state ({@code last_boosted_vcpu}, {@code in_spin_loop}, {@code dy_eligible}). */
    DirectedYield directedYield;
    /** {@code kvm_sched_yield} ({@code KVM_HC_SCHED_YIELD}). */
    KvmSchedYield schedYield;

    Vm(int index, Vcpu[] vcpus, Lapic[] lapics, ApicMap apicMap, ApicDelivery delivery, IpiTracker t, VmBus bus) {
        this.index = index;
        this.vcpus = vcpus;
        this.lapics = lapics;
        this.apicMap = apicMap;
        this.delivery = delivery;
        this.ipiTracker = t;
        this.bus = bus;
        this.ioapic = new Ioapic(bus);
    }
}
