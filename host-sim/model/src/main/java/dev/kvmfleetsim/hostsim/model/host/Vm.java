package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.exit.ExitStats;
import dev.kvmfleetsim.hostsim.model.ioapic.Ioapic;
import dev.kvmfleetsim.hostsim.model.ipi.IpiTracker;
import dev.kvmfleetsim.hostsim.model.lapic.ApicDelivery;
import dev.kvmfleetsim.hostsim.model.lapic.ApicMap;
import dev.kvmfleetsim.hostsim.model.lapic.Lapic;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;

/** One VM ({@code struct kvm}): its vCPUs, APIC map, IOAPIC, IPI tracking and statistics. */
final class Vm {
    final int index;
    final Vcpu[] vcpus;
    final Lapic[] lapics;
    final ApicMap apicMap;
    final ApicDelivery delivery;
    final Ioapic ioapic;
    final IpiTracker ipiTracker;
    final ExitStats exitStats = new ExitStats();
    final long[] counters = new long[KvmStat.count()];
    /** kvm_vcpu_on_spin state (last_boosted_vcpu, in_spin_loop, dy_eligible) and its counters. */
    dev.kvmfleetsim.hostsim.model.yield.DirectedYield directedYield;

    dev.kvmfleetsim.hostsim.model.yield.KvmSchedYield schedYield;
    /** The directed-yield units' view of this VM's vCPUs. */
    HostSimulation.VmView view;
    /** Accepts on this VM's vCPUs for {@link ApicDelivery#deliver}. */
    final ApicDelivery.Acceptor acceptor;

    Vm(
            int index,
            Vcpu[] vcpus,
            Lapic[] lapics,
            ApicMap apicMap,
            ApicDelivery delivery,
            Ioapic ioapic,
            IpiTracker t,
            ApicDelivery.Acceptor acceptor) {
        this.acceptor = acceptor;
        this.index = index;
        this.vcpus = vcpus;
        this.lapics = lapics;
        this.apicMap = apicMap;
        this.delivery = delivery;
        this.ioapic = ioapic;
        this.ipiTracker = t;
    }
}
