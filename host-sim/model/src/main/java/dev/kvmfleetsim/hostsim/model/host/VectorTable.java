package dev.kvmfleetsim.hostsim.model.host;

/**
 * One vCPU's view of the 256 vectors: what the guest runs for each (its IDT entry and the source behind it), how long
 * the handler takes, and when each became pending. Linux assigns device vectors per CPU, so the same vector can mean a
 * device on one vCPU and an MSI on another (the stale-vector scenario, kvm-model §2.5).
 */
final class VectorTable {
    /** What handles a vector. */
    enum Kind {
        NONE,
        /** An IPI source of the scenario. */
        IPI,
        /** A device behind the IOAPIC. */
        DEVICE,
        MSI,
        /** {@code LOCAL_TIMER_VECTOR}. */
        TIMER,
        /** The workload's call-function vectors: the handler runs the queued callbacks and acks their senders. */
        CALL_FUNCTION,
        /** The workload's reschedule vector: a wake-up of a waiting pipeline stage or sleeping task. */
        RESCHEDULE,
        /** The workload's block-device queue MSI: the I/O a task sleeps on completed. */
        IO_COMPLETION
    }

    private final Kind[] kind = new Kind[256];
    private final int[] source = new int[256];
    private final long[] handlerNs = new long[256];
    /** When each vector became pending, for the latency histograms. */
    final long[] pendingSinceNs = new long[256];

    VectorTable() {
        java.util.Arrays.fill(kind, Kind.NONE);
    }

    void install(int vector, Kind k, int sourceIndex, long handlerTimeNs) {
        kind[vector] = k;
        source[vector] = sourceIndex;
        handlerNs[vector] = handlerTimeNs;
    }

    Kind kind(int vector) {
        return kind[vector];
    }

    /** The index of the IPI source, device or MSI behind a vector. */
    int source(int vector) {
        return source[vector];
    }

    long handlerNs(int vector) {
        return handlerNs[vector];
    }
}
