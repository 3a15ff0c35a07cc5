package dev.kvmfleetsim.bench;

import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Simulation speed: <b>simulated seconds per wall-clock second</b> of one {@link Simulator#run} on one core, for the
 * A1 host (16 pCPUs, VMs of 16 vCPUs, the Dedup-like workload, the whole directed-yield series at its defaults, APICv
 * off, x2APIC).
 *
 * <p>One invocation simulates {@link #SIM_SECONDS} s and counts as {@link #SIM_SECONDS} operations, so the primary
 * score (ops/s) reads directly as simulated seconds per wall second. The secondary metrics say the same explicitly:
 * {@code simulatedSeconds} (simulated s per wall s) and {@code events} (engine events per wall s). With {@code -prof
 * gc}, {@code gc.alloc.rate.norm} (B/op) is bytes allocated per simulated second. Results and how to run them:
 * docs/benchmarks.md.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SimulationSpeedBenchmark {
    /** Simulated seconds per invocation: 0.5 to 1.1 s of wall time on the reference VM (docs/benchmarks.md). */
    static final int SIM_SECONDS = 3;

    /** The scenario's {@code duration_ns}. */
    static final long DURATION_NS = SIM_SECONDS * 1_000_000_000L;

    /**
     * The A1 host: {@code %d} VMs x 16 vCPUs on the default 16-pCPU host, x2APIC, APICv off, the Dedup-like workload;
     * everything else (scheduler, PLE, halt polling, the directed-yield series) at the defaults. Arguments: VM count,
     * VM count, duration in ns.
     */
    static final String A1_DEDUP_JSON = """
            {"name":"a1-dedup-%dvm","seed":1,"duration_ns":%d,"vms":{"count":%d,"vcpus":16},\
            "kvm":{"x2apic":true,"enable_apicv":false},"workload":{"mix":"dedup_like"}}""";

    /** Secondary metrics, reported as rates per wall second next to the primary score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Simulated seconds; as a rate, simulated seconds per wall second. */
        public double simulatedSeconds;

        /** Engine events ({@link SimulationResult#eventsProcessed}); as a rate, events per wall second. */
        public long events;

        @Setup(Level.Iteration)
        public void reset() {
            simulatedSeconds = 0;
            events = 0;
        }
    }

    /** An A1 scenario, parsed once; set-up runs it twice and fails unless both runs process the same events. */
    abstract static class A1Run {
        Scenario scenario;
        long eventsPerRun;

        void load(int vms) {
            scenario = ScenarioJson.read(A1_DEDUP_JSON.formatted(vms, DURATION_NS, vms), false);
            SimulationResult first = Simulator.run(scenario);
            SimulationResult second = Simulator.run(scenario);
            if (first.eventsProcessed() != second.eventsProcessed()) {
                throw new IllegalStateException("the model is not deterministic: " + first.eventsProcessed() + " vs "
                        + second.eventsProcessed() + " events");
            }
            eventsPerRun = first.eventsProcessed();
            System.out.printf(
                    "%n[%s] %d events, %d workload iterations per run of %d simulated s%n",
                    scenario.name(), eventsPerRun, first.workload().iterations(), SIM_SECONDS);
        }
    }

    @State(Scope.Benchmark)
    public static class A1FourVms extends A1Run {
        @Setup(Level.Trial)
        public void setUp() {
            load(4);
        }
    }

    @State(Scope.Benchmark)
    public static class A1TwoVms extends A1Run {
        @Setup(Level.Trial)
        public void setUp() {
            load(2);
        }
    }

    static SimulationResult runOnce(A1Run s, Counters counters) {
        SimulationResult r = Simulator.run(s.scenario);
        counters.simulatedSeconds += DURATION_NS / 1e9;
        counters.events += r.eventsProcessed();
        return r;
    }

    /** The A1 host as specified: 4 VMs x 16 vCPUs on 16 pCPUs (overcommit 4). */
    @Benchmark
    @OperationsPerInvocation(SIM_SECONDS)
    public SimulationResult a1Dedup4Vms(A1FourVms s, Counters counters) {
        return runOnce(s, counters);
    }

    /** The same host with 2 VMs x 16 vCPUs (overcommit 2). */
    @Benchmark
    @OperationsPerInvocation(SIM_SECONDS)
    public SimulationResult a1Dedup2Vms(A1TwoVms s, Counters counters) {
        return runOnce(s, counters);
    }
}
