package dev.kvmfleetsim.hostsim.model.ple;

/**
 * The PLE / pause-filter module parameters, by their {@code kvm_intel} names (kvm-model §4.1). On AMD the same
 * components hold {@code kvm_amd.pause_filter_thresh}, {@code pause_filter_count}, {@code pause_filter_count_grow},
 * {@code pause_filter_count_shrink} and {@code pause_filter_count_max}. All values are kernel {@code unsigned int}s,
 * held in {@code long}s so that {@code UINT_MAX} fits.
 *
 * @param vendor VMX (window in TSC cycles) or SVM (window as a count of PAUSE instructions)
 * @param pleGap {@code ple_gap} / {@code pause_filter_thresh}: TSC cycles between two PAUSEs that still count as the
 *     same loop; 0 disables PLE for new VMs
 * @param pleWindow {@code ple_window} / {@code pause_filter_count}: the base window, TSC cycles (VMX) or PAUSEs (SVM);
 *     on SVM 0 disables the pause filter for new VMs
 * @param pleWindowGrow {@code ple_window_grow} / {@code pause_filter_count_grow}: growth modifier (multiplier if below
 *     the base, addend otherwise; below 1 means "reset to the base")
 * @param pleWindowShrink {@code ple_window_shrink} / {@code pause_filter_count_shrink}: shrink modifier (divisor if
 *     below the base, subtrahend otherwise; below 1 means "reset to the base")
 * @param pleWindowMax {@code ple_window_max} / {@code pause_filter_count_max}: cap of the grown window, same unit as
 *     {@code pleWindow}
 */
public record PleParams(
        Vendor vendor, long pleGap, long pleWindow, long pleWindowGrow, long pleWindowShrink, long pleWindowMax) {

    /** {@code UINT_MAX}, the VMX default of {@code ple_window_max} ({@code KVM_VMX_DEFAULT_PLE_WINDOW_MAX}). */
    public static final long UINT_MAX = 0xFFFF_FFFFL;

    /** {@code USHRT_MAX}, the SVM default of {@code pause_filter_count_max}; the VMCB field is 16 bits wide. */
    public static final long USHRT_MAX = 0xFFFFL;

    public PleParams {
        if (vendor == null) {
            throw new IllegalArgumentException("vendor is required");
        }
        requireU32("pleGap", pleGap);
        requireU32("pleWindow", pleWindow);
        requireU32("pleWindowGrow", pleWindowGrow);
        requireU32("pleWindowShrink", pleWindowShrink);
        requireU32("pleWindowMax", pleWindowMax);
    }

    private static void requireU32(String name, long value) {
        if (value < 0 || value > UINT_MAX) {
            throw new IllegalArgumentException(name + " must be an unsigned 32-bit value, was " + value);
        }
    }

    /**
     * VMX defaults (kvm-model §4.1, {@code arch/x86/kvm/x86.h}): {@code KVM_DEFAULT_PLE_GAP} 128,
     * {@code KVM_VMX_DEFAULT_PLE_WINDOW} 4096 cycles, grow 2, shrink 0 (reset), max {@code UINT_MAX}.
     */
    public static PleParams intelDefaults() {
        return new PleParams(Vendor.INTEL_VMX, 128, 4096, 2, 0, UINT_MAX);
    }

    /**
     * SVM defaults (kvm-model §4.1): {@code pause_filter_thresh} 128, {@code KVM_SVM_DEFAULT_PLE_WINDOW} 3000 PAUSEs,
     * grow 2, shrink 0 (reset), max {@code USHRT_MAX} (65535).
     */
    public static PleParams amdDefaults() {
        return new PleParams(Vendor.AMD_SVM, 128, 3000, 2, 0, USHRT_MAX);
    }

    /**
     * Whether new VMs get PAUSE exits at all with these parameters, before the per-VM
     * {@code KVM_X86_DISABLE_EXITS_PAUSE} switch: {@code vmx_vm_init} sets {@code pause_in_guest} when
     * {@code ple_gap == 0}; {@code svm_vm_init} when {@code pause_filter_count == 0 || pause_filter_thresh == 0}.
     */
    public boolean pauseExitsEnabled() {
        if (vendor == Vendor.INTEL_VMX) {
            return pleGap != 0;
        }
        return pleWindow != 0 && pleGap != 0;
    }

    /**
     * Whether two successive PAUSEs this far apart still belong to one loop (kvm-model §4.3): the gap between PAUSE
     * executions is at most {@code ple_gap} TSC cycles. On SVM the filter count resets when the gap exceeds
     * {@code pause_filter_thresh} instead, the same comparison.
     *
     * @param gapCycles TSC cycles between the two PAUSE executions
     */
    public boolean sameLoop(long gapCycles) {
        return gapCycles <= pleGap;
    }
}
