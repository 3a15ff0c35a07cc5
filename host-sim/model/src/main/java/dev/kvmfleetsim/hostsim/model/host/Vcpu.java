package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.halt.HaltPoll;
import dev.kvmfleetsim.hostsim.model.lapic.Lapic;
import dev.kvmfleetsim.hostsim.model.lapic.PostedInterruptDescriptor;
import dev.kvmfleetsim.hostsim.model.ple.PleWindow;
import java.util.SplittableRandom;

/**
 * One vCPU, {@code struct kvm_vcpu}: the KVM-side state the model needs (mode, requests, the scheduler flags of
 * kvm-model §5.1), with the guest it runs ({@link GuestState}), the workload program's state ({@link WorkloadState})
 * and its vectors ({@link VectorTable}) as separate objects. Plain fields on the hot path.
 */
final class Vcpu {
    final int id;
    final int index;
    final Vm vm;
    final Lapic lapic;
    final PostedInterruptDescriptor pid = new PostedInterruptDescriptor();
    /** One stream for this vCPU's guest draws and exit costs, in event order (determinism). */
    final SplittableRandom random;

    final GuestState guest = new GuestState();
    final WorkloadState work = new WorkloadState();
    final VectorTable vectors = new VectorTable();
    final PleWindow ple;
    final HaltPoll haltPoll;
    /** Exits of this vCPU by reason (ordinal), after the warm-up. */
    final long[] exitCounts = new long[ExitReason.count()];

    VcpuMode mode = VcpuMode.GUEST;
    /** The exit being handled (HLT while halted). */
    ExitReason exitReason;
    /** Bumped whenever scheduled segment, PLE or exit-end events of this vCPU become stale. */
    int epoch;
    /**
     * Queue handles of this epoch's events (at most two are pending at once: a PLE and a spin-budget event), cancelled
     * when the epoch moves on so that stale events cost no poll. {@code -1}: none. The epoch check stays the rule.
     */
    long epochEvent = -1;

    long epochEventOther = -1;

    // ---- KVM requests and interrupt state ----
    /** KVM armed an interrupt-window exit (no APICv, injection pending while IF=0). */
    boolean irqWindowArmed;
    /** {@code KVM_REQ_SCAN_IOAPIC} pending. */
    boolean scanIoapicRequested;
    /** {@code ioapic_handled_vectors}, which is the EOI-exit bitmap with APICv (kvm-model §2.4). */
    final long[] ioapicHandledVectors = new long[4];

    int highestStalePendingIoapicEoi = -1;
    /**
     * {@code KVM_PV_EOI_ENABLED} set in the guest's PV EOI word at the last entry ({@code apic_sync_pv_eoi_to_guest}):
     * the guest may complete the injected interrupt's EOI without exiting. Any exit before that clears it
     * ({@code apic_sync_pv_eoi_from_guest}).
     */
    boolean pvEoiPending;

    // ---- host scheduling and KVM's per-vCPU flags (kvm-model §5.1, §6) ----
    /** The pCPU whose run queue holds the thread ({@code task_cpu}); changes only by a migration. */
    int pcpu;
    /** {@code vcpu->cpu}: the pCPU of the last {@code vcpu_load}, -1 before the first; differs from pcpu after a move. */
    int loadedPcpu = -1;
    /** When the thread last stopped running ({@code se.exec_start} as the balancer reads it: least recently run first). */
    long lastRanNs;
    /** Task id of this vCPU thread in the host scheduler (CfsHierarchy). */
    int entity;

    boolean preempted;
    boolean ready;
    boolean scheduledOut;
    boolean preemptedInKernel;
    /** TIF_NEED_RESCHED: schedule at the end of the current exit. */
    boolean needResched;
    /** Since when the thread waits on the run queue (steal time). */
    long runnableSinceNs;
    /** When the current HLT blocked or started polling; -1 when no such HLT is pending its exit record. */
    long haltStartNs = -1;

    Vcpu(int id, int index, Vm vm, Lapic lapic, SplittableRandom random, PleWindow ple, HaltPoll haltPoll) {
        this.id = id;
        this.index = index;
        this.vm = vm;
        this.lapic = lapic;
        this.random = random;
        this.ple = ple;
        this.haltPoll = haltPoll;
    }

    boolean eoiExitBitmapContains(int vector) {
        return (ioapicHandledVectors[vector >>> 6] & (1L << vector)) != 0;
    }
}
