package dev.kvmfleetsim.bench;

import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.engine.EventQueue;
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
 * Events per second of the model's engine: a bare event loop on the model's own {@link EventQueue} against the full
 * interrupt model ({@link Simulator#run}) on an IPI-heavy scenario. Both report the secondary metric {@code events}
 * (events/s); {@link #bareEventLoop}'s primary score is events/s as well, the model benchmarks' primary score is runs/s.
 * Results and how to run them: docs/benchmarks.md.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EngineBenchmark {
    /** Events the bare loop processes per invocation. */
    static final int LOOP_EVENTS = 1 << 20;

    /** Pending events in the bare loop: one per simulated vCPU, as in the model. */
    static final int LOOP_PENDING = 64;

    /** The bare loop's delays are uniform in 1..8192 ns, the scale of the model's exit costs and handlers. */
    static final long LOOP_DELAY_MASK = 8191;

    /**
     * IPI-heavy: 1 VM x 16 vCPUs in x2APIC mode, unicast IPIs at 200k/s per sender (handler 1 us), a multicast source
     * of fanout 4, a level-triggered device, and vCPUs that halt when idle. {@code %s} is kvm.enable_apicv.
     */
    static final String IPI_HEAVY_JSON = """
            {
              "name": "bench-ipi-heavy",
              "seed": 42,
              "duration_ns": 40000000,
              "warmup_ns": 2000000,
              "vms": { "count": 1, "vcpus": 16 },
              "kvm": { "enable_apicv": %s, "enable_ipiv": false, "x2apic": true, "ipi_fastpath": true },
              "guest": { "idle": "halt", "busy_ns_mean": 200000, "idle_ns_mean": 50000, "ipi_ends_idle": true },
              "ipis": [
                { "pattern": "unicast", "rate_per_sec": 200000, "vector": "0xfd", "handler_ns": 1000 },
                { "pattern": "multicast", "fanout": 4, "rate_per_sec": 20000, "vector": "0xfc", "handler_ns": 2000 }
              ],
              "devices": [
                { "pin": 10, "vector": "0x41", "level": true, "dest_apic_id": 0, "rate_per_sec": 2000, "handler_ns": 5000 }
              ]
            }
            """;

    /** Counts processed events; JMH reports the field as a rate (events/s) next to the primary score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Events {
        public long events;

        @Setup(Level.Iteration)
        public void reset() {
            events = 0;
        }
    }

    /** The bare loop's queue, kept across invocations with a steady {@link #LOOP_PENDING} pending events. */
    @State(Scope.Thread)
    public static class BareLoop {
        EventQueue queue;
        long rng;

        @Setup(Level.Trial)
        public void setUp() {
            queue = new EventQueue(LOOP_PENDING);
            rng = 0x9E3779B97F4A7C15L;
            for (int i = 0; i < LOOP_PENDING; i++) {
                rng = xorshift(rng);
                queue.schedule(1 + (rng & LOOP_DELAY_MASK), (int) (rng >>> 61), i, 0);
            }
        }
    }

    /** A model scenario, parsed once; its event count per run is fixed by the seed and checked at set-up. */
    abstract static class ModelRun {
        Scenario scenario;
        long eventsPerRun;

        void load(boolean apicv) {
            scenario = ScenarioJson.read(IPI_HEAVY_JSON.formatted(apicv), false);
            long first = Simulator.run(scenario).eventsProcessed();
            long second = Simulator.run(scenario).eventsProcessed();
            if (first != second) {
                throw new IllegalStateException(
                        "the model is not deterministic: " + first + " vs " + second + " events");
            }
            eventsPerRun = first;
            System.out.printf("%n[%s, apicv=%s] %d events per run%n", scenario.name(), apicv, eventsPerRun);
        }
    }

    @State(Scope.Benchmark)
    public static class IpiHeavyApicv extends ModelRun {
        @Setup(Level.Trial)
        public void setUp() {
            load(true);
        }
    }

    @State(Scope.Benchmark)
    public static class IpiHeavyNoApicv extends ModelRun {
        @Setup(Level.Trial)
        public void setUp() {
            load(false);
        }
    }

    static long xorshift(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }

    /**
     * (a) The engine alone: poll the earliest event and reschedule its target at now + a pseudo-random delay, so the
     * heap stays at {@link #LOOP_PENDING} events.
     */
    @Benchmark
    @OperationsPerInvocation(LOOP_EVENTS)
    public long bareEventLoop(BareLoop s, Events counter) {
        EventQueue q = s.queue;
        long x = s.rng;
        long sum = 0;
        for (int i = 0; i < LOOP_EVENTS; i++) {
            q.poll();
            long now = q.polledTime();
            int target = q.polledTarget();
            sum += q.polledKind() + q.polledArg();
            x = xorshift(x);
            q.schedule(now + 1 + (x & LOOP_DELAY_MASK), (int) (x >>> 61), target, x >>> 32);
        }
        s.rng = x;
        counter.events += LOOP_EVENTS;
        return sum;
    }

    /** (b) The interrupt model on the IPI-heavy scenario with APICv (posted interrupts, virtualized EOI). */
    @Benchmark
    public SimulationResult interruptModelIpiHeavy(IpiHeavyApicv s, Events counter) {
        SimulationResult r = Simulator.run(s.scenario);
        counter.events += r.eventsProcessed();
        return r;
    }

    /** (b') The same scenario without APICv: injection on entry, EOI exits. */
    @Benchmark
    public SimulationResult interruptModelIpiHeavyNoApicv(IpiHeavyNoApicv s, Events counter) {
        SimulationResult r = Simulator.run(s.scenario);
        counter.events += r.eventsProcessed();
        return r;
    }
}
