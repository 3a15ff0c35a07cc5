package dev.kvmfleetsim.contract;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One run of one grid point: what the controller puts on {@link Topics#RUNS} and a host-sim executes.
 *
 * @param schemaVersion {@link ContractVersion#CURRENT} when written
 * @param runId unique id of the run (the Kafka key)
 * @param sweepId the sweep it belongs to
 * @param attempt 1 for the first dispatch, +1 for each re-dispatch after a lease expired
 * @param seed the run's seed (derived from the sweep seed; it overrides the scenario's)
 * @param scenario the full scenario in the scenario file format (docs/scenario-format.md)
 * @param detail which events to publish
 */
public record RunRequest(
        int schemaVersion, String runId, String sweepId, int attempt, long seed, JsonNode scenario, DetailLevel detail)
        implements ContractMessage {}
