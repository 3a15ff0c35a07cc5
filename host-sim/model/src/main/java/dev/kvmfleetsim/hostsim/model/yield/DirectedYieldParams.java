package dev.kvmfleetsim.hostsim.model.yield;

/**
 * Switches of {@code kvm_vcpu_on_spin} for the directed-yield series (kvm-model §5.7, §5.8).
 *
 * @param ipiAwareCandidates patch 09: the strict pass filters with {@code kvm_vcpu_is_good_yield_candidate} (IPI
 *     receiver, pending posted interrupt, preempted, preempted in kernel) instead of upstream step 4 of §5.2
 * @param enableRelaxedBoost patch 10, {@code kvm.enable_relaxed_boost} (default true): if the strict pass yields to no
 *     one, scan again gated only by {@code preempted}. The kernel carries patch 10 only on top of patch 09; with
 *     {@code ipiAwareCandidates} off this models a what-if where the strict pass is upstream's
 */
public record DirectedYieldParams(boolean ipiAwareCandidates, boolean enableRelaxedBoost) {

    /** Upstream v6.19+/v7.x {@code kvm_vcpu_on_spin}: single strict pass, upstream filter (§5.2). */
    public static DirectedYieldParams upstream() {
        return new DirectedYieldParams(false, false);
    }

    /** The series with its defaults: patch 09 filter and {@code enable_relaxed_boost = true} (§5.7, §5.8). */
    public static DirectedYieldParams seriesDefaults() {
        return new DirectedYieldParams(true, true);
    }

    public DirectedYieldParams withRelaxedBoost(boolean enabled) {
        return new DirectedYieldParams(ipiAwareCandidates, enabled);
    }
}
