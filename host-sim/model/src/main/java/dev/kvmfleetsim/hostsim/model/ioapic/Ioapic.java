package dev.kvmfleetsim.hostsim.model.ioapic;

import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.lapic.Lapic;

/**
 * The in-kernel IOAPIC of one VM: 24 redirection entries, the line-asserted bitmap, remote IRR, EOI broadcast with
 * re-delivery and the interrupt-storm throttle, and the per-vCPU scan that builds {@code ioapic_handled_vectors}
 * (kvm-model §2; {@code arch/x86/kvm/ioapic.c}). Not thread-safe.
 */
public final class Ioapic {
    /** {@code IOAPIC_NUM_PINS}. */
    public static final int NUM_PINS = 24;
    /** {@code RTC_GSI}: always scanned, as KVM tracks RTC EOIs for coalescing. */
    public static final int RTC_GSI = 8;
    /** {@code IOAPIC_SUCCESSIVE_IRQ_MAX_COUNT}: re-deliveries on EOI before one is deferred. */
    public static final int SUCCESSIVE_IRQ_MAX_COUNT = 10_000;
    /** The deferral of the storm throttle: HZ / 100 = 10 ms. */
    public static final long STORM_DELAY_NS = 10_000_000L;

    /** What the IOAPIC needs from the rest of the VM. */
    public interface Bus {
        /** {@code kvm_irq_delivery_to_apic(kvm, NULL, irq)}: returns accepted count, or -1 if nobody matched. */
        int deliver(long irq);

        /** {@code KVM_REQ_SCAN_IOAPIC} on one vCPU. */
        void requestScan(int vcpu);

        /** Schedules {@link #eoiInjectWork()} after the given delay (the delayed {@code eoi_inject} work). */
        void scheduleEoiInject(long delayNs);
    }

    private final Bus bus;
    private final int[] vector = new int[NUM_PINS];
    private final int[] deliveryMode = new int[NUM_PINS];
    private final int[] destMode = new int[NUM_PINS];
    private final long[] destId = new long[NUM_PINS];
    private final boolean[] levelTriggered = new boolean[NUM_PINS];
    private final boolean[] remoteIrr = new boolean[NUM_PINS];
    private final boolean[] masked = new boolean[NUM_PINS];
    private final int[] irqEoi = new int[NUM_PINS];
    private int irr;

    private long deliveries;
    private long coalesced;
    private long delayedReinjections;

    /** Creates an IOAPIC whose pins are all masked, as after reset. */
    public Ioapic(Bus bus) {
        this.bus = bus;
        for (int i = 0; i < NUM_PINS; i++) {
            masked[i] = true;
        }
    }

    /**
     * Guest programs a redirection entry ({@code ioapic_write_indirect}): remote IRR is preserved except that an edge
     * entry clears it; a level entry whose line is asserted is serviced; and the vCPUs of the old and new destination
     * (fixed mode) or all vCPUs are asked to rescan (§2.3).
     *
     * @param lapics the VM's LAPICs, to find the destinations that must rescan
     */
    public void writeEntry(
            int pin, int vec, int dm, int dmode, long dest, boolean level, boolean mask, Lapic[] lapics) {
        long oldDest = destId[pin];
        int oldDestMode = destMode[pin];
        vector[pin] = vec;
        deliveryMode[pin] = dm;
        destMode[pin] = dmode;
        destId[pin] = dest;
        levelTriggered[pin] = level;
        masked[pin] = mask;
        if (!level) {
            remoteIrr[pin] = false;
        }
        if (level && (irr & (1 << pin)) != 0 && !mask && !remoteIrr[pin]) {
            service(pin);
        }
        if (dm == Icr.DM_FIXED) {
            for (int i = 0; i < lapics.length; i++) {
                boolean now = lapics[i].matchDest(false, Icr.SHORTHAND_NONE, dest, dmode);
                // The kernel ORs in the old destination ID with the *new* destination mode.
                boolean before = (oldDest != dest || oldDestMode != dmode)
                        && lapics[i].matchDest(false, Icr.SHORTHAND_NONE, oldDest, dmode);
                if (now || before) {
                    bus.requestScan(i);
                }
            }
        } else {
            for (int i = 0; i < lapics.length; i++) {
                bus.requestScan(i);
            }
        }
    }

    /** Rewrites only the destination of a pin, keeping the rest of its entry (irqbalance moving an IRQ). */
    public void retarget(int pin, long dest, Lapic[] lapics) {
        writeEntry(pin, vector[pin], deliveryMode[pin], destMode[pin], dest, levelTriggered[pin], masked[pin], lapics);
    }

