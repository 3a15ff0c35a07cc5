package dev.kvmfleetsim.hostsim.model.ple;

/**
 * The per-vCPU pause-loop-exit window (kvm-model §4.2): {@code vmx->ple_window} on VMX (TSC cycles, a u32) or the
 * VMCB's {@code pause_filter_count} on SVM (PAUSE instructions, a u16). It grows on every PLE exit and shrinks when the
 * vCPU is loaded after having been scheduled out; with the default shrink modifier of 0 any schedule-out/in resets it
 * to the base. Not thread-safe.
 */
public final class PleWindow {
    private static final long U16_MASK = 0xFFFFL;
    private static final long U32_MASK = 0xFFFF_FFFFL;

    private final PleParams params;
    private final boolean active;
    private long window;
    private long exits;
    private long shrinks;

    /** A vCPU of a VM without {@code KVM_X86_DISABLE_EXITS_PAUSE}. */
    public PleWindow(PleParams params) {
        this(params, false);
    }

    /**
     * @param params module parameters
     * @param pauseDisabledForVm the VM set {@code KVM_X86_DISABLE_EXITS_PAUSE} ({@code pause_in_guest}): PAUSE never
     *     exits and the window is never adapted
     */
    public PleWindow(PleParams params, boolean pauseDisabledForVm) {
        this.params = params;
        // kvm-model §4.1: vmx_vm_init / svm_vm_init turn pause_in_guest on for disabled parameters.
        this.active = !pauseDisabledForVm && params.pauseExitsEnabled();
        // vmx: vmx->ple_window = ple_window at vCPU setup; svm: init_vmcb sets control->pause_filter_count.
        this.window = store(params.pleWindow());
    }

    public PleParams params() {
        return params;
    }

    /** Whether PAUSE loops exit for this vCPU at all (not {@code kvm_pause_in_guest}). */
    public boolean active() {
        return active;
    }

    /**
     * The current window: TSC cycles of continuous PAUSE-looping before a PLE exit on VMX, PAUSE instructions before
     * the intercept on SVM.
     */
    public long windowCycles() {
        return window;
    }

    /**
     * Whether a PAUSE loop at this CPL causes exits for this vCPU: PLE is active and, on Intel, the spin is at CPL0
     * (kvm-model §4.3; see {@link Vendor#pauseLoopExitAtCpl}).
     *
     * @param cpl guest current privilege level, 0 to 3
     */
    public boolean exitsAtCpl(int cpl) {
        return active && params.vendor().pauseLoopExitAtCpl(cpl);
    }

    /**
     * A PLE exit ({@code handle_pause} / {@code pause_interception}): grows the window unless
     * {@code kvm_pause_in_guest} ({@code grow_ple_window}, kvm-model §4.2). The caller then runs
     * {@code kvm_vcpu_on_spin}.
     *
     * @return the window after growing, same unit as {@link #windowCycles()}
     */
    public long onPleExit() {
        exits++;
        if (active) {
            window = store(growPleWindow(window, params.pleWindow(), params.pleWindowGrow(), params.pleWindowMax()));
        }
        return window;
    }

    /**
     * {@code vmx_vcpu_load} / {@code svm_vcpu_load}: if the vCPU had been scheduled out ({@code vcpu->scheduled_out},
     * set by every {@code kvm_sched_out}) and PLE is active, shrink the window ({@code shrink_ple_window}, kvm-model
     * §4.2). A load without a prior schedule-out (e.g. a plain {@code vcpu_load} for an ioctl) leaves it alone.
     *
     * @param scheduledOut {@code vcpu->scheduled_out} at the load
     * @return the window after the load
     */
    public long onVcpuLoad(boolean scheduledOut) {
        if (scheduledOut && active) {
            shrinks++;
            // The floor is the base itself: shrink_ple_window passes ple_window as both base and min.
            window = store(shrinkPleWindow(window, params.pleWindow(), params.pleWindowShrink(), params.pleWindow()));
        }
        return window;
    }

