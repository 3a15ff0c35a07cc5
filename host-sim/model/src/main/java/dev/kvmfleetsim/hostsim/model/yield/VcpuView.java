package dev.kvmfleetsim.hostsim.model.yield;

/**
 * What {@link DirectedYield} and {@link KvmSchedYield} read from, and do to, the vCPUs of one VM (kvm-model §5.1,
 * §5.3). Indexes are {@code vcpu_idx}, 0 to {@code vcpuCount() - 1}. Implementations answer from the current simulation
 * state and must not call back into the directed-yield units.
 */
public interface VcpuView {
    /** {@code kvm->online_vcpus}. */
    int vcpuCount();

    /** {@code vcpu->ready}: preempted while runnable, or woken from HLT and not yet run (§5.1). */
    boolean ready(int vcpu);

    /** {@code vcpu->preempted}: scheduled out while runnable inside {@code KVM_RUN} (§5.1). */
    boolean preempted(int vcpu);

    /** {@code kvm_arch_vcpu_preempted_in_kernel}: preempted at guest CPL0 (true for protected guests) (§5.1). */
    boolean preemptedInKernel(int vcpu);

    /** {@code kvm_vcpu_is_blocking}: asleep in {@code kvm_vcpu_block} after a HLT (§3.4). */
    boolean blocking(int vcpu);

    /**
     * {@code vcpu_dy_runnable}: {@code kvm_arch_dy_runnable} ({@code pv_unhalted}, a pending NMI/SMI/event request,
     * APICv with a pending posted interrupt) or a completed async page fault (§5.2 step 3.3).
     */
    boolean dyRunnable(int vcpu);

    /**
     * {@code kvm_arch_dy_has_pending_interrupt}: APICv is active and the posted-interrupt descriptor shows a pending
     * interrupt (ON, or SN with a non-empty PIR; §1.10). False without APICv.
     */
    boolean hasPendingPostedInterrupt(int vcpu);

    /**
     * {@code kvm_vcpu_yield_to(target)} from {@code me}, the spinning or yielding vCPU whose thread is current
     * (§5.3, §5.4): boosts the target's task with {@code yield_to(p, true)}.
     *
     * @return &gt; 0 if the target was boosted, 0 on failure (no task, RT class, different classes, target running or
     *     not runnable, throttled), &lt; 0 ({@code -ESRCH}) when both runqueues run exactly one task
     */
    int yieldTo(int me, int target);
}
