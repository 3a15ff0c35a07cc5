package dev.kvmfleetsim.controller.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvmfleetsim.hostsim.model.scenario.Series;
import java.util.List;

/**
 * One axis of a grid: what its values set in a grid point's scenario tree (the scenario file format, every default
 * filled in). Exhaustive over its three kinds.
 */
public sealed interface Axis permits Axis.Parameter, Axis.IpiTracking, Axis.Overcommit {

    /** The axis as the request names it. */
    String name();

    /** The scenario paths its values set, to refuse two axes that set the same parameter. */
    List<String> writes();

    /** Null if {@code value} fits this axis, else why not. */
    String check(JsonNode value);

    /** Sets {@code value} in a resolved scenario tree. */
    void apply(ObjectNode scenario, JsonNode value);

    /** Whether it is applied after all other axes (it reads parameters other axes may set). */
    default boolean late() {
        return false;
    }

    /**
     * Any scenario parameter by its path in the file format ({@code kvm.ipi_window_ns}, {@code ipis[0].rate_per_sec},
     * {@code costs.hlt}); the first-class axis {@code ipi_window_ns} is {@code kvm.ipi_window_ns}.
     *
     * @param name as the request names it
     * @param path the scenario path it sets
     * @param like the node at that path in the base scenario: a value must have its JSON type
     */
    record Parameter(String name, ScenarioPath path, JsonNode like) implements Axis {
        @Override
        public List<String> writes() {
            return List.of(path.text());
        }

        @Override
        public String check(JsonNode value) {
            return JsonTypes.mismatch(like, value);
        }

        @Override
        public void apply(ObjectNode scenario, JsonNode value) {
            path.set(scenario, value);
        }
    }

    /**
     * {@code ipi_tracking_enabled}: the whole IPI-aware directed-yield series on or off at once, its four switches as
     * the model names them ({@link Series#SWITCHES}, what {@code Scenario.withSeries} sets).
     */
    record IpiTracking() implements Axis {
        public static final String NAME = "ipi_tracking_enabled";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public List<String> writes() {
            return Series.SWITCHES;
        }

        @Override
        public String check(JsonNode value) {
            return value.isBoolean() ? null : "must be true or false (the whole series on or off), was " + value;
        }

        @Override
        public void apply(ObjectNode scenario, JsonNode value) {
            for (String p : Series.SWITCHES) {
                ScenarioPath.parse(p).set(scenario, BooleanNode.valueOf(value.booleanValue()));
            }
        }
    }

    /**
     * {@code overcommit}: total vCPUs per pCPU. Sets {@code vms.count = max(1, round(overcommit × host.pcpus /
     * vms.vcpus))} with the point's own {@code host.pcpus} and {@code vms.vcpus}, so it is applied last.
     */
    record Overcommit() implements Axis {
        public static final String NAME = "overcommit";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public List<String> writes() {
            return List.of("vms.count");
        }

        @Override
        public boolean late() {
            return true;
        }

        @Override
        public String check(JsonNode value) {
            return value.isNumber() && value.doubleValue() > 0 && Double.isFinite(value.doubleValue())
                    ? null
                    : "must be a positive number (total vCPUs / pCPUs), was " + value;
        }

        @Override
        public void apply(ObjectNode scenario, JsonNode value) {
            JsonNode pcpus = scenario.path("host").path("pcpus");
            JsonNode vcpus = scenario.path("vms").path("vcpus");
            if (!pcpus.canConvertToInt() || !vcpus.canConvertToInt() || vcpus.intValue() <= 0) {
                return; // the model names the bad pcpus or vcpus of this point
            }
            long count = Math.round(value.doubleValue() * pcpus.intValue() / vcpus.intValue());
            ((ObjectNode) scenario.get("vms")).put("count", (int) Math.max(1, Math.min(count, Integer.MAX_VALUE)));
        }
    }

    /** The values of one axis, in the order given. */
    record Values(String axis, ArrayNode values) {}
}
