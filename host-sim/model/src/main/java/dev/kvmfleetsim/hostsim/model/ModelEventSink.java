package dev.kvmfleetsim.hostsim.model;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.yield.BoostCause;
import dev.kvmfleetsim.hostsim.model.yield.SpinFailure;
import dev.kvmfleetsim.hostsim.model.yield.YieldTargetState;

/**
 * Receives the model's events as they happen (after the warm-up), for traces and streaming. The model calls it on its
 * own thread, with primitive arguments so that the hot path allocates nothing; an implementation that keeps the
 * events copies what it needs. Where the events go (Kafka, a file) is the implementation's business.
 */
public interface ModelEventSink {
    /** A sink that drops everything. */
    ModelEventSink NONE = new ModelEventSink() {};

    /**
     * One VM exit.
     *
     * @param timeNs simulated time the exit started
     * @param vm VM index
     * @param vcpu vCPU index within the VM
     * @param reason why it exited
     * @param durationNs time out of the guest
     */
    default void onExit(long timeNs, int vm, int vcpu, ExitReason reason, long durationNs) {}

    /**
     * One directed-yield attempt: a {@code kvm_vcpu_on_spin} after a PLE exit.
     *
     * @param timeNs simulated time
     * @param vm VM index
     * @param vcpu the spinning vCPU
     * @param target the boosted vCPU, or -1
     * @param cause why the target was chosen ({@link BoostCause#NONE} if none was boosted)
     * @param failure why nothing was boosted ({@link SpinFailure#NONE} on success)
     */
    default void onYield(long timeNs, int vm, int vcpu, int target, BoostCause cause, SpinFailure failure) {}

    /**
     * {@link #onYield(long, int, int, int, BoostCause, SpinFailure)} with the target's state when it was chosen. The
     * default forwards to the shorter form, so a sink that does not need the state need not implement it.
     *
     * @param targetState what the target was doing ({@link YieldTargetState#NONE} without a target)
     */
    default void onYield(
            long timeNs,
            int vm,
            int vcpu,
            int target,
            BoostCause cause,
            SpinFailure failure,
            YieldTargetState targetState) {
        onYield(timeNs, vm, vcpu, target, cause, failure);
    }
}
