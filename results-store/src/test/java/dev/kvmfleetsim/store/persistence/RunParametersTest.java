package dev.kvmfleetsim.store.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.ModelResult;
import dev.kvmfleetsim.contract.ModelResult.LatencySummary;
import dev.kvmfleetsim.contract.UnreadableMessageException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed parameters come from the result's shape and the switches of the scenario as run, which must all be there. */
class RunParametersTest {
    private static final LatencySummary NONE = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

    /** The fields the store reads, as a host-sim writes them (the rest of a resolved scenario does not matter here). */
    private static final String AS_RUN = """
            {"duration_ns": 7, "kvm": {"ipi_window_ns": 5, "ipi_tracking_enabled": false, "enable_apicv": true,
             "enable_ipiv": true, "x2apic": false}, "sched": {"eevdf_lag_credit": false},
             "directed_yield": {"ipi_aware_candidates": false, "enable_relaxed_boost": true},
             "workload": {"mix": "none"}}""";

    private static ModelResult result(int vms, int vcpus, int pcpus, String mix) {
        return new ModelResult(
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
                new ModelResult.WorkloadSummary(mix, 0, 0, NONE, 0, 0),
                0);
    }

    private static ObjectNode tree(String json) throws Exception {
        return (ObjectNode) ContractJson.mapper().readTree(json);
    }

    @Test
    void scenarioFieldsAreRead() throws Exception {
        RunParameters p = RunParameters.of(tree(AS_RUN), result(1, 4, 3, "DEDUP_LIKE"));
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
                        true,
                        "dedup_like",
                        7));
    }

    @Test
    void aMissingFieldIsUnreadableWithItsPathRatherThanGuessed() throws Exception {
        ObjectNode scenario = tree(AS_RUN);
        ((ObjectNode) scenario.get("sched")).remove("eevdf_lag_credit");
        assertThatThrownBy(() -> RunParameters.of(scenario, result(1, 1, 1, "none")))
                .isInstanceOf(UnreadableMessageException.class)
                .hasMessageStartingWith("scenario.sched.eevdf_lag_credit: missing");
        JsonNode empty = tree("{}");
        assertThatThrownBy(() -> RunParameters.of(empty, result(1, 1, 1, "none")))
                .isInstanceOf(UnreadableMessageException.class)
                .hasMessageStartingWith("scenario.kvm.ipi_window_ns: missing");
    }

    @Test
    void aWrongTypeIsUnreadableWithItsPath() throws Exception {
        ObjectNode scenario = tree(AS_RUN);
        ((ObjectNode) scenario.get("kvm")).put("ipi_tracking_enabled", "yes");
        assertThatThrownBy(() -> RunParameters.of(scenario, result(1, 1, 1, "none")))
                .isInstanceOf(UnreadableMessageException.class)
                .hasMessage("scenario.kvm.ipi_tracking_enabled: must be true or false, was \"yes\"");
        assertThatThrownBy(() -> RunParameters.of(tree(AS_RUN), result(1, 1, 0, "none")))
                .isInstanceOf(UnreadableMessageException.class)
                .hasMessageContaining("must be positive");
    }
}
