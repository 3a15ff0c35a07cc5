package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.sched.Eevdf;

/** One physical CPU: its EEVDF run queue and the vCPU thread it runs (kvm-model §6). */
final class Pcpu {
    final int id;
    final Eevdf rq;
    /** rq entity id to vCPU. */
    Vcpu[] byEntity = new Vcpu[0];
    /** The vCPU thread on this CPU, or null when idle. */
    Vcpu running;
    /** A tick event is scheduled (ticks run only while more than one task is runnable: NO_HZ). */
    boolean tickArmed;
    /** An idle-exit pick is scheduled. */
    boolean wakePending;

    Pcpu(int id, Eevdf rq) {
        this.id = id;
        this.rq = rq;
    }

    int addVcpu(Vcpu v) {
        int e = rq.addEntity(Eevdf.NICE_0_LOAD);
        if (e >= byEntity.length) {
            byEntity = java.util.Arrays.copyOf(byEntity, Math.max(4, e * 2 + 1));
        }
        byEntity[e] = v;
        return e;
    }
}
