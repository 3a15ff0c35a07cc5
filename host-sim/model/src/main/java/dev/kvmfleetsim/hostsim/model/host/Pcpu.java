package dev.kvmfleetsim.hostsim.model.host;

/** One physical CPU: the vCPU thread it runs and its pending events; its run queues live in the CfsHierarchy (§6). */
final class Pcpu {
    final int id;
    /** The vCPU thread on this CPU, or null when idle. */
    Vcpu running;
    /** A tick event is scheduled (ticks run only while more than one task is runnable: NO_HZ). */
    boolean tickArmed;
    /** An idle-exit pick is scheduled. */
    boolean wakePending;

    Pcpu(int id) {
        this.id = id;
    }
}
