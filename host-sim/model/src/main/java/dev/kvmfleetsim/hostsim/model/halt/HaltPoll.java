package dev.kvmfleetsim.hostsim.model.halt;

/**
 * The adaptive halt-poll window of one vCPU, {@code vcpu->halt_poll_ns} (kvm-model §3.4; {@code kvm_vcpu_halt},
 * {@code grow_halt_poll_ns}, {@code shrink_halt_poll_ns} in {@code virt/kvm/kvm_main.c}). The caller models the poll
 * itself: it asks {@link #shouldPoll} at the HLT exit, polls for up to {@link #pollWindowNs()} (stopping as soon as
 * another task becomes runnable on the pCPU), blocks if no wake event came, and reports the total halted time to
 * {@link #onWakeup}. Not thread-safe.
 */
public final class HaltPoll {
    private final HaltPollParams params;
    private long windowNs;
    private boolean guestDisabledPolling;
    private long grows;
    private long shrinks;

    public HaltPoll(HaltPollParams params) {
        this.params = params;
    }

    public HaltPollParams params() {
        return params;
    }

    /**
     * The current poll window, ns. Never above {@code halt_poll_ns}: since v6.2 the kernel clamps the window to the
     * maximum at the start of each halt rather than in {@code grow_halt_poll_ns}; with a fixed maximum the two are the
     * same, and this class clamps when growing.
     */
    public long pollWindowNs() {
        return windowNs;
    }

    /**
     * Whether the HLT exit polls before blocking (kvm-model §3.4 step 1): host polling is allowed for this vCPU
     * ({@code !kvm_arch_no_poll}), the window is non-zero, and the pCPU runs no other task
     * ({@code single_task_running()} in {@code kvm_vcpu_can_poll}). On an overcommitted pCPU polling stops at once, so
     * the HLT goes straight to block. The adaptation in {@link #onWakeup} happens either way.
     *
     * @param singleTaskRunning the vCPU's task is the only runnable task on its pCPU
     */
    public boolean shouldPoll(boolean singleTaskRunning) {
        return !guestDisabledPolling && windowNs > 0 && singleTaskRunning;
    }

    /**
     * The guest's {@code MSR_KVM_POLL_CONTROL} bit 0 (guest haltpoll cpuidle, kvm-model §3.4): when the guest clears it
     * ({@code kvm_arch_no_poll} true) the host neither polls nor adapts the window.
     *
     * @param disabled the guest disabled host-side polling
     */
    public void setGuestDisabledPolling(boolean disabled) {
        this.guestDisabledPolling = disabled;
    }

    public boolean guestDisabledPolling() {
        return guestDisabledPolling;
    }

    /**
     * The adaptation after the wake (kvm-model §3.4 step 3, the tail of {@code kvm_vcpu_halt}), in this order: an
     * invalid wakeup shrinks; {@code halt_ns <= poll} keeps the window; {@code poll > 0 && halt_ns > max} shrinks (a
     * long block); {@code poll < max && halt_ns < max} grows. With {@code halt_poll_ns == 0} the window is set to 0.
     * Nothing changes while the guest disabled host polling.
     *
     * @param haltNs total time halted, ns: from the HLT exit to the wake, polling included
     * @param validWakeup {@code vcpu_valid_wakeup(vcpu)} (always true on x86)
     * @return the window after the adaptation, ns
     */
    public long onWakeup(long haltNs, boolean validWakeup) {
        if (guestDisabledPolling) {
            return windowNs;
        }
        long max = params.haltPollNs();
        if (!validWakeup) {
            shrink();
        } else if (max != 0) {
            // halt_ns <= poll: the wake came within the poll window, keep it
            if (haltNs > windowNs) {
                if (windowNs != 0 && haltNs > max) {
                    // we had a long block, shrink polling
                    shrink();
                } else if (windowNs < max && haltNs < max) {
                    // we had a short halt and our poll time is too small
                    grow();
                }
            }
        } else {
            windowNs = 0;
        }
        return windowNs;
    }

    /** Windows grown so far. */
    public long grows() {
        return grows;
    }

    /** Windows shrunk so far (invalid wakeups and long blocks). */
    public long shrinks() {
        return shrinks;
    }

    /**
     * {@code grow_halt_poll_ns}: a grow modifier of 0 leaves the window; otherwise multiply, raise to
     * {@code halt_poll_ns_grow_start}, cap at {@code halt_poll_ns}.
     */
    private void grow() {
        long grow = params.haltPollNsGrow();
        if (grow == 0) {
            return;
        }
        grows++;
        long val = windowNs * grow;
        if (val < params.haltPollNsGrowStart()) {
            val = params.haltPollNsGrowStart();
        }
        windowNs = Math.min(val, params.haltPollNs());
    }

    /**
     * {@code shrink_halt_poll_ns}: a shrink modifier of 0 resets to 0; otherwise divide; a result below
     * {@code halt_poll_ns_grow_start} becomes 0.
     */
    private void shrink() {
        shrinks++;
        long shrink = params.haltPollNsShrink();
        long val = shrink == 0 ? 0 : windowNs / shrink;
        if (val < params.haltPollNsGrowStart()) {
            val = 0;
        }
        windowNs = val;
    }
}
