package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * The physical host.
 *
 * @param pcpus physical CPUs
 * @param tscGhz TSC frequency, used to convert the cycle-based parameters (ple_window, ple_gap) into time
 */
public record HostConfig(int pcpus, double tscGhz) {
    public static HostConfig defaults() {
        return new HostConfig(16, 2.4);
    }
}
