package dev.kvmfleetsim.hostsim.model.host;

/**
 * What the guest runs for a vector on one vCPU (its IDT entry), packed into an {@code int}: the kind in the high 16
 * bits, the source index in the low 16. Linux assigns device vectors per CPU, so the same vector can mean a device on
 * one vCPU and an MSI on another (the stale-vector scenario, kvm-model §2.5).
 */
final class VectorOwner {
    static final int NONE = 0;
    static final int IPI = 1;
    static final int DEVICE = 2;
    static final int MSI = 3;
    static final int TIMER = 4;
    /** The workload's call-function vectors: the handler runs the queued callbacks and acks their senders. */
    static final int CALL_FUNCTION = 5;
    /** The workload's reschedule vector: a wake-up of a waiting pipeline stage. */
    static final int RESCHEDULE = 6;

    private VectorOwner() {}

    static int of(int kind, int index) {
        return (kind << 16) | (index & 0xFFFF);
    }

    static int kind(int owner) {
        return owner >>> 16;
    }

    static int index(int owner) {
        return owner & 0xFFFF;
    }
}
