package dev.kvmfleetsim.hostsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.scenario.Series;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The series' one switch sets exactly the four parameters {@link Series#SWITCHES} names, and nothing else. */
class SeriesTest {

    @Test
    void offChangesExactlyTheNamedSwitches() {
        Scenario on = Scenario.defaults();
        Scenario off = on.withSeries(false);
        assertThat(differences(tree(on), tree(off), "")).containsExactlyInAnyOrderElementsOf(Series.SWITCHES);
        for (String path : Series.SWITCHES) {
            assertThat(at(tree(on), path).booleanValue()).as(path).isTrue();
            assertThat(at(tree(off), path).booleanValue()).as(path).isFalse();
        }
        assertThat(off.withSeries(true)).isEqualTo(on);
    }

    @Test
    void aPartialSeriesBecomesWholeAndOtherSwitchesStay() {
        Scenario partial = ScenarioJson.read("""
                {"sched": {"eevdf_lag_credit": false}, "directed_yield": {"ready_boost": false},
                 "kvm": {"ipi_window_ns": 5000}}""", false);
        Scenario on = partial.withSeries(true);
        assertThat(on.sched().eevdfLagCredit()).isTrue();
        assertThat(on.directedYield().readyBoost()).isFalse();
        assertThat(on.kvm().ipiWindowNs()).isEqualTo(5000);
        assertThat(differences(tree(partial), tree(on), "")).containsExactly("sched.eevdf_lag_credit");
    }

    private static JsonNode tree(Scenario s) {
        return ScenarioJson.mapper().valueToTree(s);
    }

    private static JsonNode at(JsonNode tree, String path) {
        return tree.at("/" + path.replace('.', '/'));
    }

    /** Paths of the scalar fields whose values differ. */
    private static List<String> differences(JsonNode a, JsonNode b, String prefix) {
        List<String> out = new ArrayList<>();
        if (a.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = a.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                out.addAll(differences(f.getValue(), b.get(f.getKey()), prefix + f.getKey() + "."));
            }
        } else if (!a.equals(b)) {
            out.add(prefix.substring(0, prefix.length() - 1));
        }
        return out;
    }
}
