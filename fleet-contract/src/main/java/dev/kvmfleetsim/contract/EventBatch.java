package dev.kvmfleetsim.contract;

import java.util.List;

/**
 * A slice of one run attempt's event stream on {@link Topics#EVENTS}. (runId, attempt, sequence) identifies it, so a
 * redelivered batch is recognised and stored once.
 *
 * @param schemaVersion {@link ContractVersion#CURRENT} when written
 * @param runId the run
 * @param attempt the attempt that produced it
 * @param sequence 0, 1, 2, ... within the attempt
 * @param detail the detail level of the run
 * @param exits exit events, in time order
 * @param yields yield events, in time order
 * @param last whether this is the attempt's last batch
 */
public record EventBatch(
        int schemaVersion,
        String runId,
        int attempt,
        long sequence,
        DetailLevel detail,
        List<TraceEvent.Exit> exits,
        List<TraceEvent.Yield> yields,
        boolean last)
        implements ContractMessage {
    public EventBatch {
        exits = List.copyOf(exits);
        yields = List.copyOf(yields);
    }
}
