package dev.kvmfleetsim.hostsim.model.yield;

/**
 * The outcome of one {@code kvm_vcpu_on_spin} call. {@link DirectedYield} reuses one instance per VM (no allocation per
 * PLE exit), so read it before the next call on the same {@link DirectedYield}.
 */
public final class SpinResult {
    int target;
    BoostCause cause;
    SpinFailure failure;
    int examined;
    int yieldAttempts;
    int esrch;
    int passes;
    int triesLeft;

    SpinResult() {
        reset();
    }

    void reset() {
        target = -1;
        cause = BoostCause.NONE;
        failure = SpinFailure.NONE;
        examined = 0;
        yieldAttempts = 0;
        esrch = 0;
        passes = 0;
        triesLeft = DirectedYield.TRIES;
    }

    /** The boosted vCPU, or -1. */
    public int target() {
        return target;
    }

    public boolean boosted() {
        return target >= 0;
    }

    /** Why the target was accepted; {@link BoostCause#NONE} if none was boosted. */
    public BoostCause cause() {
        return cause;
    }

    /** Why nothing was boosted; {@link SpinFailure#NONE} on success. */
    public SpinFailure failure() {
        return failure;
    }

    /** vCPUs other than the spinner visited by the scan, summed over both passes. */
    public int examined() {
        return examined;
    }

    /** {@code kvm_vcpu_yield_to} calls, both passes. */
    public int yieldAttempts() {
        return yieldAttempts;
    }

    /** {@code kvm_vcpu_yield_to} calls that returned {@code -ESRCH}, both passes. */
    public int esrch() {
        return esrch;
    }

    /** Scan passes run: 0 (too few vCPUs), 1, or 2 (patch 10's relaxed pass ran). */
    public int passes() {
        return passes;
    }

    /**
     * The {@code try} counter at the end (starts at 3; negative when the relaxed pass kept going after the strict pass
     * used the budget up, §5.8).
     */
    public int triesLeft() {
        return triesLeft;
    }

    @Override
    public String toString() {
        return "SpinResult[target=" + target + ", cause=" + cause + ", failure=" + failure + ", examined=" + examined
                + ", yieldAttempts=" + yieldAttempts + ", esrch=" + esrch + ", passes=" + passes + ", triesLeft="
                + triesLeft + "]";
    }
}
