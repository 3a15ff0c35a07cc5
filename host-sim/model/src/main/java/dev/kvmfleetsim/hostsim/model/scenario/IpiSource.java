package dev.kvmfleetsim.hostsim.model.scenario;

import java.util.List;

/**
 * A stream of IPIs sent by guest code, in every VM alike. Sends are a Poisson process in the sender's busy time.
 *
 * @param pattern who receives each IPI
 * @param senders vCPU indices that send; empty means all
 * @param targets vCPU indices that may receive; empty means all (a sender never picks itself, except for SELF)
 * @param fanout MULTICAST only: distinct targets per IPI, drawn from {@code targets}; 0 means all of them
 * @param ratePerSec sends per second of busy time, per sender
 * @param vector the IDT vector (Linux: 0xfb call-function-single, 0xfc call-function, 0xfd reschedule)
 * @param handlerNs length of the receiver's interrupt handler
 * @param delivery the delivery mode written to the ICR
 */
public record IpiSource(
        IpiPattern pattern,
        List<Integer> senders,
        List<Integer> targets,
        int fanout,
        double ratePerSec,
        int vector,
        long handlerNs,
        Delivery delivery) {

    public IpiSource {
        senders = List.copyOf(senders);
        targets = List.copyOf(targets);
    }

    public static IpiSource defaults() {
        return new IpiSource(IpiPattern.UNICAST, List.of(), List.of(), 0, 10_000.0, 0xfb, 2_000L, Delivery.FIXED);
    }

    /** Who receives each IPI. */
    public enum IpiPattern {
        /** One target, fixed physical destination: what patch 07 records. */
        UNICAST,
        /** Several targets at once ({@code send_IPI_mask}). */
        MULTICAST,
        /** Every other vCPU ({@code send_IPI_allbutself}). */
        BROADCAST,
        /** The sender itself (x2APIC SELF_IPI MSR or the self shorthand). */
        SELF
    }

    /** ICR delivery modes a guest uses for IPIs (kvm-model §1.6). */
    public enum Delivery {
        FIXED,
        LOWEST,
        NMI
    }
}
