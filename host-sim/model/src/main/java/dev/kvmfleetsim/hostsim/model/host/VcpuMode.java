package dev.kvmfleetsim.hostsim.model.host;

/** Where a vCPU's thread is, as KVM and the host scheduler see it (kvm-model §3.4, §5.1). */
enum VcpuMode {
    /** In guest mode, executing guest code. */
    GUEST,
    /** In the host, handling an exit (or entering after a wake-up or a switch). */
    HOST,
    /** Queued on its pCPU's run queue but not running: preempted, or woken and not yet run. */
    RUNNABLE,
    /** Blocked in {@code kvm_vcpu_block}, its task asleep. */
    BLOCKED,
    /** Halt-polling in {@code kvm_vcpu_halt}: still on the CPU, waiting for an event. */
    POLLING
}
