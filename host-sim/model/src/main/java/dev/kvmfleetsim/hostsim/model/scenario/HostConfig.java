package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * The physical host.
 *
 * @param pcpus physical CPUs
 * @param tscGhz TSC frequency, used to convert the cycle-based parameters (ple_window, ple_gap) into time
 * @param contextSwitchNs a host context switch between two vCPU threads, until the new one enters the guest [I]
 * @param placement how vCPU threads are placed on pCPUs (they stay there: no load balancing is modelled)
 * @param cgroupLayout the cpu-controller cgroups the vCPU threads run in, scheduled as task groups (kvm-model §6.4;
 *     docs/model.md)
 * @param nohzFull {@code nohz_full} on every pCPU: the tick stops while one task runs. Off (the distributions'
 *     NO_HZ_IDLE): a busy pCPU ticks at HZ, and each tick that lands in guest mode is an EXTERNAL_INTERRUPT exit
 *     (kvm-model §3.1 reason 1)
 */
public record HostConfig(
        int pcpus,
        double tscGhz,
        long contextSwitchNs,
        Placement placement,
        CgroupLayout cgroupLayout,
        boolean nohzFull) {
    public static HostConfig defaults() {
        return new HostConfig(16, 2.4, 2_000L, Placement.RANDOM, CgroupLayout.PER_VCPU, false);
    }

    /** vCPU thread placement. */
    public enum Placement {
        /**
         * vCPU thread g (VM-major global index) runs on pCPU g mod pcpus: with one vCPU per pCPU per VM, two vCPUs of
         * the same VM never share a run queue (as with per-VM pinning).
         */
        SPREAD,
        /**
         * The same balanced slots as SPREAD, shuffled with the run's seed: what the host's load balancer leaves for
         * unpinned guests, where vCPUs of one VM sometimes share a run queue (where directed yield's lag credit
         * acts, kvm-model §6.5).
         */
        RANDOM
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
