package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * The physical host.
 *
 * @param pcpus physical CPUs
 * @param tscGhz TSC frequency, used to convert the cycle-based parameters (ple_window, ple_gap) into time
 * @param contextSwitchNs a host context switch between two vCPU threads, until the new one enters the guest [I]
 * @param placement where vCPU threads start (and, for {@link Placement#PINNED}, stay)
 * @param cgroupLayout the cpu-controller cgroups the vCPU threads run in, scheduled as task groups (kvm-model §6.4;
 *     docs/model.md)
 * @param nohzFull {@code nohz_full} on every pCPU: the tick stops while one task runs. Off (the distributions'
 *     NO_HZ_IDLE): a busy pCPU ticks at HZ, and each tick that lands in guest mode is an EXTERNAL_INTERRUPT exit
 *     (kvm-model §3.1 reason 1)
 * @param loadBalance the host scheduler moves vCPU threads between pCPUs, as the kernel does for unpinned threads:
 *     wake-up placement ({@code select_task_rq_fair}'s idle-CPU search), newidle balance and the periodic balance at
 *     the tick (docs/model.md, "Migration and load balancing"); off, every thread stays where {@code placement} put it
 * @param migrationNs extra host time of the first {@code vcpu_load} on a new pCPU: {@code vmx_vcpu_load_vmcs}'s
 *     {@code loaded_vmcs_clear}, a synchronous cross-CPU call that VMCLEARs the VMCS on the old pCPU, then VMPTRLD, the
 *     per-CPU host state and a VPID/EPT flush ({@code KVM_REQ_TLB_FLUSH}) on the new one [I]: 3 µs, one synchronous
 *     IPI round trip plus the reloads
 */
public record HostConfig(
        int pcpus,
        double tscGhz,
        long contextSwitchNs,
        Placement placement,
        CgroupLayout cgroupLayout,
        boolean nohzFull,
        boolean loadBalance,
        long migrationNs) {
    public static HostConfig defaults() {
        return new HostConfig(16, 2.4, 2_000L, Placement.RANDOM, CgroupLayout.PER_VCPU, false, true, 3_000L);
    }

    /** Threads may move: {@link #loadBalance()} on and not {@link Placement#PINNED}. */
    public boolean migrates() {
        return loadBalance && placement != Placement.PINNED;
    }

    /** Where the vCPU threads start, before any migration. */
    public enum Placement {
        /**
         * vCPU thread g (VM-major global index) runs on pCPU g mod pcpus: with one vCPU per pCPU per VM, two vCPUs of
         * the same VM never share a run queue (as with per-VM pinning).
         */
        SPREAD,
        /**
         * The same balanced slots as SPREAD, shuffled with the run's seed: what the host's load balancer leaves for
         * unpinned guests, where vCPUs of one VM sometimes share a run queue (where directed yield's lag credit
         * acts, kvm-model §6.5). With {@code load_balance} on, the balancer moves them from there.
         */
        RANDOM,
        /**
         * 1:1 pinning ({@code <vcpupin>}, {@code taskset}): vCPU i of VM m on pCPU {@code (m × vcpus + i) mod pcpus},
         * the SPREAD slots, and each thread's affinity is that one pCPU, so no migration of any kind happens whatever
         * {@code load_balance} says ({@code can_migrate_task} fails on {@code cpus_ptr}; {@code select_task_rq} returns
         * the only allowed CPU).
         */
        PINNED
    }

    /** The cgroup layout of the vCPU threads (the cpu controller's task groups, all at the default weight). */
    public enum CgroupLayout {
        /**
         * libvirt's: machine.slice → one scope per VM → one {@code vcpuN} sub-cgroup per vCPU thread, so every leaf
         * cfs_rq holds one thread (the default: the series' cover letter reasons about group entities and the
         * hierarchy walk, and libvirt is the usual way to run the benchmarked guests).
         */
        PER_VCPU,
        /** One cgroup per VM holding all its vCPU threads (KubeVirt's pod cgroup). */
        PER_VM,
        /** No task groups: every thread in the root cfs_rq (plain QEMU in one session cgroup). */
        FLAT
    }
}
