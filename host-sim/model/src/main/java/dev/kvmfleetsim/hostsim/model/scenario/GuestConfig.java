package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * How the guest kernel behaves around interrupts.
 *
 * @param apicAddressing how the guest addresses multicast IPIs (Linux's apic driver choice)
 * @param broadcastShorthand send broadcast IPIs with the all-but-self shorthand (one ICR write) instead of a mask
 * @param idle what an idle vCPU does
 * @param busyNsMean mean length of a busy period (exponential)
 * @param idleNsMean mean length of an idle period (exponential); 0 means the vCPUs never idle
 * @param timerHandlerNs length of the guest's LAPIC timer interrupt handler
 * @param ipiEndsIdle an IPI that reaches an idle vCPU makes it busy (a reschedule IPI wakes a task), rather than
 *     letting it go back to idle after the handler
 * @param pvSpinlock paravirtual qspinlock (KVM_FEATURE_PV_UNHALT): waiters halt after {@code spinThresholdNs} and are
 *     kicked by the unlocker (kvm-model §7.1)
 * @param spinThresholdNs how long a pv-qspinlock waiter spins before it halts: SPIN_THRESHOLD = 32768 PAUSE loops,
 *     about 2 ms (§7.1)
 * @param pvTlbFlush KVM_FEATURE_PV_TLB_FLUSH: no call-function IPI to, and no wait for, preempted targets (§7.2)
 * @param pvSchedYield KVM_FEATURE_PV_SCHED_YIELD: after sending, yield to the first preempted target (§7.2)
 * @param pvEoi KVM_FEATURE_PV_EOI (QEMU's {@code kvm-pv-eoi}, on by default): without APICv, an EOI KVM armed at entry
 *     ({@code apic_sync_pv_eoi_to_guest}: an edge vector, no IOAPIC, nothing else pending) is a flag the guest clears
 *     instead of an exiting EOI write ({@code kvm_guest_apic_eoi_write}); KVM retires it at the next exit (§1.11)
 * @param pauseLatencyCycles cycles of one PAUSE (about 140 on Skylake and later; AMD's pause filter counts them)
 */
public record GuestConfig(
        ApicAddressing apicAddressing,
        boolean broadcastShorthand,
        IdleMode idle,
        long busyNsMean,
        long idleNsMean,
        long timerHandlerNs,
        boolean ipiEndsIdle,
        boolean pvSpinlock,
        long spinThresholdNs,
        boolean pvTlbFlush,
        boolean pvSchedYield,
        boolean pvEoi,
        long pauseLatencyCycles) {

    public static GuestConfig defaults() {
        return new GuestConfig(
                ApicAddressing.PHYSICAL,
                true,
                IdleMode.HALT,
                1_000_000L,
                0L,
                1_000L,
                true,
                false,
                2_000_000L,
                false,
                false,
                true,
                140L);
    }

    /** The guest's APIC driver: how a multicast IPI is addressed (kvm-model §1.7, §7.2). */
    public enum ApicAddressing {
        /** One ICR write per target (x2apic_phys / physflat). */
        PHYSICAL,
        /** x2APIC logical cluster mode: one ICR write per cluster of 16. */
        CLUSTER,
        /** xAPIC logical flat mode: one ICR write with an 8-bit mask (at most 8 vCPUs). */
        FLAT
    }

    /** What an idle guest vCPU executes. */
    public enum IdleMode {
        /** HLT: exits and blocks in {@code kvm_vcpu_halt} (kvm-model §3.4). */
        HALT,
        /** idle=poll: spins in the guest, never exits. */
        POLL
    }
}
