package dev.kvmfleetsim.controller.rest;

import dev.kvmfleetsim.controller.sweep.RunState;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Run counts of a sweep by state. */
@Schema(name = "Progress", description = "Runs of a sweep by state")
public record Progress(long total, long pending, long dispatched, long done, long failed, long cancelled) {

    public static Progress of(Map<RunState, Long> counts) {
        long pending = counts.getOrDefault(RunState.PENDING, 0L);
        long dispatched = counts.getOrDefault(RunState.DISPATCHED, 0L);
        long done = counts.getOrDefault(RunState.DONE, 0L);
        long failed = counts.getOrDefault(RunState.FAILED, 0L);
        long cancelled = counts.getOrDefault(RunState.CANCELLED, 0L);
        return new Progress(
                pending + dispatched + done + failed + cancelled, pending, dispatched, done, failed, cancelled);
    }
}
