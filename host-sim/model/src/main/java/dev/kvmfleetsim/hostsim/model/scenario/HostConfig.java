package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * The physical host.
 *
 * @param pcpus physical CPUs
 * @param tscGhz TSC frequency, used to convert the cycle-based parameters (ple_window, ple_gap) into time
 * @param contextSwitchNs a host context switch between two vCPU threads, until the new one enters the guest [I]
 * @param placement how vCPU threads are placed on pCPUs (they stay there: no load balancing is modelled)
 */
public record HostConfig(int pcpus, double tscGhz, long contextSwitchNs, Placement placement) {
    public static HostConfig defaults() {
        return new HostConfig(16, 2.4, 2_000L, Placement.SPREAD);
    }

    /** vCPU thread placement. */
    public enum Placement {
        /** vCPU thread g (VM-major global index) runs on pCPU g mod pcpus: VMs overlap on the same pCPUs. */
        SPREAD
    }
}
