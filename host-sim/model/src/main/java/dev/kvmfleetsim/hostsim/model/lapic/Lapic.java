package dev.kvmfleetsim.hostsim.model.lapic;

/**
 * The local APIC of one vCPU: IRR, ISR and TMR, task and processor priority, identity and destination matching
 * (kvm-model §1.1 to §1.7; {@code arch/x86/kvm/lapic.c}). Pure register logic: delivery side effects (kicks, posting,
 * exits) belong to the caller. Not thread-safe.
 */
public final class Lapic {
    /** xAPIC destination format register value for the flat model. */
    public static final int DFR_FLAT = 0xFFFF_FFFF;
    /** xAPIC destination format register value for the cluster model. */
    public static final int DFR_CLUSTER = 0x0FFF_FFFF;

    private final long[] irr = new long[4];
    private final long[] isr = new long[4];
    private final long[] tmr = new long[4];
    private final boolean x2apic;
    private final int apicId;
    private int ldr;
    private int dfr = DFR_FLAT;
    private int tpr;
    private boolean softwareEnabled = true;
    private long arbPrio;
    private boolean nmiPending;
    private boolean initPending;
    private int sipiVector = -1;
    private boolean pvUnhalted;

    /**
     * Creates an enabled LAPIC.
     *
     * @param apicId the APIC ID (KVM gives vCPU i the ID i)
     * @param x2apic x2APIC mode: the LDR is derived from the ID (§1.7)
     */
    public Lapic(int apicId, boolean x2apic) {
        this.apicId = apicId;
        this.x2apic = x2apic;
        this.ldr = x2apic ? x2apicLdr(apicId) : 0;
    }

    /** The LDR that x2APIC mode derives from an APIC ID: cluster in 31:16, one bit of 16 in 15:0 (§1.7). */
    public static int x2apicLdr(int apicId) {
        return ((apicId >>> 4) << 16) | (1 << (apicId & 0xF));
    }

    /** Guest programs the xAPIC logical destination (LDR bits 31:24 hold the logical ID) and format. */
    public void setXapicLogical(int logicalId, int destinationFormat) {
        if (x2apic) {
            throw new IllegalStateException("the LDR is read-only in x2APIC mode");
        }
        this.ldr = (logicalId & 0xFF) << 24;
        this.dfr = destinationFormat;
    }

    // ---- priority rules (§1.2, __apic_update_ppr / apic_has_interrupt_for_ppr) ----

    /** Highest set vector of a 256-bit register, or -1. */
    static int highest(long[] reg) {
        for (int i = 3; i >= 0; i--) {
            if (reg[i] != 0) {
                return (i << 6) + 63 - Long.numberOfLeadingZeros(reg[i]);
            }
        }
        return -1;
    }

    static boolean test(long[] reg, int v) {
        return (reg[v >>> 6] & (1L << v)) != 0;
    }

    static void set(long[] reg, int v) {
        reg[v >>> 6] |= 1L << v;
    }

    static void clear(long[] reg, int v) {
        reg[v >>> 6] &= ~(1L << v);
    }

    public int highestIrr() {
        return highest(irr);
    }

    public int highestIsr() {
        return highest(isr);
    }

    /** The processor priority: TPR, or the class of the highest in-service vector if that is higher (§1.2). */
    public int ppr() {
        int isrv = Math.max(0, highestIsr());
        return (tpr & 0xF0) >= (isrv & 0xF0) ? tpr & 0xFF : isrv & 0xF0;
    }

    /** The vector the guest would take now if it had interrupts enabled, or -1 (a strictly higher class than PPR). */
    public int highestDeliverable() {
        int h = highestIrr();
        return h >= 0 && (h & 0xF0) > ppr() ? h : -1;
    }

    public void setTpr(int value) {
        this.tpr = value & 0xFF;
    }

    public int tpr() {
        return tpr;
    }

    /**
     * The guest takes the highest deliverable vector: IRR to ISR ({@code kvm_get_apic_interrupt}, §1.4).
     *
     * @return the vector, or -1 if none is deliverable
     */
    public int ack() {
        int v = highestDeliverable();
        if (v >= 0) {
            clear(irr, v);
            set(isr, v);
        }
        return v;
    }

    /**
     * An EOI retires the highest in-service vector, whatever value is written ({@code apic_set_eoi}, §1.5).
     *
     * @return the retired vector, or -1 if ISR was empty
     */
    public int eoi() {
        int v = highestIsr();
        if (v >= 0) {
            clear(isr, v);
        }
        return v;
    }

    /** Hardware-completed EOI of a known vector (APICv virtual EOI, {@code kvm_apic_set_eoi_accelerated}, §1.11). */
    public void eoiAccelerated(int vector) {
        clear(isr, vector);
    }

    // ---- acceptance (§1.3, __apic_accept_irq) ----

    /**
     * {@code __apic_accept_irq} for every delivery mode. FIXED and LOWEST only pass the acceptance test here (TMR is
     * updated); the caller then sets IRR or posts, and kicks. NMI, INIT, SIPI and REMRD (the PV unhalt) latch their
     * pending state. ExtINT is not handled here (it is the PIC's path).
     *
     * @return true if accepted
     */
    public boolean accept(long irq) {
        switch (Icr.deliveryMode(irq)) {
            case Icr.DM_FIXED:
            case Icr.DM_LOWEST:
                return acceptFixed(Icr.vector(irq), Icr.levelAssert(irq), Icr.levelTriggered(irq));
            case Icr.DM_REMRD:
                pvUnhalted = true;
                return true;
            case Icr.DM_SMI:
                return true;
            case Icr.DM_NMI:
                nmiPending = true;
                return true;
            case Icr.DM_INIT:
                // An INIT level-deassert is ignored.
                if (!Icr.levelTriggered(irq) || Icr.levelAssert(irq)) {
                    initPending = true;
                    return true;
                }
                return false;
            case Icr.DM_STARTUP:
                sipiVector = Icr.vector(irq);
                return true;
            default:
                return false;
        }
    }

