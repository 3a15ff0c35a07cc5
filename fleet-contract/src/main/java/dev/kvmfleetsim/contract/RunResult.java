package dev.kvmfleetsim.contract;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The outcome of one run attempt on {@link Topics#RESULTS}: the model's full result (in the contract's own
 * {@link ModelResult}) plus what identifies it.
 *
 * @param schemaVersion {@link ContractVersion#CURRENT} when written
 * @param runId the run
 * @param sweepId its sweep
 * @param attempt which attempt produced it
 * @param seed the seed it ran with
 * @param modelVersion version of the model that ran it (host-sim's artifact version)
 * @param hostSimInstance which host-sim ran it
 * @param scenario the scenario as run, in the scenario file format with every default filled in (readers such as the
 *     results-store rely on finding every field)
 * @param result summary statistics, histograms and workload metrics
 * @param wallMillis wall-clock time the model took, ms
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
        ModelResult result,
        long wallMillis)
        implements ContractMessage {}
