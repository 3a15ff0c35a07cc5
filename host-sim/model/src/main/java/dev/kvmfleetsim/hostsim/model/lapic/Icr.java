package dev.kvmfleetsim.hostsim.model.lapic;

/**
 * The interrupt command register and the {@code kvm_lapic_irq} it describes, as one {@code long} in the x2APIC layout:
 * bits 7:0 vector, 10:8 delivery mode, 11 destination mode, 14 level, 15 trigger mode, 19:18 shorthand, 63:32
 * destination (kvm-model §1.6; SDM Vol. 3 Fig. 10-18). IOAPIC redirection entries and MSIs are converted to the same
 * form, as KVM does before {@code kvm_irq_delivery_to_apic}. The constant names follow the kernel's {@code APIC_DM_*}.
 */
public final class Icr {
    public static final int DM_FIXED = 0;
    public static final int DM_LOWEST = 1;
    public static final int DM_SMI = 2;
    /** Remote read; KVM reuses it for the PV spinlock unhalt (kvm-model §1.3, §7.1). */
    public static final int DM_REMRD = 3;

    public static final int DM_NMI = 4;
    public static final int DM_INIT = 5;
    public static final int DM_STARTUP = 6;
    public static final int DM_EXTINT = 7;

    public static final int DEST_PHYSICAL = 0;
    public static final int DEST_LOGICAL = 1;

    public static final int SHORTHAND_NONE = 0;
    public static final int SHORTHAND_SELF = 1;
    public static final int SHORTHAND_ALL_INCLUDING_SELF = 2;
    public static final int SHORTHAND_ALL_EXCLUDING_SELF = 3;

    /** Physical broadcast destination in xAPIC mode. */
    public static final int XAPIC_BROADCAST = 0xFF;
    /** Physical broadcast destination in x2APIC mode. */
    public static final long X2APIC_BROADCAST = 0xFFFF_FFFFL;

    private Icr() {}

    /**
     * Encodes an interrupt request.
     *
     * @param vector IDT vector 0..255
     * @param deliveryMode one of the {@code DM_*} constants
     * @param destMode {@link #DEST_PHYSICAL} or {@link #DEST_LOGICAL}
     * @param levelAssert the level bit (1 for every edge interrupt and for an asserted level interrupt)
     * @param levelTriggered the trigger mode bit
     * @param shorthand one of the {@code SHORTHAND_*} constants
     * @param dest destination (APIC ID, logical mask, or broadcast)
     */
    public static long encode(
            int vector,
            int deliveryMode,
            int destMode,
            boolean levelAssert,
            boolean levelTriggered,
            int shorthand,
            long dest) {
        return (vector & 0xFFL)
                | ((long) (deliveryMode & 7) << 8)
                | ((long) (destMode & 1) << 11)
                | (levelAssert ? 1L << 14 : 0L)
                | (levelTriggered ? 1L << 15 : 0L)
                | ((long) (shorthand & 3) << 18)
                | ((dest & 0xFFFF_FFFFL) << 32);
    }

    /** A fixed, edge, physical, no-shorthand IPI: the only kind patch 07 records and IPIv virtualizes. */
    public static long fixedPhysical(int vector, long dest) {
        return encode(vector, DM_FIXED, DEST_PHYSICAL, true, false, SHORTHAND_NONE, dest);
    }

    public static int vector(long icr) {
        return (int) (icr & 0xFF);
    }

    public static int deliveryMode(long icr) {
        return (int) ((icr >>> 8) & 7);
    }

    public static int destMode(long icr) {
        return (int) ((icr >>> 11) & 1);
    }

    public static boolean levelAssert(long icr) {
        return ((icr >>> 14) & 1) != 0;
    }

    public static boolean levelTriggered(long icr) {
        return ((icr >>> 15) & 1) != 0;
    }

    public static int shorthand(long icr) {
        return (int) ((icr >>> 18) & 3);
    }

    public static long dest(long icr) {
        return icr >>> 32;
    }

    /** {@code kvm_lowest_prio_delivery}: lowest-priority mode (the MSI redirection hint is not modelled). */
    public static boolean lowestPriority(long icr) {
        return deliveryMode(icr) == DM_LOWEST;
    }
}
