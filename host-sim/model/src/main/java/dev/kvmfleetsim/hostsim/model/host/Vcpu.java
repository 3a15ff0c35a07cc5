package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.lapic.Lapic;
import dev.kvmfleetsim.hostsim.model.lapic.PostedInterruptDescriptor;
import java.util.SplittableRandom;

/**
 * One vCPU: its KVM-side state ({@code struct kvm_vcpu} fields the model needs) and the state of the guest code it
 * runs. Plain mutable fields, read and written by {@link HostSimulation} on the hot path.
 */
final class Vcpu {
    /** In guest mode, executing guest code. */
    static final int GUEST = 0;
    /** In the host, handling an exit (or entering after a wake-up). */
    static final int HOST = 1;
    /** Blocked in {@code kvm_vcpu_halt}, its task asleep. */
    static final int BLOCKED = 2;

    /** Guest base activity: doing work between actions (sends, going idle). */
    static final int BASE_WORK = 0;
    /** Guest base activity: the idle loop (HLT or poll). */
    static final int BASE_IDLE = 1;
    /** Guest base activity: a PAUSE loop waiting for a lock or for call-function acks (kvm-model §7). */
    static final int BASE_SPIN = 2;
    /** Queued on its pCPU's run queue but not running: preempted, or woken and not yet run (kvm-model §5.1). */
    static final int RUNNABLE = 3;
    /** Halt-polling in {@code kvm_vcpu_halt}: still on the CPU, waiting for an event (kvm-model §3.4). */
    static final int POLLING = 4;

    /** {@code handlerVector} value when no handler runs. */
    static final int NO_HANDLER = -1;
    /** {@code handlerVector} value while the NMI handler runs. */
    static final int NMI_HANDLER = -2;

    final int id;
    final int index;
    final Vm vm;
    final Lapic lapic;
    final PostedInterruptDescriptor pid = new PostedInterruptDescriptor();
    final SplittableRandom random;

    int state = GUEST;
    ExitReason exitReason;
    long exitStartNs;
    /** Bumped whenever scheduled segment or exit-end events of this vCPU become stale. */
    int epoch;
    /**
     * Queue handles of this epoch's events (at most a PLE and a spin-budget event are pending at once), cancelled when
     * the epoch moves on so that stale events cost no poll. {@code -1}: none. The epoch check stays the rule.
     */
    long epochEvent = -1;

    long epochEvent2 = -1;

    // ---- guest ----
    int base = BASE_WORK;
    /** The segment clock is running (guest executing). */
    boolean running;

    long segmentStartNs;
    /** Busy time executed so far, the time base of the send sources. */
    long busyClockNs;

    long busyEndNs = Long.MAX_VALUE;
    int handlerVector = NO_HANDLER;
    long handlerRemainingNs;
    /** The handler wrote EOI and returns with IRET once the current exit (if any) ends. */
    boolean pendingIret;
    /** KVM armed an interrupt-window exit (no APICv, injection pending while IF=0). */
    boolean irqWindowArmed;

    int timerEpoch;

    // ---- KVM requests and IOAPIC state ----
    boolean scanIoapicRequested;
    final long[] ioapicHandledVectors = new long[4];
    int highestStalePendingIoapicEoi = -1;

    // ---- per vector ----
    /** When each vector became pending, for the latency histograms. */
    final long[] pendingSinceNs = new long[256];
    /** What handles each vector on this vCPU: {@link VectorOwner} encoding. */
    final int[] vectorOwner = new int[256];

    final long[] vectorHandlerNs = new long[256];

    // ---- host scheduling and KVM's per-vCPU flags (kvm-model §5.1, §6) ----
    int pcpu;
    /** Entity id of this vCPU's thread in its pCPU's run queue. */
    int entity;

    boolean preempted;
    boolean ready;
    boolean scheduledOut;
    boolean preemptedInKernel;
    /** The host wants to run something else: schedule at the end of the current exit. */
    boolean needResched;
    /** Guest privilege level of the code running now: 0 kernel, 3 user. */
    int cpl;

    long runnableSinceNs;
    long stealNs;
    long haltStartNs;
    dev.kvmfleetsim.hostsim.model.ple.PleWindow ple;
    dev.kvmfleetsim.hostsim.model.halt.HaltPoll haltPoll;

    // ---- guest workload (GuestWorkload) ----
    int step;
    /** Busy-clock time at which the current compute step ends; Long.MAX_VALUE if none runs. */
    long stepEndBusyNs = Long.MAX_VALUE;

    int spinKind;
    int spinLock = -1;
    long spinStartNs;
    /** The condition the spin waits for became true while the vCPU was not running guest code. */
    boolean spinSatisfied;
    /** pv-qspinlock: the waiter gave up spinning and halted until kicked (kvm-model §7.1). */
    boolean pvHalted;

    long spinBudgetNs;
    int pendingAcks;
    /** Senders whose call-function data this vCPU has yet to run (a bitmap over vCPU indices). */
    long[] csdFrom = new long[1];

    int items;
    boolean waitingForItem;
    int handoffCursor;
    long iterationStartNs;

    // ---- send sources: parallel arrays over the IPI sources this vCPU sends from ----
    int[] sendSources = new int[0];
    long[] nextSendBusyNs = new long[0];
    SplittableRandom[] sendRandom = new SplittableRandom[0];

    Vcpu(int id, int index, Vm vm, Lapic lapic, SplittableRandom random) {
        this.id = id;
        this.index = index;
        this.vm = vm;
        this.lapic = lapic;
        this.random = random;
    }

    boolean eoiExitBitmapContains(int vector) {
        return (ioapicHandledVectors[vector >>> 6] & (1L << vector)) != 0;
    }

    /** RFLAGS.IF as the model sees it: interrupts are off in a handler until its IRET. */
    boolean interruptsEnabled() {
        return handlerVector == NO_HANDLER && !pendingIret;
    }
}
