package dev.kvmfleetsim.hostsim.model.yield;

/**
 * {@code kvm_vcpu_on_spin()} for one VM (kvm-model §5.2), with the series' patch 09 IPI-aware strict filter (§5.7) and
 * patch 10 relaxed second pass (§5.8) behind {@link DirectedYieldParams}. Holds the VM's {@code last_boosted_vcpu} and
 * every vCPU's {@code spin_loop.in_spin_loop} and {@code spin_loop.dy_eligible}; reads everything else through a
 * {@link VcpuView}. Allocates nothing per call. Not thread-safe.
 *
 * <p>The counters here are PLE's own; {@code directed_yield_attempted} and {@code directed_yield_successful} belong to
 * {@link KvmSchedYield}, which PLE never touches (§5.5).
 */
public final class DirectedYield {
    /** The {@code try} budget of one call: {@code int try = 3}. */
    public static final int TRIES = 3;

    private final DirectedYieldParams params;
    private final VcpuView view;
    private final IpiReceiverQuery ipi;

    private final boolean[] inSpinLoop;
    private final boolean[] dyEligible;
    /** {@code kvm->last_boosted_vcpu}: zero-initialised with {@code struct kvm}, so the first scan starts at vCPU 1. */
    private int lastBoostedVcpu;

    private final SpinResult result = new SpinResult();

    private long spins;
    private long boosts;
    private final long[] boostsByCause = new long[BoostCause.values().length];
    private final long[] failuresByReason = new long[SpinFailure.values().length];
    private long esrchTotal;

    /**
     * @param maxVcpus capacity of the per-vCPU state; {@code view.vcpuCount()} must never exceed it
     * @param params which patches are active
     * @param view the vCPUs of the VM
     * @param ipi patch 06's {@code kvm_vcpu_is_ipi_receiver} (e.g. {@code tracker::isIpiReceiver}); only consulted
     *     when {@code params.ipiAwareCandidates()}
     */
    public DirectedYield(int maxVcpus, DirectedYieldParams params, VcpuView view, IpiReceiverQuery ipi) {
        if (maxVcpus < 1) {
            throw new IllegalArgumentException("maxVcpus must be positive, was " + maxVcpus);
        }
        this.params = params;
        this.view = view;
        this.ipi = ipi;
        inSpinLoop = new boolean[maxVcpus];
        dyEligible = new boolean[maxVcpus];
    }

    public DirectedYieldParams params() {
        return params;
    }

    /**
     * A PLE exit's {@code kvm_vcpu_on_spin(me, yield_to_kernel_mode)}, run to completion: at the end
     * {@code me.in_spin_loop} and {@code me.dy_eligible} are false again.
     *
     * @param me the spinning vCPU
     * @param yieldToKernelMode {@code yield_to_kernel_mode} (always true on VMX; §4.3)
     * @param nowNs current time, ns (for the IPI-receiver window)
     * @return the reused result object, valid until the next call on this instance
     */
    public SpinResult onSpin(int me, boolean yieldToKernelMode, long nowNs) {
        SpinResult r = scan(me, yieldToKernelMode, nowNs);
        if (r.failure != SpinFailure.TOO_FEW_VCPUS) {
            finishSpin(me);
        }
        return r;
    }

    /**
     * {@code kvm_vcpu_on_spin} up to, but not including, its last two statements. In the kernel a successful
     * {@code yield_to} calls {@code schedule()} inside the spin loop, so the spinner stays {@code in_spin_loop} while
     * it waits to run again, and other spinners then find it eligible only every other examination (§5.2 step 3.5).
     * A caller that models that descheduling uses this method and calls {@link #finishSpin(int)} when the spinner
     * runs again. With fewer than two online vCPUs nothing is set and no {@code finishSpin} is needed.
     */
    public SpinResult onSpinDeferringFinish(int me, boolean yieldToKernelMode, long nowNs) {
        return scan(me, yieldToKernelMode, nowNs);
    }

    /**
     * The tail of {@code kvm_vcpu_on_spin}: {@code kvm_vcpu_set_in_spin_loop(me, false)} and
     * {@code kvm_vcpu_set_dy_eligible(me, false)} ("ensure vcpu is not eligible during next spinloop").
     */
    public void finishSpin(int me) {
        inSpinLoop[me] = false;
        dyEligible[me] = false;
    }

