package dev.kvmfleetsim.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One event of a run's trace: an exit or a directed-yield attempt. Exhaustive over its records. */
public sealed interface TraceEvent permits TraceEvent.Exit, TraceEvent.Yield {
    /** Simulated time, ns. */
    long timeNs();

    /**
     * A VM exit.
     *
     * @param timeNs when it started
     * @param vm VM index
     * @param vcpu vCPU index within the VM
     * @param reason exit reason name as in perf kvm stat (MSR_WRITE, HLT, ...)
     * @param durationNs time out of the guest
     */
    record Exit(long timeNs, int vm, int vcpu, String reason, long durationNs) implements TraceEvent {}

    /**
     * A {@code kvm_vcpu_on_spin} attempt.
     *
     * @param timeNs when it happened
     * @param vm VM index
     * @param vcpu the spinner
     * @param target the boosted vCPU, -1 if none
     * @param cause IPI_RECEIVER, PENDING_INTERRUPT, PLAIN_CANDIDATE, RELAXED_FALLBACK or NONE
     * @param failure NONE on success, else why nothing was boosted
     * @param targetState what the target was doing when chosen: PREEMPTED_KERNEL, PREEMPTED_USER, READY, HALTED,
     *     RUNNING or NONE; null in batches from host-sims older than this field (it is left out of the JSON then)
     */
    record Yield(
            long timeNs,
            int vm,
            int vcpu,
            int target,
            String cause,
            String failure,
            @JsonInclude(JsonInclude.Include.NON_NULL) String targetState)
            implements TraceEvent {
        /** A yield without its target's state, as batches from older host-sims carry it. */
        public Yield(long timeNs, int vm, int vcpu, int target, String cause, String failure) {
            this(timeNs, vm, vcpu, target, cause, failure, null);
        }
    }
}
