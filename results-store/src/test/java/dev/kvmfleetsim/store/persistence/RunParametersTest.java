package dev.kvmfleetsim.store.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.UnreadableMessageException;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.SimulationResult.LatencySummary;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed parameters come from the result's shape and the scenario's switches, with the model's defaults. */
class RunParametersTest {
    private static final LatencySummary NONE = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

    private static SimulationResult result(int vms, int vcpus, int pcpus, String mix) {
        return new SimulationResult(
                "t",
                1,
                1_000,
                vms,
                vcpus,
                pcpus,
                List.of(),
                Map.of(),
                NONE,
                NONE,
                NONE,
                Map.of(),
                new SimulationResult.WorkloadSummary(mix, 0, 0, NONE, 0, 0),
                0);
    }

    private static JsonNode tree(String json) throws Exception {
        return ContractJson.mapper().readTree(json);
    }

    @Test
    void missingFieldsTakeTheModelsDefaults() throws Exception {
        RunParameters p = RunParameters.of(tree("{}"), result(3, 16, 16, "DEDUP_LIKE"));
        Scenario d = Scenario.defaults();
        assertThat(p.overcommit()).isEqualTo(new BigDecimal("3.0000"));
        assertThat(p.ipiWindowNs()).isEqualTo(d.kvm().ipiWindowNs());
        assertThat(p.ipiTrackingEnabled()).isEqualTo(d.kvm().ipiTrackingEnabled());
        assertThat(p.enableApicv()).isEqualTo(d.kvm().enableApicv());
        assertThat(p.eevdfLagCredit()).isEqualTo(d.sched().eevdfLagCredit());
        assertThat(p.ipiAwareCandidates()).isEqualTo(d.directedYield().ipiAwareCandidates());
        assertThat(p.durationNs()).isEqualTo(d.durationNs());
        assertThat(p.workloadMix()).isEqualTo("dedup_like");
    }

    @Test
    void scenarioFieldsAreRead() throws Exception {
        RunParameters p = RunParameters.of(
                tree("{\"duration_ns\": 7, \"kvm\": {\"ipi_window_ns\": 5, \"ipi_tracking_enabled\": false,"
                        + " \"enable_ipiv\": true, \"x2apic\": false}, \"sched\": {\"eevdf_lag_credit\": false},"
                        + " \"directed_yield\": {\"ipi_aware_candidates\": false, \"enable_relaxed_boost\": false}}"),
                result(1, 4, 3, "none"));
        assertThat(p)
                .isEqualTo(new RunParameters(
                        1,
                        4,
                        3,
                        new BigDecimal("1.3333"),
                        5,
                        false,
                        true,
                        true,
                        false,
                        false,
                        false,
                        false,
                        "none",
                        7));
    }

    @Test
    void aWrongTypeIsUnreadableWithItsPath() {
        assertThatThrownBy(() -> RunParameters.of(
                        tree("{\"kvm\": {\"ipi_tracking_enabled\": \"yes\"}}"), result(1, 1, 1, "none")))
                .isInstanceOf(UnreadableMessageException.class)
                .hasMessage("scenario.kvm.ipi_tracking_enabled: must be true or false, was \"yes\"");
        assertThatThrownBy(() -> RunParameters.of(tree("{}"), result(1, 1, 0, "none")))
                .isInstanceOf(UnreadableMessageException.class)
                .hasMessageContaining("must be positive");
    }
}
