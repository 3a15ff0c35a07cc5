package dev.kvmfleetsim.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A problem document has the RFC 9457 member names and leaves out members it has no value for. */
class ProblemTest {
    @Test
    void writesTheRfcMembersAndLeavesOutEmptyOnes() throws Exception {
        Problem withErrors = new Problem(
                "urn:kvm-fleet-sim:problem:invalid-scenario",
                "Invalid scenario",
                400,
                "1 problem",
                "/api/simulations",
                List.of(new Problem.FieldError("kvm.enable_apcv", "unknown field")));
        assertThat(ContractJson.mapper().writeValueAsString(withErrors))
                .isEqualTo("{\"type\":\"urn:kvm-fleet-sim:problem:invalid-scenario\",\"title\":\"Invalid scenario\","
                        + "\"status\":400,\"detail\":\"1 problem\",\"instance\":\"/api/simulations\","
                        + "\"errors\":[{\"field\":\"kvm.enable_apcv\",\"reason\":\"unknown field\"}]}");
        Problem bare = new Problem(Problem.ABOUT_BLANK, "Not Found", 404, "no run x", null, null);
        assertThat(ContractJson.mapper().writeValueAsString(bare))
                .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no run x\"}");
        assertThat(bare.at("/api/runs/x").instance()).isEqualTo("/api/runs/x");
        assertThat(withErrors.at("/elsewhere").instance()).isEqualTo("/api/simulations");
    }
}
