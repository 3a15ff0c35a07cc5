package dev.kvmfleetsim.hostsim.model.yield;

/**
 * What the vCPU that {@code kvm_vcpu_on_spin} or {@code kvm_sched_yield} chose was doing when it was chosen, in the
 * terms of KVM's per-vCPU flags (kvm-model §5.1): the state the series' candidate rules (patch 09) and the upstream
 * boosts ({@code vcpu->ready}, d73eb57b80b9) reason about.
 */
public enum YieldTargetState {
    /** Preempted on its pCPU while in guest kernel mode ({@code preempted}, {@code preempted_in_kernel}). */
    PREEMPTED_KERNEL,
    /** Preempted while in guest user mode. */
    PREEMPTED_USER,
    /** Woken (by an interrupt or a kick) and runnable, but not yet run since ({@code ready} without preemption). */
    READY,
    /** Halted: blocked in {@code kvm_vcpu_block} or halt-polling. */
    HALTED,
    /** Running on its pCPU (in guest mode or handling an exit). */
    RUNNING,
    /** No target (nothing was boosted). */
    NONE
}
