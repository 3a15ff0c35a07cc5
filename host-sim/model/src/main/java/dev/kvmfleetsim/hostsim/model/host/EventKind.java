package dev.kvmfleetsim.hostsim.model.host;

/**
 * The kinds of the host's discrete events ({@code int}s, so that the queue stays primitive and the run loop's switch
 * a table switch). Each names the part that handles it; {@code target} is a vCPU id unless said otherwise.
 */
final class EventKind {
    /** {@link GuestCpu}: the guest reached the end of a segment (its next action, or a handler's end). */
    static final int SEGMENT_END = 0;
    /** {@link VcpuRun}: the exit being handled ends; the vCPU re-enters (or schedules). */
    static final int EXIT_END = 1;
    /** {@link IrqInjection}: the posted-interrupt notification reaches a vCPU in guest mode. */
    static final int PI_NOTIFY = 2;
    /** {@link IrqInjection}: {@code kvm_vcpu_kick}'s host IPI reaches a vCPU in guest mode. */
    static final int KICK = 3;
    /** {@link IrqSources}: a device behind the IOAPIC fires; target = VM × devices + device. */
    static final int DEVICE_FIRE = 5;
    /** {@link IrqSources}: the guest starts using an MSI; target = VM × MSIs + MSI. */
    static final int MSI_START = 6;
    /** {@link IrqSources}: an MSI fires; target = VM × MSIs + MSI. */
    static final int MSI_FIRE = 7;
    /** {@link IrqSources}: the guest reprograms an IOAPIC entry; target = VM, arg = the write's index. */
    static final int IOAPIC_WRITE = 8;
    /** {@link IrqSources}: the IOAPIC's delayed re-injection after a storm ({@code kvm_ioapic_eoi_inject_work}). */
    static final int EOI_INJECT = 9;
    /** {@link GuestCpu}: the LAPIC timer armed for an idle period expires; arg = the timer's epoch. */
    static final int TIMER = 10;
    /** {@link HostSimulation}: the warm-up ends; statistics are recorded from now on. */
    static final int WARMUP_END = 11;
    /** {@link PcpuScheduler}: the host tick on a pCPU; target = pCPU. */
    static final int TICK = 12;
    /** {@link SpinExits}: a PAUSE loop reached the PLE window. */
    static final int PLE = 13;
    /** {@link SpinExits}: a pv-qspinlock waiter spun {@code SPIN_THRESHOLD} times. */
    static final int SPIN_BUDGET = 14;
    /** {@link VcpuHalt}: the halt-polling window ends without a wake event. */
    static final int POLL_END = 15;
    /** {@link PcpuScheduler}: an idle pCPU picks the thread just woken; target = pCPU. */
    static final int PCPU_WAKE = 16;
    /** {@link GuestCpu}: the I/O a sleeping task waits on completes; its queue's MSI goes to the vCPU. */
    static final int IO_COMPLETE = 17;

    private EventKind() {}
}