    /**
     * A device drives a line ({@code ioapic_set_irq}, §2.2): deassert clears IRR; an edge that finds the line already
     * high is coalesced; otherwise the pin is serviced.
     *
     * @return 0 if coalesced, otherwise the service result (accepted count, -1 if not delivered)
     */
    public int setIrq(int pin, boolean assert_) {
        int bit = 1 << pin;
        if (!assert_) {
            irr &= ~bit;
            return 1;
        }
        int old = irr;
        irr |= bit;
        if (!levelTriggered[pin] && old == irr) {
            coalesced++;
            return 0;
        }
        return service(pin);
    }

    /**
     * {@code ioapic_service}: nothing if masked, or level-triggered with remote IRR set; otherwise deliver with
     * {@code src = NULL}, and a level entry gets remote IRR (also when nobody matched: the kernel tests {@code ret},
     * which is -1 then).
     */
    int service(int pin) {
        if (masked[pin] || (levelTriggered[pin] && remoteIrr[pin])) {
            return -1;
        }
        long irq = Icr.encode(
                vector[pin],
                deliveryMode[pin],
                destMode[pin],
                true,
                levelTriggered[pin],
                Icr.SHORTHAND_NONE,
                destId[pin]);
        deliveries++;
        int ret = bus.deliver(irq);
        if (ret != 0 && levelTriggered[pin]) {
            remoteIrr[pin] = true;
        }
        return ret;
    }

    /**
     * EOI broadcast ({@code kvm_ioapic_update_eoi}, §2.3): for every pin with this vector, a level EOI clears remote
     * IRR and re-delivers at once if the line is still asserted, except that every 10,000th successive re-delivery is
     * deferred by 10 ms.
     */
    public void updateEoi(int vec, boolean levelEoi) {
        for (int pin = 0; pin < NUM_PINS; pin++) {
            if (vector[pin] != vec) {
                continue;
            }
            if (!levelEoi) {
                continue;
            }
            remoteIrr[pin] = false;
            if (!masked[pin] && (irr & (1 << pin)) != 0) {
                if (++irqEoi[pin] == SUCCESSIVE_IRQ_MAX_COUNT) {
                    irqEoi[pin] = 0;
                    delayedReinjections++;
                    bus.scheduleEoiInject(STORM_DELAY_NS);
                } else {
                    service(pin);
                }
            } else {
                irqEoi[pin] = 0;
            }
        }
    }

    /** The delayed work {@code kvm_ioapic_eoi_inject_work}: services asserted level pins without remote IRR. */
    public void eoiInjectWork() {
        for (int pin = 0; pin < NUM_PINS; pin++) {
            if (levelTriggered[pin] && (irr & (1 << pin)) != 0 && !remoteIrr[pin]) {
                service(pin);
            }
        }
    }

    /**
     * {@code kvm_ioapic_scan_entry} with {@code kvm_scan_ioapic_irq} (§2.4, v5 form): sets the vectors whose EOI this
     * vCPU must forward, the destination's own ones and the ones still pending here from an older routing.
     *
     * @param lapic the scanning vCPU's LAPIC
     * @param handledVectors 256-bit bitmap, cleared by the caller, receives the vectors
     * @return {@code highest_stale_pending_ioapic_eoi}: the highest vector added only because it was pending, or -1
     */
    public int scanEntry(Lapic lapic, long[] handledVectors) {
        int highestStale = -1;
        for (int pin = 0; pin < NUM_PINS; pin++) {
            // Edge pins matter only with an ack notifier, which no modelled device registers.
            if (!levelTriggered[pin] && pin != RTC_GSI) {
                continue;
            }
            int v = vector[pin];
            if (lapic.matchDest(false, Icr.SHORTHAND_NONE, destId[pin], destMode[pin])) {
                handledVectors[v >>> 6] |= 1L << v;
            } else if (lapic.pendingEoi(v)) {
                handledVectors[v >>> 6] |= 1L << v;
                highestStale = Math.max(highestStale, v);
            }
        }
        return highestStale;
    }

    public boolean remoteIrr(int pin) {
        return remoteIrr[pin];
    }

    public boolean lineAsserted(int pin) {
        return (irr & (1 << pin)) != 0;
    }

    public int vector(int pin) {
        return vector[pin];
    }

    public long destId(int pin) {
        return destId[pin];
    }

    /** Deliveries attempted by {@code ioapic_service}. */
    public long deliveries() {
        return deliveries;
    }

    /** Edge assertions coalesced because the line was already high. */
    public long coalesced() {
        return coalesced;
    }

    /** Re-deliveries deferred by the storm throttle. */
    public long delayedReinjections() {
        return delayedReinjections;
    }
}
