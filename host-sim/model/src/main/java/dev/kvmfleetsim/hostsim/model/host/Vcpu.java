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
