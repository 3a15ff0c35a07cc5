package dev.kvmfleetsim.hostsim.model.yield;

/** Why {@code kvm_vcpu_on_spin} accepted the vCPU it boosted (kvm-model §5.2, §5.7, §5.8). */
public enum BoostCause {
    /** Patch 09 rule 1: the confirmed recent IPI receiver of the spinner. */
    IPI_RECEIVER,
    /**
     * A pending posted interrupt decided it: patch 09 rule 2, or upstream step 4 where the interrupt alone let a vCPU
     * preempted in user mode pass under {@code yield_to_kernel_mode}.
     */
    PENDING_INTERRUPT,
    /** Accepted by the strict pass on the preempted / preempted-in-kernel heuristic (upstream-style). */
    PLAIN_CANDIDATE,
    /** Accepted by the patch 10 second pass (preempted only). */
    RELAXED_FALLBACK,
    /** No vCPU was boosted. */
    NONE
}