    /** PLE exits seen (whether or not the window could grow). */
    public long exits() {
        return exits;
    }

    /** Shrinks applied at {@code vcpu_load}. */
    public long shrinks() {
        return shrinks;
    }

    /**
     * How long a continuous PAUSE loop lasts before the next exit, in ns (kvm-model §4.3, [I]). VMX: the window is in
     * TSC cycles. SVM: the window counts PAUSE instructions, so the spin lasts {@code window × pauseLatencyCycles}
     * cycles (the AMD count semantics is [I] in the spec, hence the parameter).
     *
     * @param tscGhz TSC frequency, GHz (cycles per ns)
     * @param pauseLatencyCycles cycles one PAUSE iteration takes (used on SVM only)
     */
    public long spinNsBeforeExit(double tscGhz, long pauseLatencyCycles) {
        long cycles = params.vendor() == Vendor.INTEL_VMX ? window : window * pauseLatencyCycles;
        return cyclesToNs(cycles, tscGhz);
    }

    /**
     * The static form of the CPL rule (kvm-model §4.3): on Intel only CPL0 PAUSE loops cause PLE exits ("ignored if
     * CPL &gt; 0"); the AMD pause filter intercepts at any CPL. Does not include whether PLE is active for a VM; see
     * {@link #exitsAtCpl(int)}.
     *
     * @param vendor the hardware
     * @param cpl guest current privilege level, 0 to 3
     */
    public static boolean pleExitPossible(Vendor vendor, int cpl) {
        return vendor.pauseLoopExitAtCpl(cpl);
    }

    /**
     * TSC cycles to ns, rounded up so that a spin of the returned length has lasted at least {@code cycles} (the
     * hardware exits once the loop has lasted more than the window).
     *
     * @param cycles TSC cycles, &ge; 0
     * @param tscGhz TSC frequency in GHz (cycles per ns), &gt; 0
     * @return ns
     */
    public static long cyclesToNs(long cycles, double tscGhz) {
        if (tscGhz <= 0) {
            throw new IllegalArgumentException("tscGhz must be positive, was " + tscGhz);
        }
        return (long) Math.ceil(cycles / tscGhz);
    }

    /**
     * {@code __grow_ple_window(val, base, modifier, max)} ({@code arch/x86/kvm/x86.h}, kvm-model §4.2): a modifier
     * below 1 returns the base (uncapped); a modifier below the base multiplies; otherwise it adds. The result (a u64
     * in the kernel, so no overflow) is capped at max.
     */
    public static long growPleWindow(long val, long base, long modifier, long max) {
        if (modifier < 1) {
            return base;
        }
        long ret = val;
        if (modifier < base) {
            ret *= modifier;
        } else {
            ret += modifier;
        }
        return Math.min(ret, max);
    }

    /**
     * {@code __shrink_ple_window(val, base, modifier, min)} ({@code arch/x86/kvm/x86.h}, kvm-model §4.2): a modifier
     * below 1 returns the base; a modifier below the base divides; otherwise it subtracts. The result is raised to
     * min. As in the kernel the subtraction is on {@code unsigned int}: if {@code modifier > val} it wraps around to a
     * large value, which {@code max(val, min)} keeps.
     */
    public static long shrinkPleWindow(long val, long base, long modifier, long min) {
        if (modifier < 1) {
            return base;
        }
        long v = val;
        if (modifier < base) {
            v /= modifier;
        } else {
            v = (v - modifier) & U32_MASK;
        }
        return Math.max(v, min);
    }

    /** The width of the per-vCPU field: {@code unsigned int ple_window} (VMX), {@code u16 pause_filter_count} (SVM). */
    private long store(long value) {
        return params.vendor() == Vendor.INTEL_VMX ? value & U32_MASK : value & U16_MASK;
    }
}
