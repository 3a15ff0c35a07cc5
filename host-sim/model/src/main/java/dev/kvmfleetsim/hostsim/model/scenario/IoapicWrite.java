package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * The guest rewrites one IOAPIC redirection entry at a given time ({@code ioapic_write_indirect}, kvm-model §2.3),
 * for example irqbalance moving an IRQ, the first step of the stale-vector scenario (§2.5).
 *
 * @param atNs when the write happens
 * @param pin the pin whose entry is rewritten
 * @param destApicId the new physical destination
 */
public record IoapicWrite(long atNs, int pin, int destApicId) {
    public static IoapicWrite defaults() {
        return new IoapicWrite(0L, 10, 1);
    }
}
