package dev.kvmfleetsim.hostsim.model.exit;

/**
 * The VM exits the model produces, with their VMX basic exit reason numbers ({@code arch/x86/include/uapi/asm/vmx.h};
 * kvm-model §3.1). Names are the ones {@code perf kvm stat} prints.
 */
public enum ExitReason {
    EXTERNAL_INTERRUPT(1),
    INTERRUPT_WINDOW(7),
    HLT(12),
    VMCALL(18),
    MSR_READ(31),
    MSR_WRITE(32),
    PAUSE_INSTRUCTION(40),
    APIC_ACCESS(44),
    EOI_INDUCED(45),
    /** A virtio doorbell: MMIO to an ioeventfd address ({@code handle_ept_misconfig}'s fast MMIO path). */
    EPT_MISCONFIG(49),
    PREEMPTION_TIMER(52),
    APIC_WRITE(56);

    private static final ExitReason[] VALUES = values();

    private final int vmxCode;

    ExitReason(int vmxCode) {
        this.vmxCode = vmxCode;
    }

    /** The VMX basic exit reason number. */
    public int vmxCode() {
        return vmxCode;
    }

    /** The reason with this ordinal, without allocating. */
    public static ExitReason ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    public static int count() {
        return VALUES.length;
    }
}
