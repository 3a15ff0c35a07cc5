package dev.kvmfleetsim.hostsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import dev.kvmfleetsim.hostsim.model.ple.PleParams;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import org.junit.jupiter.api.Test;

/**
 * {@code "ple": {"vendor": "amd_svm"}} means the SVM pause filter at its own defaults (kvm-model §4.1: 3000 PAUSEs,
 * {@code pause_filter_count_max} 65535), not Intel's window with an AMD label; the 16-bit VMCB field refuses more.
 */
class AmdPauseFilterDefaultsTest {
    @Test
    void theAmdVendorAloneTakesTheSvmDefaults() {
        Scenario s = ScenarioJson.read("{\"name\": \"a\", \"ple\": {\"vendor\": \"amd_svm\"}}", false);
        assertThat(s.ple()).isEqualTo(PleParams.amdDefaults());
        Scenario tuned =
                ScenarioJson.read("{\"name\": \"a\", \"ple\": {\"vendor\": \"amd_svm\", \"ple_window\": 6000}}", false);
        assertThat(tuned.ple().pleWindow()).isEqualTo(6000);
        assertThat(tuned.ple().pleWindowMax()).isEqualTo(PleParams.USHRT_MAX);
    }

    @Test
    void aWindowAboveSixteenBitsIsRefusedOnAmd() {
        assertThatThrownBy(() -> ScenarioJson.read(
                        "{\"name\": \"a\", \"ple\": {\"vendor\": \"amd_svm\", \"ple_window_max\": 70000}}", false))
                .isInstanceOf(InvalidScenarioException.class)
                .hasMessageContaining("ple.ple_window_max")
                .hasMessageContaining("65535");
    }
}
