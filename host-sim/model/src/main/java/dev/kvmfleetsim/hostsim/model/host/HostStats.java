package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.yield.BoostCause;
import dev.kvmfleetsim.hostsim.model.yield.YieldTargetState;
import org.HdrHistogram.Histogram;

/**
 * The host-wide measurements that are not KVM statistics (those are per VM, in {@link Vm#counters}): latency and cost
 * histograms, spin and steal time, the engine's event count. {@link ResultAssembler} reads them at the end.
 */
final class HostStats {
    /** ICR write by the sender to the start of the receiver's handler. */
    final Histogram ipiLatency = newHistogram();
    /** Device line assertion, IOAPIC re-injection or MSI to the start of the handler. */
    final Histogram deviceLatency = newHistogram();
    /** Sender time per IPI operation. */
    final Histogram ipiSendCost = newHistogram();
    /** One workload iteration, begin to end (last pipeline stage). */
    final Histogram iterationLatency = newHistogram();
    /** The PLE window each PAUSE-loop exit reached, as spin time before the exit. */
    final Histogram pleWindow = newHistogram();
    /** The halt-polling window at each HLT that blocked or polled. */
    final Histogram haltPollWindow = newHistogram();
    /** Directed yields by (cause, target state): index {@code cause.ordinal() * states + state.ordinal()}. */
    final long[] yields = new long[BoostCause.values().length * YieldTargetState.values().length];
    /** Guest time spent in PAUSE loops, per VM. */
    private final long[] spinNs;
    /** Time runnable vCPU threads waited on a run queue (steal time), all VMs. */
    long stealTotalNs;

    long eventsProcessed;

    HostStats(int vms) {
        this.spinNs = new long[vms];
    }

    private static Histogram newHistogram() {
        return new Histogram(3_600_000_000_000L, 3);
    }

    void addSpin(Vm vm, long ns) {
        spinNs[vm.index] += ns;
    }

    long spinNs() {
        long t = 0;
        for (long x : spinNs) {
            t += x;
        }
        return t;
    }
}
