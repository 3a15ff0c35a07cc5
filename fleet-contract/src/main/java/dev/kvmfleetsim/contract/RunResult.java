package dev.kvmfleetsim.contract;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.hostsim.model.SimulationResult;

/**
 * The outcome of one run attempt on {@link Topics#RESULTS}: the model's full result plus what identifies it.
 *
 * @param schemaVersion {@link ContractVersion#CURRENT} when written
 * @param runId the run
 * @param sweepId its sweep
 * @param attempt which attempt produced it
 * @param seed the seed it ran with
 * @param modelVersion version of the model that ran it (host-sim's artifact version)
 * @param hostSimInstance which host-sim ran it
 * @param scenario the scenario as run (every default filled in)
 * @param result summary statistics, histograms and workload metrics
 * @param wallMillis wall-clock time the run took
 */
public record RunResult(
        int schemaVersion,
        String runId,
        String sweepId,
        int attempt,
        long seed,
        String modelVersion,
        String hostSimInstance,
        JsonNode scenario,
        SimulationResult result,
        long wallMillis)
        implements ContractMessage {}
