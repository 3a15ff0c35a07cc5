package dev.kvmfleetsim.hostsim.model.stats;

import java.util.Locale;

/**
 * Counters named after KVM's per-vCPU and per-VM statistics ({@code /sys/kernel/debug/kvm}), plus a few the model
 * adds (marked). {@link #statName()} is the name in the output.
 */
public enum KvmStat {
    EXITS,
    IRQ_EXITS,
    IRQ_WINDOW_EXITS,
    HALT_EXITS,
    HALT_WAKEUP,
    IRQ_INJECTIONS,
    NMI_INJECTIONS,
    /** Model: IPIs the guest sent (ICR writes, SELF_IPI writes and PV hypercall targets). */
    IPIS_SENT,
    /** Model: IPI sends KVM delivered through {@code kvm_irq_delivery_to_apic}'s slow path. */
    APIC_SLOW_PATH_DELIVERIES,
    /** Model: ICR writes completed in the exit fastpath (kvm-model §3.2). */
    ICR_FASTPATH,
    /** Model: vectors posted to a PID (APICv). */
    POSTED_INTERRUPTS,
    /** Model: vectors that coalesced with one already pending in IRR or PIR. */
    INTERRUPTS_COALESCED,
    /** Model: EOIs that KVM saw (exits), by any path. */
    EOIS_TRAPPED,
    /** Model: EOIs the guest completed through PV EOI, without an exit ({@code kvm_guest_apic_eoi_write}). */
    PV_EOIS,
    /** Model: EOIs forwarded to the IOAPIC ({@code kvm_ioapic_update_eoi}). */
    IOAPIC_EOIS,
    /** Model: {@code KVM_REQ_SCAN_IOAPIC} processed. */
    IOAPIC_SCANS,
    /** Model: IPIs recorded by the series' IPI tracking (patch 07). */
    IPI_TRACKING_RECORDS,
    /** Model: IPI contexts cleared by a trapped EOI (patch 08). */
    IPI_TRACKING_EOI_CLEARS,
    HALT_ATTEMPTED_POLL,
    HALT_SUCCESSFUL_POLL,
    HYPERCALLS,
    /** {@code kvm_sched_yield} attempts (PV kick and PV sched_yield only; PLE never counts here, kvm-model §5.5). */
    DIRECTED_YIELD_ATTEMPTED,

    DIRECTED_YIELD_SUCCESSFUL,
    /** Model: pause-loop exits. */
    PLE_EXITS,
    /** Model: {@code kvm_vcpu_on_spin} calls. */
    SPIN_YIELD_ATTEMPTED,
    /** Model: on_spin calls that boosted a vCPU. */
    SPIN_YIELD_SUCCESSFUL,
    /** Model: boosts of the spinner's confirmed IPI receiver (patch 09 rule 1). */
    SPIN_YIELD_IPI_RECEIVER,
    /** Model: boosts of a vCPU with a pending posted interrupt (patch 09 rule 2). */
    SPIN_YIELD_PENDING_INTERRUPT,
    /** Model: boosts of a plain candidate (upstream filter, or patch 09 rule 5). */
    SPIN_YIELD_PLAIN,
    /** Model: boosts by patch 10's relaxed preempted-only pass. */
    SPIN_YIELD_RELAXED,
    /** Model: {@code yield_to} calls that returned -ESRCH. */
    SPIN_YIELD_ESRCH,
    /** Model: host context switches between vCPU threads. */
    CONTEXT_SWITCHES,
    /** Model: a running vCPU scheduled out while still runnable ({@code preempted} set). */
    PREEMPTIONS,
    /**
     * Model: vCPU threads moved to another pCPU ({@code set_task_cpu}: wake-up placement, newidle or periodic balance;
     * the scheduler's {@code se.nr_migrations}).
     */
    MIGRATIONS,
    /** Model: lock acquisitions that had to wait. */
    LOCK_CONTENDED,
    /** Model: workload loop iterations completed (items out of the last pipeline stage). */
    WORKLOAD_ITERATIONS;

    private static final KvmStat[] VALUES = values();

    public String statName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static KvmStat ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    public static int count() {
        return VALUES.length;
    }
}
