package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * The VMs of the host; all VMs are alike and each runs its own copy of the guest workload.
 *
 * @param count number of VMs
 * @param vcpus vCPUs per VM; vCPU {@code i} has APIC ID {@code i}
 */
public record VmConfig(int count, int vcpus) {
    public static VmConfig defaults() {
        return new VmConfig(1, 4);
    }
}
