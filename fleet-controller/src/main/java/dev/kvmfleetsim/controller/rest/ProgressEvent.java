package dev.kvmfleetsim.controller.rest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The data of a {@code progress} or {@code completed} server-sent event.
 *
 * @param sweepId the sweep
 * @param state its state (lower case)
 * @param progress its runs by state
 */
@Schema(name = "ProgressEvent")
public record ProgressEvent(@JsonProperty("sweep_id") String sweepId, String state, Progress progress) {

    /** Whether the sweep has finished: the last event of a stream. */
    @JsonIgnore
    public boolean finished() {
        return !"running".equals(state);
    }
}
