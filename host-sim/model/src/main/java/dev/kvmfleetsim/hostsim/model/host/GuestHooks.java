package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.scenario.WorkloadConfig;

/**
 * What the guest workload ({@link GuestWorkload}) asks of the vCPU it runs on: start a step that takes time, send
 * IPIs, make a hypercall. The workload decides what the guest does; the implementation ({@link GuestCpu}) decides when
 * it can run and what each step costs.
 */
interface GuestHooks {
    /** The simulated time now. */
    long now();

    /** The guest computes for {@code ns} of busy time at privilege level {@code cpl}. */
    void startCompute(Vcpu v, long ns, int cpl);

    /** The guest starts a CPL0 PAUSE loop; {@code budgetNs} of spinning before a pv-qspinlock waiter halts. */
    void startSpin(Vcpu v, long budgetNs);

    /** The guest has nothing to do until work arrives: the idle loop. */
    void idleForWork(Vcpu v);

    /**
     * The task sleeps until {@code wake} wakes it: for {@code DEVICE} the guest rings the doorbell and the completion
     * comes {@code ns} later, for {@code TIMER} it arms the LAPIC timer {@code ns} ahead; then the vCPU idles.
     */
    void sleep(Vcpu v, WorkloadConfig.BlockWake wake, long ns);

    /** The condition a spinning vCPU waits for became true. */
    void spinDone(Vcpu v);

    /** Whether the guest sees {@code t} as preempted (the steal-time {@code preempted} flag, kvm-model §5.1). */
    boolean preemptedNow(Vcpu t);

    /** The guest sends one IPI vector to {@code targets[0..n)} (vCPU indices) through its APIC driver. */
    void sendIpis(Vcpu v, int vector, int[] targets, int n);

    /** {@code KVM_HC_KICK_CPU} to a halted pv-qspinlock waiter (kvm-model §7.1). */
    void pvKick(Vcpu from, Vcpu target);

    /** {@code KVM_HC_SCHED_YIELD} toward a preempted target (kvm-model §7.2). */
    void pvSchedYield(Vcpu from, Vcpu target);

    /** A lock acquisition found the lock held. */
    void lockContended(Vcpu v);

    /** One iteration of the loop ended on its last pipeline stage, {@code latencyNs} after it began. */
    void iterationDone(Vcpu v, long latencyNs);
}
