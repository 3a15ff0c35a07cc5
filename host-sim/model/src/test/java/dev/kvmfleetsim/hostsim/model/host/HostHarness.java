package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator;
import dev.kvmfleetsim.hostsim.model.testing.ExitLog;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;

/**
 * A host built from scenario JSON whose clock a test moves by hand (OpenDC's style): boot it, run its events up to a
 * time, then call one part directly at a chosen time and look at what it did (the exits it recorded, the events it
 * scheduled, the state it changed).
 */
final class HostHarness {
    final HostSimulation sim;
    final HostContext ctx;
    final HostParts parts;
    /** The vector of {@link #busyVm}'s IPI source. */
    static final int IPI_VECTOR = 0xfb;

    final ExitLog log = new ExitLog();

    private HostHarness(String json) {
        var scenario = ScenarioJson.read(json, false);
        var problems = ScenarioValidator.validate(scenario);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.toString());
        }
        this.sim = new HostSimulation(scenario, log);
        this.ctx = sim.context();
        this.parts = sim.parts();
        sim.start();
    }

    /** Boots a host for {@code json} (a full scenario file's text); no event has run yet. */
    static HostHarness boot(String json) {
        return new HostHarness(json);
    }

    /**
     * A VM of {@code vcpus} vCPUs, each on its own {@code nohz_full} pCPU (no tick while one task runs), always busy
     * (no idle, no IPI sources, no workload), with the given {@code kvm} and {@code guest} settings (JSON object
     * bodies), booted and run to 1 ms: every vCPU is then in guest mode and nothing is scheduled. Vector {@link #IPI_VECTOR} has an IPI handler of 2 us on every vCPU (an IPI
     * source that never fires by itself).
     */
    static HostHarness busyVm(int vcpus, String kvm, String guest) {
        return busyVm(vcpus, kvm, guest, "");
    }

    /** {@link #busyVm(int, String, String)} with the given {@code costs} (a JSON object body, e.g. fixed exit costs). */
    static HostHarness busyVm(int vcpus, String kvm, String guest, String costs) {
        return quiescent(vcpus, vcpus, kvm, guest, costs);
    }

    /**
     * As {@link #busyVm(int, String, String, String)} with two vCPUs whose threads share pCPU 0: at 1 ms one of them
     * runs in guest mode, the other waits on the run queue; the only events are the host ticks of the shared pCPU,
     * every 4 ms (HZ=250, so that the first one comes after the boot).
     */
    static HostHarness sharedPcpu(String kvm, String guest, String costs) {
        return quiescent(2, 1, kvm, guest, costs);
    }

    private static HostHarness quiescent(int vcpus, int pcpus, String kvm, String guest, String costs) {
        String guestJson = guest.isEmpty() ? "\"idle_ns_mean\": 0" : "\"idle_ns_mean\": 0, " + guest;
        HostHarness h = boot("""
                {"name": "harness", "seed": 7, "duration_ns": 1000000000,
                 "host": {"pcpus": %d, "placement": "spread", "nohz_full": true}, "vms": {"count": 1, "vcpus": %d},
                 "kvm": {%s}, "guest": {%s}, "costs": {%s}, "sched": {"tick_ns": 4000000},
                 "ipis": [{"pattern": "unicast", "rate_per_sec": 0, "vector": "0xfb", "handler_ns": 2000}]}
                """.formatted(pcpus, vcpus, kvm, guestJson, costs));
        h.runUntil(1_000_000);
        return h;
    }

    /** Handles every event due by {@code ns}, then sets the clock to {@code ns}. */
    void runUntil(long ns) {
        while (sim.step(ns)) {
            // one event per step
        }
        ctx.now = ns;
    }

    /**
     * Handles events one at a time until {@code done} holds or none is due by {@code limitNs}; the clock is then the
     * time of the last event handled.
     *
     * @return whether {@code done} holds
     */
    boolean stepUntil(java.util.function.BooleanSupplier done, long limitNs) {
        while (!done.getAsBoolean()) {
            if (!sim.step(limitNs)) {
                return false;
            }
        }
        return true;
    }

    Vcpu vcpu(int id) {
        return sim.vcpu(id);
    }

    long counter(Vcpu v, dev.kvmfleetsim.hostsim.model.stats.KvmStat stat) {
        return v.vm.counters[stat.ordinal()];
    }
}
