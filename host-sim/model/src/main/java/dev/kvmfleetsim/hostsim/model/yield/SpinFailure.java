package dev.kvmfleetsim.hostsim.model.yield;

/** Why {@code kvm_vcpu_on_spin} boosted no vCPU (kvm-model §5.2). */
public enum SpinFailure {
    /** A vCPU was boosted. */
    NONE,
    /** No vCPU passed the filters, so {@code kvm_vcpu_yield_to} was never called. */
    NO_CANDIDATE,
    /** Yields were attempted, none succeeded, and the scan ran to its end. */
    ALL_YIELDS_FAILED,
    /** A pass stopped because a {@code -ESRCH} took the try budget to 0 ({@code !--try}). */
    ESRCH_LIMIT,
    /** Fewer than two online vCPUs: returned before anything else. */
    TOO_FEW_VCPUS
}
