package dev.kvmfleetsim.hostsim.model.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.ModelEventSink;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.SimulationResult.ExitRow;
import dev.kvmfleetsim.hostsim.model.SimulationResult.VcpuDetail;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.yield.BoostCause;
import dev.kvmfleetsim.hostsim.model.yield.SpinFailure;
import dev.kvmfleetsim.hostsim.model.yield.YieldTargetState;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a run exposes for the checks of issue 12 (item 7): per-vCPU exits, the PLE and halt-poll windows, and each
 * directed yield's cause and target state, consistent with the aggregate counters.
 */
class RunObservabilityTest {
    private static final String OVERCOMMITTED = """
            {"name": "observed", "seed": 3, "duration_ns": 200000000, "warmup_ns": 20000000,
             "host": {"pcpus": 4}, "vms": {"count": 2, "vcpus": 4},
             "kvm": {"enable_apicv": false},
             "workload": {"mix": "dbench_like"}}
            """;

    @Test
    void perVcpuExitsAddUpToTheTableAndWindowsAndYieldsToTheirCounters() {
        List<YieldTargetState> traced = new ArrayList<>();
        ModelEventSink sink = new ModelEventSink() {
            @Override
            public void onYield(long t, int vm, int vcpu, int target, BoostCause c, SpinFailure f, YieldTargetState s) {
                traced.add(s);
                assertThat(s == YieldTargetState.NONE).isEqualTo(target < 0);
            }
        };
        SimulationResult r = Simulator.run(ScenarioJson.read(OVERCOMMITTED, false), sink);

        assertThat(r.vcpuDetails()).hasSize(8);
        for (ExitRow row : r.exits()) {
            long perVcpu = r.vcpuDetails().stream()
                    .mapToLong(d -> d.exits().getOrDefault(row.reason(), 0L))
                    .sum();
            assertThat(perVcpu).as(row.reason()).isEqualTo(row.samples());
        }
        for (VcpuDetail d : r.vcpuDetails()) {
            assertThat(d.pcpu()).isBetween(0, 3);
            assertThat(d.pleWindowCycles()).isPositive();
        }
        assertThat(r.counter("ple_exits")).isPositive();
        assertThat(r.pleWindow().count()).as("one window per PLE exit").isEqualTo(r.counter("ple_exits"));
        assertThat(r.pleWindow().p50Ns()).isPositive();
        long yields = r.yields().values().stream().mapToLong(Long::longValue).sum();
        assertThat(yields).as("one outcome per kvm_vcpu_on_spin").isEqualTo(r.counter("spin_yield_attempted"));
        assertThat(traced).hasSize((int) yields);
        assertThat(r.yields().keySet()).allMatch(k -> k.matches("[a-z_]+:[a-z_]+"));
        assertThat(r.yields().getOrDefault("none:none", 0L))
                .isEqualTo(r.counter("spin_yield_attempted") - r.counter("spin_yield_successful"));
        assertThat(r.haltPollWindow().count())
                .as("one window per HLT that polled or blocked")
                .isGreaterThanOrEqualTo(r.counter("halt_attempted_poll"));
    }
}
