package dev.kvmfleetsim.hostsim.model.scenario;

import dev.kvmfleetsim.hostsim.model.ipi.EoiClearMode;

/**
 * KVM module parameters and features that the interrupt model reads, by their kernel names (snake_case in files).
 *
 * @param enableApicv {@code kvm_intel.enable_apicv}: posted interrupts, virtual-interrupt delivery, EOI virtualization
 *     (kvm-model §1.10, §1.11)
 * @param enableIpiv {@code kvm_intel.enable_ipiv}: IPI virtualization, requires APICv (§1.12)
 * @param x2apic the guest runs its LAPICs in x2APIC mode (one MSR write per IPI) instead of xAPIC (two MMIO writes)
 * @param pvSendIpi the guest uses the {@code KVM_HC_SEND_IPI} hypercall for multicast IPIs (§7.4)
 * @param ipiFastpath the single-target ICR fastpath {@code handle_fastpath_set_msr_irqoff} (§3.2, seed 004)
 * @param ioapicEoiFix the stale-vector rescan of seed 002 / v5 3/3 (§2.5)
 * @param vectorHashing {@code kvm.vector_hashing}: lowest-priority arbitration by vector (§1.8)
 * @param ipiTrackingEnabled {@code kvm.ipi_tracking_enabled} (series patch 06, §5.6)
 * @param ipiWindowNs {@code kvm.ipi_window_ns}: how long a recorded IPI counts as pending (§5.6)
 * @param ipiEoiClearMode which version of patch 08 clears the tracking on EOI (§5.6, [I])
 */
public record KvmParams(
        boolean enableApicv,
        boolean enableIpiv,
        boolean x2apic,
        boolean pvSendIpi,
        boolean ipiFastpath,
        boolean ioapicEoiFix,
        boolean vectorHashing,
        boolean ipiTrackingEnabled,
        long ipiWindowNs,
        EoiClearMode ipiEoiClearMode) {

    public static KvmParams defaults() {
        return new KvmParams(true, false, true, false, true, true, true, true, 50_000_000L, EoiClearMode.V3_INFERRED);
    }

    /** IPIv is only active on top of APICv (kvm-model §1.12). */
    public boolean ipivActive() {
        return enableApicv && enableIpiv;
    }
}
