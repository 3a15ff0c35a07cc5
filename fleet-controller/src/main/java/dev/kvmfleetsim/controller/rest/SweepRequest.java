package dev.kvmfleetsim.controller.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/sweeps}, for the OpenAPI document. The service reads the body as a JSON tree itself
 * (SweepPlanner), so that every problem is reported at once rather than the first one a binder meets.
 */
@Schema(name = "SweepRequest", description = "A grid over a base scenario")
public record SweepRequest(
        @Schema(description = "label; default: the base scenario's name")
        String name,

        @JsonProperty("base_scenario")
        @Schema(
                required = true,
                description = "a scenario in the file format (docs/scenario-format.md); {} for all defaults")
        JsonNode baseScenario,

        @Schema(
                description = "axis → values; axes are scenario paths (kvm.ipi_window_ns, workload.mix,"
                        + " host.pcpus, ipis[0].rate_per_sec, ...) or ipi_window_ns, ipi_tracking_enabled"
                        + " (the whole directed-yield series), overcommit (total vCPUs / pCPUs, sets"
                        + " vms.count). The cartesian product is taken in the order given.")
        Map<String, List<Object>> grid,

        @Schema(description = "runs per grid point (default 1)", minimum = "1")
        Integer repetitions,

        @Schema(
                description = "sweep seed; repetition r runs with a seed derived from it (default: the base"
                        + " scenario's seed)")
        Long seed,

        @Schema(
                description = "event detail level",
                enumeration = {"aggregate", "sampled", "full"})
        String detail) {}
