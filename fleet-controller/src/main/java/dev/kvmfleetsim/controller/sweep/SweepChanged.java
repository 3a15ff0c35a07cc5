package dev.kvmfleetsim.controller.sweep;

/**
 * CDI event: runs of a sweep changed state (a result, a dispatch, a cancellation). Observed after the transaction
 * commits, by the progress streams.
 */
public record SweepChanged(String sweepId) {}
