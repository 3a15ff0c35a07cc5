package dev.kvmfleetsim.hostsim.model.yield;

/**
 * Switches of {@code kvm_vcpu_on_spin} for the directed-yield series (kvm-model §5.7, §5.8).
 *
 * @param ipiAwareCandidates patch 09: the strict pass filters with {@code kvm_vcpu_is_good_yield_candidate} (IPI
 *     receiver, pending posted interrupt, preempted, preempted in kernel) instead of upstream step 4 of §5.2
 * @param enableRelaxedBoost patch 10, {@code kvm.enable_relaxed_boost} (default true): if the strict pass yields to no
 *     one, scan again gated only by {@code preempted}. The kernel carries patch 10 only on top of patch 09; with
 *     {@code ipiAwareCandidates} off this models a what-if where the strict pass is upstream's
 * @param readyBoost d73eb57b80b9 "KVM: Boost vCPUs that are delivering interrupts" (upstream since v5.2, default
 *     true): a candidate must be {@code vcpu->ready} (preempted, or woken and not yet run); false restores the check
 *     before it, {@code vcpu->preempted}, so a vCPU woken by an interrupt is no candidate (A7, §5.2 step 3.2)
 * @param queueHeadBoost 266e85a5ec91 "KVM: X86: Boost queue head vCPU to mitigate lock waiter preemption" (upstream
 *     since v5.4, default true): {@code KVM_HC_KICK_CPU} is followed by {@code kvm_sched_yield} to the kicked vCPU;
 *     false only kicks (A8, §5.5)
 */
public record DirectedYieldParams(
        boolean ipiAwareCandidates, boolean enableRelaxedBoost, boolean readyBoost, boolean queueHeadBoost) {

    /** Upstream v6.19+/v7.x {@code kvm_vcpu_on_spin}: single strict pass, upstream filter (§5.2). */
    public static DirectedYieldParams upstream() {
        return new DirectedYieldParams(false, false, true, true);
    }

    /** The series with its defaults: patch 09 filter and {@code enable_relaxed_boost = true} (§5.7, §5.8). */
    public static DirectedYieldParams seriesDefaults() {
        return new DirectedYieldParams(true, true, true, true);
    }

    public DirectedYieldParams withRelaxedBoost(boolean enabled) {
        return new DirectedYieldParams(ipiAwareCandidates, enabled, readyBoost, queueHeadBoost);
    }

    public DirectedYieldParams withReadyBoost(boolean enabled) {
        return new DirectedYieldParams(ipiAwareCandidates, enableRelaxedBoost, enabled, queueHeadBoost);
    }
}
