package dev.kvmfleetsim.controller.sweep;

/** The life of a sweep. */
public enum SweepState {
    /** Runs are pending or in flight. */
    RUNNING,
    /** Every run is done. */
    DONE,
    /** Every run is finished and at least one failed (its lease expired fleet-controller.dispatch.max-attempts times). */
    FAILED,
    /** Cancelled by a user: pending runs were cancelled; runs in flight still record their results. */
    CANCELLED;

    public boolean finished() {
        return this != RUNNING;
    }
}
