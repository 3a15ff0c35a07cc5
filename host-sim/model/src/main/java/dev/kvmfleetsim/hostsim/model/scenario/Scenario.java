package dev.kvmfleetsim.hostsim.model.scenario;

import dev.kvmfleetsim.hostsim.model.halt.HaltPollParams;
import dev.kvmfleetsim.hostsim.model.ple.PleParams;
import dev.kvmfleetsim.hostsim.model.sched.EevdfParams;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYieldParams;
import java.util.List;

/**
 * One simulation run's full input: the host, its VMs, every KVM switch, the exit cost model and the guest workload.
 *
 * <p>Immutable and validated by {@link ScenarioValidator}; {@link #defaults()} holds the default of every field, which
 * is what a scenario file leaves out. Times are in nanoseconds of simulated time.
 *
 * @param name a label that appears in the output
 * @param seed root of every random stream of the run (kvm-fleet-sim is deterministic per seed)
 * @param durationNs simulated time to run, including the warm-up
 * @param warmupNs statistics are recorded only after this much simulated time
 * @param host the physical machine
 * @param vms the VMs (all alike)
 * @param kvm KVM module parameters and features, by their kernel names
 * @param costs the VM-exit cost model (kvm-model §3.3)
 * @param guest how the guest OS addresses IPIs and idles
 * @param ipis IPI streams sent by guest code
 * @param devices IOAPIC device interrupt sources
 * @param msis MSI interrupt sources (bypass the IOAPIC)
 * @param ioapicWrites guest reprogramming of IOAPIC redirection entries at given times
 * @param sched the host's EEVDF scheduler and the series' lag credit (patches 01 to 05; kvm-model §6)
 * @param ple pause-loop exiting (kvm-model §4)
 * @param haltPoll KVM's halt polling (kvm-model §3.4)
 * @param directedYield {@code kvm_vcpu_on_spin} and the series' patches 09 and 10 (kvm-model §5)
 * @param workload the guest workload loop (kvm-model §7)
 */
public record Scenario(
        String name,
        long seed,
        long durationNs,
        long warmupNs,
        HostConfig host,
        VmConfig vms,
        KvmParams kvm,
        ExitCosts costs,
        GuestConfig guest,
        List<IpiSource> ipis,
        List<DeviceSource> devices,
        List<MsiSource> msis,
        List<IoapicWrite> ioapicWrites,
        EevdfParams sched,
        PleParams ple,
        HaltPollParams haltPoll,
        DirectedYieldParams directedYield,
        WorkloadConfig workload) {

    public Scenario {
        ipis = List.copyOf(ipis);
        devices = List.copyOf(devices);
        msis = List.copyOf(msis);
        ioapicWrites = List.copyOf(ioapicWrites);
    }

    /**
     * The scenario a file with no fields describes: one idle 4-vCPU VM on a 16-pCPU host for 100 ms, a kernel with
     * the whole directed-yield series at its defaults.
     */
    public static Scenario defaults() {
        return new Scenario(
                "default",
                1L,
                100_000_000L,
                0L,
                HostConfig.defaults(),
                VmConfig.defaults(),
                KvmParams.defaults(),
                ExitCosts.defaults(),
                GuestConfig.defaults(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                EevdfParams.defaults(),
                PleParams.intelDefaults(),
                HaltPollParams.defaults(),
                DirectedYieldParams.seriesDefaults(),
                WorkloadConfig.defaults());
    }

    /** This scenario with another seed. */
    public Scenario withSeed(long newSeed) {
        return new Scenario(
                name,
                newSeed,
                durationNs,
                warmupNs,
                host,
                vms,
                kvm,
                costs,
                guest,
                ipis,
                devices,
                msis,
                ioapicWrites,
                sched,
                ple,
                haltPoll,
                directedYield,
                workload);
    }

    /**
     * This scenario with the whole directed-yield series on (its defaults) or off (upstream): the four switches that
     * {@link Series} names, nothing else.
     */
    public Scenario withSeries(boolean on) {
        return Series.apply(this, on);
    }

    /** Total vCPUs of all VMs. */
    public int totalVcpus() {
        return vms.count() * vms.vcpus();
    }

    /** vCPUs per pCPU (kvm-model §6; architecture §3). */
    public double overcommit() {
        return (double) totalVcpus() / host.pcpus();
    }
}
