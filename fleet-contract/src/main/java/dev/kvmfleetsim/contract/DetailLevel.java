package dev.kvmfleetsim.contract;

/** How much of a run's event stream a host-sim publishes (architecture §3, event sink). */
public enum DetailLevel {
    /** Per-interval counts per vCPU and exit reason. */
    AGGREGATE,
    /** Every n-th event. */
    SAMPLED,
    /** Every exit and yield. */
    FULL
}