    public boolean nmiPending() {
        return nmiPending;
    }

    /** The guest takes the pending NMI. */
    public boolean takeNmi() {
        boolean was = nmiPending;
        nmiPending = false;
        return was;
    }

    public boolean initPending() {
        return initPending;
    }

    /** The pending SIPI vector, or -1. */
    public int sipiVector() {
        return sipiVector;
    }

    /** {@code pv_unhalted}: a PV-spinlock kick not yet consumed by the halted waiter (§7.1). */
    public boolean pvUnhalted() {
        return pvUnhalted;
    }

    public void clearPvUnhalted() {
        pvUnhalted = false;
    }

    /**
     * Acceptance of a FIXED or LOWEST interrupt: dropped if level-triggered with level 0 or if the APIC is disabled;
     * otherwise TMR takes the trigger mode. The caller then sets IRR (or posts) and kicks.
     *
     * @return true if accepted
     */
    public boolean acceptFixed(int vector, boolean levelAssert, boolean levelTriggered) {
        if (levelTriggered && !levelAssert) {
            return false;
        }
        if (!softwareEnabled) {
            return false;
        }
        if (levelTriggered) {
            set(tmr, vector);
        } else {
            clear(tmr, vector);
        }
        return true;
    }

    /** Sets IRR[v]: the non-APICv delivery. Returns false if it was already pending (coalesced, §1.3). */
    public boolean setIrr(int vector) {
        boolean was = test(irr, vector);
        set(irr, vector);
        return !was;
    }

    public boolean irrContains(int vector) {
        return test(irr, vector);
    }

    public boolean isrContains(int vector) {
        return test(isr, vector);
    }

    public boolean tmrContains(int vector) {
        return test(tmr, vector);
    }

    /** {@code kvm_apic_pending_eoi}: the vector is requested or in service on this APIC (§2.4). */
    public boolean pendingEoi(int vector) {
        return test(irr, vector) || test(isr, vector);
    }

    /** Merges a posted-interrupt request bitmap into IRR (PIR sync at entry or by notification). */
    void mergeIntoIrr(long[] pir) {
        for (int i = 0; i < 4; i++) {
            irr[i] |= pir[i];
        }
    }

    // ---- destination matching (§1.7, kvm_apic_match_dest) ----

    /**
     * Whether this APIC is a destination of an interrupt ({@code kvm_apic_match_dest}).
     *
     * @param sourceIsThis the sender is this APIC (for the self shorthands)
     * @param shorthand one of the {@code Icr.SHORTHAND_*} constants
     * @param dest destination field
     * @param destMode physical or logical
     */
    public boolean matchDest(boolean sourceIsThis, int shorthand, long dest, int destMode) {
        switch (shorthand) {
            case Icr.SHORTHAND_NONE:
                return destMode == Icr.DEST_PHYSICAL ? matchPhysical(dest) : matchLogical(dest);
            case Icr.SHORTHAND_SELF:
                return sourceIsThis;
            case Icr.SHORTHAND_ALL_INCLUDING_SELF:
                return true;
            case Icr.SHORTHAND_ALL_EXCLUDING_SELF:
                return !sourceIsThis;
            default:
                return false;
        }
    }

    /** {@code kvm_apic_broadcast}. */
    public boolean isBroadcast(long mda) {
        return mda == (x2apic ? Icr.X2APIC_BROADCAST : Icr.XAPIC_BROADCAST);
    }

    /** {@code kvm_apic_match_physical_addr}. */
    public boolean matchPhysical(long mda) {
        return isBroadcast(mda) || mda == apicId;
    }

    /** {@code kvm_apic_match_logical_addr}. */
    public boolean matchLogical(long mda) {
        if (isBroadcast(mda)) {
            return true;
        }
        if (x2apic) {
            return (ldr >>> 16) == (mda >>> 16) && (ldr & mda & 0xFFFF) != 0;
        }
        int logicalId = ldr >>> 24;
        int m = (int) (mda & 0xFF);
        if (dfr == DFR_FLAT) {
            return (logicalId & m) != 0;
        }
        if (dfr == DFR_CLUSTER) {
            return (logicalId >>> 4) == (m >>> 4) && (logicalId & m & 0xF) != 0;
        }
        return false;
    }

    // ---- lowest-priority arbitration ----

    public long arbPrio() {
        return arbPrio;
    }

    /** A LOWEST-mode acceptance first increments the arbitration counter (§1.3). */
    public void bumpArbPrio() {
        arbPrio++;
    }

    // ---- identity ----

    public int apicId() {
        return apicId;
    }

    public boolean x2apic() {
        return x2apic;
    }

    public int ldr() {
        return ldr;
    }

    public int dfr() {
        return dfr;
    }

    public boolean softwareEnabled() {
        return softwareEnabled;
    }

    /** SPIV.enable: a disabled APIC drops fixed and lowest-priority interrupts (§1.1). */
    public void setSoftwareEnabled(boolean enabled) {
        this.softwareEnabled = enabled;
    }

    /** INIT: clears IRR, ISR, TMR and TPR (the state KVM resets in {@code kvm_lapic_reset}). */
    public void reset() {
        for (int i = 0; i < 4; i++) {
            irr[i] = 0;
            isr[i] = 0;
            tmr[i] = 0;
        }
        tpr = 0;
        nmiPending = false;
        initPending = false;
        sipiVector = -1;
    }
}
