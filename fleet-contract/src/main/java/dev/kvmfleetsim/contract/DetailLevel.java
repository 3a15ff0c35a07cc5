package dev.kvmfleetsim.contract;

/** How much of a run's event stream a host-sim publishes (architecture §3, event sink). */
public enum DetailLevel {
    /** No events: the result's exit table and counters carry the aggregates (one empty, last batch is published). */
    AGGREGATE,
    /** Every n-th event. */
    SAMPLED,
    /** Every exit and yield. */
    FULL
}
