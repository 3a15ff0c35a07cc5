package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * The physical host.
 *
 * @param pcpus physical CPUs
 * @param tscGhz TSC frequency, used to convert the cycle-based parameters (ple_window, ple_gap) into time
 * @param contextSwitchNs a host context switch between two vCPU threads, until the new one enters the guest [I]
 * @param placement how vCPU threads are placed on pCPUs (they stay there: no load balancing is modelled)
 * @param vmCgroups each VM's vCPU threads run in a cgroup of their own (libvirt's default): a directed yield by a
 *     vCPU that is its VM's only runnable thread on the pCPU then leaves the group-level pick unchanged (kvm-model
 *     §6.4, [I])
 * @param nohzFull {@code nohz_full} on every pCPU: the tick stops while one task runs. Off (the distributions'
 *     NO_HZ_IDLE): a busy pCPU ticks at HZ, and each tick that lands in guest mode is an EXTERNAL_INTERRUPT exit
 *     (kvm-model §3.1 reason 1)
 */
public record HostConfig(
        int pcpus, double tscGhz, long contextSwitchNs, Placement placement, boolean vmCgroups, boolean nohzFull) {
    public static HostConfig defaults() {
        return new HostConfig(16, 2.4, 2_000L, Placement.RANDOM, true, false);
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
}
