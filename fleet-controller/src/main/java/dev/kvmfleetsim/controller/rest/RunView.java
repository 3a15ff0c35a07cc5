package dev.kvmfleetsim.controller.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.controller.sweep.Run;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One run as the API shows it (without its scenario).
 *
 * @param runId {@code <sweep id>-p<point>-r<repetition>}
 * @param pointIndex the grid point
 * @param repetition 0-based
 * @param seed the run's seed (the same for every point of a repetition)
 * @param parameters axis → value at this point
 * @param duplicatePoints later grid points with the identical scenario, answered by this run
 * @param state pending, dispatched, done, failed or cancelled
 * @param attempt dispatches so far
 * @param dispatchedAt the last dispatch
 * @param leaseExpiresAt when the last dispatch is presumed lost
 * @param finishedAt when it finished
 * @param resultAttempt the attempt whose result completed it
 * @param hostSimInstance the host-sim that ran it
 */
@Schema(name = "Run")
public record RunView(
        @JsonProperty("run_id") String runId,
        @JsonProperty("point_index") int pointIndex,
        int repetition,
        long seed,
        JsonNode parameters,
        @JsonProperty("duplicate_points") JsonNode duplicatePoints,
        String state,
        int attempt,
        @JsonProperty("dispatched_at") Instant dispatchedAt,
        @JsonProperty("lease_expires_at") Instant leaseExpiresAt,
        @JsonProperty("finished_at") Instant finishedAt,
        @JsonProperty("result_attempt") Integer resultAttempt,
        @JsonProperty("host_sim_instance") String hostSimInstance) {

    public static RunView of(Run r) {
        return new RunView(
                r.runId,
                r.pointIndex,
                r.repetition,
                r.seed,
                r.parameters,
                r.duplicatePoints,
                SweepView.lower(r.state),
                r.attempt,
                r.dispatchedAt,
                r.leaseExpiresAt,
                r.finishedAt,
                r.resultAttempt,
                r.hostSimInstance);
    }
}
