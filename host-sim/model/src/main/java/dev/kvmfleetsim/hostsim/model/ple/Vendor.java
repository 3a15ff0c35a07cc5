package dev.kvmfleetsim.hostsim.model.ple;

/**
 * Which hardware PAUSE-loop mechanism a host uses (kvm-model §4): Intel VMX pause-loop exiting (a window in TSC cycles,
 * {@code kvm_intel.ple_*}) or the AMD SVM pause filter (a count of PAUSE instructions, {@code kvm_amd.pause_filter_*}).
 */
public enum Vendor {
    /** Intel VMX PLE: {@code handle_pause} in {@code vmx.c}. */
    INTEL_VMX,
    /** AMD SVM pause filter: {@code pause_interception} in {@code svm.c}. */
    AMD_SVM;

    /**
     * Whether a PAUSE loop at this guest privilege level can cause a PLE / pause-filter exit at all (kvm-model §4.3).
     * On Intel the "PAUSE-loop exiting" control is ignored if CPL &gt; 0, and KVM never sets PAUSE_EXITING, so only CPL0
     * spins exit ({@code handle_pause}). The AMD pause filter intercepts PAUSE at any CPL ({@code pause_interception}
     * computes {@code in_kernel} instead).
     *
     * @param cpl guest current privilege level, 0 to 3
     */
    public boolean pauseLoopExitAtCpl(int cpl) {
        return this == AMD_SVM || cpl == 0;
    }

    /**
     * The {@code yield_to_kernel_mode} argument the exit handler passes to {@code kvm_vcpu_on_spin} (kvm-model §4.3):
     * always true on VMX ({@code kvm_vcpu_on_spin(vcpu, true)}); on SVM {@code in_kernel = !sev_es_guest && CPL == 0},
     * since the CPL of an SEV-ES guest is not visible to KVM.
     *
     * @param cpl guest current privilege level at the exit, 0 to 3
     * @param sevEsGuest the VM is an SEV-ES guest (ignored on VMX)
     */
    public boolean yieldToKernelMode(int cpl, boolean sevEsGuest) {
        if (this == INTEL_VMX) {
            return true;
        }
        return !sevEsGuest && cpl == 0;
    }
}
