package dev.kvmfleetsim.hostsim.model.halt;

/**
 * The halt-polling module parameters of {@code kvm}, by their kernel names (kvm-model §3.4).
 *
 * @param haltPollNs {@code halt_poll_ns}: the maximum per-vCPU poll window, ns (0 disables polling)
 * @param haltPollNsGrow {@code halt_poll_ns_grow}: multiplier when the window grows (0 disables growing)
 * @param haltPollNsGrowStart {@code halt_poll_ns_grow_start}: the first non-zero window, ns; a shrink below it resets
 *     the window to 0
 * @param haltPollNsShrink {@code halt_poll_ns_shrink}: divisor when the window shrinks; 0 resets it to 0
 */
public record HaltPollParams(long haltPollNs, long haltPollNsGrow, long haltPollNsGrowStart, long haltPollNsShrink) {

    public HaltPollParams {
        if (haltPollNs < 0 || haltPollNsGrow < 0 || haltPollNsGrowStart < 0 || haltPollNsShrink < 0) {
            throw new IllegalArgumentException("halt-poll parameters are unsigned");
        }
    }

    /**
     * x86 defaults (kvm-model §3.4): {@code KVM_HALT_POLL_NS_DEFAULT} 200,000 ns, grow 2, grow_start 10,000 ns,
     * shrink 2 ("halves per-vcpu halt_poll_ns").
     */
    public static HaltPollParams defaults() {
        return new HaltPollParams(200_000L, 2, 10_000L, 2);
    }

    /** The older default, {@code halt_poll_ns_shrink = 0}: every shrink resets the window to 0 (kvm-model §3.4). */
    public static HaltPollParams legacyResetOnShrink() {
        return new HaltPollParams(200_000L, 2, 10_000L, 0);
    }
}
