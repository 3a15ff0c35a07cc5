package dev.kvmfleetsim.controller.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvmfleetsim.controller.sweep.Sweep;
import java.time.Instant;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A sweep as the API shows it.
 *
 * @param id the sweep id
 * @param name its label
 * @param state running, done, failed or cancelled
 * @param seed the sweep seed
 * @param repetitions runs per grid point
 * @param detail aggregate, sampled or full
 * @param createdAt when it was accepted
 * @param finishedAt when its last run finished, or it was cancelled
 * @param grid the axes with their values, in the order given
 * @param gridPoints points of the cartesian product
 * @param runs distinct runs stored (grid points × repetitions − deduplicated)
 * @param deduplicated runs not stored because an identical configuration (scenario and seed) is run already
 * @param progress runs by state
 * @param baseScenario the base scenario as submitted (left out of lists)
 */
@Schema(name = "Sweep")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepView(
        String id,
        String name,
        String state,
        long seed,
        int repetitions,
        String detail,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("finished_at") Instant finishedAt,

        @Schema(
                description = "axis → values, in the order given",
                examples = "{\"ipi_window_ns\": [1000000, 50000000]}")
        JsonNode grid,

        @JsonProperty("grid_points") int gridPoints,
        int runs,
        int deduplicated,
        Progress progress,
        @JsonProperty("base_scenario") JsonNode baseScenario) {

    public static SweepView of(Sweep s, Progress progress, boolean withBaseScenario) {
        ObjectNode grid = JsonNodeFactory.instance.objectNode();
        for (JsonNode axis : s.grid) {
            grid.set(axis.get("axis").asText(), axis.get("values"));
        }
        return new SweepView(
                s.id,
                s.name,
                lower(s.state),
                s.seed,
                s.repetitions,
                lower(s.detail),
                s.createdAt,
                s.finishedAt,
                grid,
                s.gridPoints,
                s.runCount,
                s.gridPoints * s.repetitions - s.runCount,
                progress,
                withBaseScenario ? s.baseScenario : null);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
