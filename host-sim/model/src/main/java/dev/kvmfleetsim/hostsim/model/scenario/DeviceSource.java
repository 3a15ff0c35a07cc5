package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * A virtual device wired to an IOAPIC pin, in every VM alike (kvm-model §2). Assertions are a Poisson process.
 *
 * @param pin IOAPIC pin, 0..23
 * @param vector the vector programmed in the redirection entry
 * @param level level-triggered (true) or edge-triggered (false)
 * @param destApicId destination field of the redirection entry
 * @param logical logical (true) or physical (false) destination mode
 * @param lowestPriority lowest-priority (true) or fixed (false) delivery mode
 * @param ratePerSec line assertions per second
 * @param handlerNs length of the guest's handler for this device
 * @param startNs when the device starts asserting
 * @param deassertInHandler the driver acknowledges the device (drops the line) in its handler, before the EOI; false
 *     models a device that keeps the line asserted (an interrupt storm)
 */
public record DeviceSource(
        int pin,
        int vector,
        boolean level,
        int destApicId,
        boolean logical,
        boolean lowestPriority,
        double ratePerSec,
        long handlerNs,
        long startNs,
        boolean deassertInHandler) {

    public static DeviceSource defaults() {
        return new DeviceSource(10, 0x41, true, 0, false, false, 1_000.0, 5_000L, 0L, true);
    }
}
