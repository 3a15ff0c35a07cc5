package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * A device that signals with MSIs (no IOAPIC; {@code src = NULL} in {@code kvm_irq_delivery_to_apic}), in every VM.
 *
 * @param vector the vector of the MSI
 * @param destApicId physical destination APIC ID
 * @param ratePerSec messages per second (Poisson)
 * @param handlerNs length of the guest's handler
 * @param startNs when the device starts signalling
 */
public record MsiSource(int vector, int destApicId, double ratePerSec, long handlerNs, long startNs) {
    public static MsiSource defaults() {
        return new MsiSource(0x42, 0, 1_000.0, 2_000L, 0L);
    }
}
