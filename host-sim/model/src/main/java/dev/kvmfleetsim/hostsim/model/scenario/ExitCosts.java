package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * The cost model of VM exits and of the delivery steps around them (kvm-model §3.3). Defaults marked [S] come from the
 * seeds' measurements; the rest are [I] and are here so that a user can change them.
 *
 * @param msrWriteFastpath x2APIC ICR / TSC_DEADLINE write handled in the fastpath: avg 0.58 µs, min 0.48 [S seed 004]
 * @param msrWriteSlow an MSR_WRITE through the full exit handler: avg 1.08 µs, min 0.69 [S seed 004]
 * @param externalInterrupt a host interrupt (kick, notification) while in guest: avg 0.71 µs, min 0.47 [S 0c5f81dad46c]
 * @param interruptWindow the exit taken when the guest re-enables interrupts with an injection pending [I]
 * @param hlt the handling part of a HLT exit; the time blocked is added on top, as perf kvm stat does [I]
 * @param vmcall a hypercall exit (PV send-IPI, kick, sched_yield) [I]
 * @param apicAccess an xAPIC MMIO access emulated by instruction decoding (fault-like) [I]
 * @param apicWrite a trap-like APIC-write exit (ICR with APICv but no IPIv) [I]
 * @param eoiInduced a virtualized EOI of a vector in the EOI-exit bitmap [I]
 * @param preemptionTimer the VMX preemption timer used as the guest's LAPIC timer [I]
 * @param pause a PLE exit, including {@code kvm_vcpu_on_spin}'s scan and its {@code yield_to} [I]
 * @param eptMisconfig a virtio doorbell, an MMIO write to an ioeventfd address ({@code handle_ept_misconfig}'s fast
 *     MMIO path: no decode, an eventfd signal) [I]
 * @param kvmDeliverPerTargetNs KVM's software work per accepted destination ({@code __apic_accept_irq} + kick) [I]
 * @param apicSlowPathPerVcpuNs extra work per vCPU examined by the slow delivery path (§1.8) [I]
 * @param ipivSendNs guest-visible cost of one ICR write virtualized by IPIv (PID-table lookup and post) [I]
 * @param postedIntrLatencyNs posted-interrupt notification to the guest seeing the vector, target in guest [I]
 * @param hostKickLatencyNs a host IPI (kick) from one pCPU to another [I]
 * @param wakeupLatencyNs waking a blocked vCPU thread on an idle pCPU until it re-enters the guest [I]
 */
public record ExitCosts(
        CostDist msrWriteFastpath,
        CostDist msrWriteSlow,
        CostDist externalInterrupt,
        CostDist interruptWindow,
        CostDist hlt,
        CostDist vmcall,
        CostDist apicAccess,
        CostDist apicWrite,
        CostDist eoiInduced,
        CostDist preemptionTimer,
        CostDist pause,
        CostDist eptMisconfig,
        long kvmDeliverPerTargetNs,
        long apicSlowPathPerVcpuNs,
        long ipivSendNs,
        long postedIntrLatencyNs,
        long hostKickLatencyNs,
        long wakeupLatencyNs) {

    public static ExitCosts defaults() {
        return new ExitCosts(
                new CostDist(480, 580),
                new CostDist(690, 1080),
                new CostDist(470, 710),
                new CostDist(450, 600),
                new CostDist(500, 900),
                new CostDist(700, 1100),
                new CostDist(1000, 1500),
                new CostDist(600, 900),
                new CostDist(500, 700),
                new CostDist(450, 600),
                new CostDist(800, 1_500),
                // [I] fast MMIO with ioeventfd: no instruction decode, an eventfd signal; about an MSR write.
                new CostDist(700, 1_100),
                400,
                20,
                550,
                400,
                300,
                5_000);
    }
}