    private SpinResult scan(int me, boolean ytkm, long nowNs) {
        SpinResult r = result;
        r.reset();
        spins++;
        int n = view.vcpuCount();
        if (n > inSpinLoop.length) {
            throw new IllegalStateException("view has " + n + " vCPUs, capacity is " + inSpinLoop.length);
        }
        // kvm-model §5.2 step 1: online_vcpus < 2 returns before in_spin_loop is set.
        if (n < 2) {
            r.failure = SpinFailure.TOO_FEW_VCPUS;
            failuresByReason[SpinFailure.TOO_FEW_VCPUS.ordinal()]++;
            return r;
        }
        inSpinLoop[me] = true;

        int tries = TRIES;
        boolean firstRound = true;
        boolean hitLimit = false;
        while (true) {
            // patch 10 "retry:" label: yielded = 0, start recomputed (last_boosted_vcpu is unchanged by a pass that
            // boosted no one).
            r.passes++;
            int yielded = 0;
            int start = lastBoostedVcpu + 1;
            for (int i = 0; i < n; i++) {
                int idx = (start + i) % n;
                if (idx == me) {
                    continue;
                }
                r.examined++;
                // step 3.2: vcpu->ready since d73eb57b80b9; vcpu->preempted before it (readyBoost off)
                if (!(params.readyBoost() ? view.ready(idx) : view.preempted(idx))) {
                    continue;
                }
                if (view.blocking(idx) && !view.dyRunnable(idx)) {
                    continue;
                }
                BoostCause cause;
                if (firstRound) {
                    cause = params.ipiAwareCandidates()
                            ? goodYieldCandidate(me, idx, ytkm, nowNs)
                            : upstreamCandidate(idx, ytkm);
                    if (cause == BoostCause.NONE) {
                        continue;
                    }
                } else {
                    // patch 10: minimal preempted gate for the second round
                    if (!view.preempted(idx)) {
                        continue;
                    }
                    cause = BoostCause.RELAXED_FALLBACK;
                }
                if (!eligibleForDirectedYield(idx)) {
                    continue;
                }
                r.yieldAttempts++;
                yielded = view.yieldTo(me, idx);
                if (yielded > 0) {
                    // v6.19+ stores idx (older kernels stored the loop offset i, §5.2 History)
                    lastBoostedVcpu = idx;
                    r.target = idx;
                    r.cause = cause;
                    break;
                } else if (yielded < 0) {
                    r.esrch++;
                    // "else if (yielded < 0 && !--try) break;": only reaching exactly 0 stops. A relaxed pass that
                    // starts with try == 0 takes it negative and never stops on -ESRCH (§5.8 edge case, [I]).
                    if (--tries == 0) {
                        hitLimit = true;
                        break;
                    }
                }
                // yielded == 0 consumes no try
            }
            if (params.enableRelaxedBoost() && firstRound && yielded <= 0) {
                firstRound = false;
                continue;
            }
            break;
        }
        r.triesLeft = tries;

        if (r.target >= 0) {
            boosts++;
            boostsByCause[r.cause.ordinal()]++;
        } else {
            if (hitLimit) {
                r.failure = SpinFailure.ESRCH_LIMIT;
            } else if (r.yieldAttempts > 0) {
                r.failure = SpinFailure.ALL_YIELDS_FAILED;
            } else {
                r.failure = SpinFailure.NO_CANDIDATE;
            }
            failuresByReason[r.failure.ordinal()]++;
        }
        esrchTotal += r.esrch;
        return r;
    }

    /**
     * Upstream step 4 (§5.2): skip {@code preempted && ytkm && !dy_has_pending_interrupt && !preempted_in_kernel}.
     * Evaluated in the kernel's order; a pending posted interrupt that alone lets a user-mode-preempted vCPU through is
     * reported as {@link BoostCause#PENDING_INTERRUPT}.
     */
    private BoostCause upstreamCandidate(int v, boolean ytkm) {
        if (view.preempted(v) && ytkm) {
            boolean pending = view.hasPendingPostedInterrupt(v);
            if (!view.preemptedInKernel(v)) {
                return pending ? BoostCause.PENDING_INTERRUPT : BoostCause.NONE;
            }
        }
        return BoostCause.PLAIN_CANDIDATE;
    }

    /** Patch 09, {@code kvm_vcpu_is_good_yield_candidate(me, v, ytkm)}: the priority-ordered filter (§5.7). */
    private BoostCause goodYieldCandidate(int me, int v, boolean ytkm, long nowNs) {
        // Priority 1: recently targeted IPI receiver, even if not preempted or preempted in user mode
        if (ipi.isIpiReceiver(me, v, nowNs)) {
            return BoostCause.IPI_RECEIVER;
        }
        // Priority 2: kvm_arch_dy_has_pending_interrupt (APICv only)
        if (view.hasPendingPostedInterrupt(v)) {
            return BoostCause.PENDING_INTERRUPT;
        }
        // A woken-but-not-run vCPU (ready, not preempted) is no longer a candidate.
        if (!view.preempted(v)) {
            return BoostCause.NONE;
        }
        if (ytkm && !view.preemptedInKernel(v)) {
            return BoostCause.NONE;
        }
        return BoostCause.PLAIN_CANDIDATE;
    }

    /**
     * {@code kvm_vcpu_eligible_for_directed_yield} (§5.2 step 3.5): eligible unless it is in its own spin loop with
     * {@code dy_eligible} clear; a vCPU in its spin loop has {@code dy_eligible} toggled at every examination, so it is
     * eligible every other time.
     */
    private boolean eligibleForDirectedYield(int v) {
        boolean eligible = !inSpinLoop[v] || dyEligible[v];
        if (inSpinLoop[v]) {
            dyEligible[v] = !dyEligible[v];
        }
        return eligible;
    }

    /** {@code kvm->last_boosted_vcpu}: the index of the last successful target (0 initially). */
    public int lastBoostedVcpu() {
        return lastBoostedVcpu;
    }

    /** {@code vcpu->spin_loop.in_spin_loop}. */
    public boolean inSpinLoop(int vcpu) {
        return inSpinLoop[vcpu];
    }

    /** {@code vcpu->spin_loop.dy_eligible}. */
    public boolean dyEligible(int vcpu) {
        return dyEligible[vcpu];
    }

    /** vCPU create ({@code kvm_vcpu_init}): both spin-loop flags false. */
    public void resetVcpu(int vcpu) {
        inSpinLoop[vcpu] = false;
        dyEligible[vcpu] = false;
    }

    /** {@code kvm_vcpu_on_spin} calls. */
    public long spins() {
        return spins;
    }

    /** Calls that boosted a vCPU. */
    public long boosts() {
        return boosts;
    }

    /** Calls that boosted a vCPU for this reason. */
    public long boosts(BoostCause cause) {
        return boostsByCause[cause.ordinal()];
    }

    /** Calls that boosted nothing for this reason ({@link SpinFailure#NONE} is always 0). */
    public long failures(SpinFailure reason) {
        return failuresByReason[reason.ordinal()];
    }

    /** {@code -ESRCH} returns over all calls. */
    public long esrchTotal() {
        return esrchTotal;
    }
}
