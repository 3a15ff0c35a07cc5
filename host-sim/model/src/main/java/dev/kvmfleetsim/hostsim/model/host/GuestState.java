package dev.kvmfleetsim.hostsim.model.host;

import java.util.SplittableRandom;

/**
 * The guest side of one vCPU: the code it executes and its clock (kvm-model §7). Written by {@link GuestCpu} and
 * {@link IrqInjection} (handlers, IRET); KVM's own state is in {@link Vcpu}, the workload program's in
 * {@link WorkloadState}.
 */
final class GuestState {
    /** {@code handlerVector} when no handler runs. */
    static final int NO_HANDLER = -1;
    /** {@code handlerVector} while the NMI handler runs. */
    static final int NMI_HANDLER = -2;

    GuestActivity activity = GuestActivity.WORK;
    /** The segment clock is running (the guest executes). */
    boolean running;

    long segmentStartNs;
    /** Busy time executed so far, the time base of the send sources. */
    long busyClockNs;
    /** Busy-clock time at which the current busy period ends (idle mode without a workload). */
    long busyEndNs = Long.MAX_VALUE;
    /** Busy-clock time at which the workload's current compute step ends; Long.MAX_VALUE if none runs. */
    long stepEndBusyNs = Long.MAX_VALUE;
    /** The vector whose handler runs, {@link #NO_HANDLER} or {@link #NMI_HANDLER}. */
    int handlerVector = NO_HANDLER;

    long handlerRemainingNs;
    /** The handler wrote EOI and returns with IRET once the current exit (if any) ends. */
    boolean pendingIret;
    /** Bumped to cancel the LAPIC timer armed for an idle period. */
    int timerEpoch;
    /** Privilege level of the code running now: 0 kernel, 3 user. */
    int cpl;

    // ---- a PAUSE loop (activity SPIN) ----
    /** The condition the spin waits for became true while the vCPU was not running guest code. */
    boolean spinSatisfied;
    /** pv-qspinlock: the waiter gave up spinning and halted until kicked (kvm-model §7.1). */
    boolean pvHalted;
    /** Spin time left before a pv-qspinlock waiter halts; Long.MAX_VALUE: spins until satisfied. */
    long spinBudgetNs;

    // ---- the scenario's IPI sources this vCPU sends from: parallel arrays ----
    int[] sendSources = new int[0];
    long[] nextSendBusyNs = new long[0];
    SplittableRandom[] sendRandom = new SplittableRandom[0];

    /** RFLAGS.IF as the model sees it: interrupts are off in a handler until its IRET. */
    boolean interruptsEnabled() {
        return handlerVector == NO_HANDLER && !pendingIret;
    }

    boolean inHandler() {
        return handlerVector != NO_HANDLER;
    }
}
