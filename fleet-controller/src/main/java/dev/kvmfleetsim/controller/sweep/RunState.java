package dev.kvmfleetsim.controller.sweep;

/** The life of one run. */
public enum RunState {
    /** Waiting for the dispatch job. */
    PENDING,
    /** Sent to fleet.runs; a host-sim holds it until the lease expires. */
    DISPATCHED,
    /** A result arrived (later duplicates are ignored). */
    DONE,
    /** Its lease expired fleet-controller.dispatch.max-attempts times without a result. */
    FAILED,
    /** Its sweep was cancelled before a result arrived. */
    CANCELLED;

    public boolean finished() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }
}
