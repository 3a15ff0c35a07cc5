package dev.kvmfleetsim.hostsim.model.lapic;

/**
 * The posted-interrupt descriptor of one vCPU under APICv: PIR, ON and SN (kvm-model §1.10; {@code posted_intr.c}).
 * Not thread-safe.
 */
public final class PostedInterruptDescriptor {
    private final long[] pir = new long[4];
    private boolean outstandingNotification;
    private boolean suppressNotification;

    /**
     * Posts vector v ({@code vmx_deliver_interrupt} steps 1 and 2).
     *
     * @return true if the sender must notify (PIR bit and ON were both clear); false if coalesced or already notified
     */
    public boolean post(int vector) {
        if (Lapic.test(pir, vector)) {
            return false;
        }
        Lapic.set(pir, vector);
        if (outstandingNotification) {
            return false;
        }
        outstandingNotification = true;
        return !suppressNotification;
    }

    /** Moves PIR into the LAPIC's IRR and clears ON (at entry, or when the notification is processed). */
    public void syncTo(Lapic lapic) {
        lapic.mergeIntoIrr(pir);
        for (int i = 0; i < 4; i++) {
            pir[i] = 0;
        }
        outstandingNotification = false;
    }

    public boolean pirContains(int vector) {
        return Lapic.test(pir, vector);
    }

    public boolean pirEmpty() {
        return (pir[0] | pir[1] | pir[2] | pir[3]) == 0;
    }

    /** {@code pi_has_pending_interrupt}: ON, or SN with a non-empty PIR (the directed-yield hint, §1.10). */
    public boolean hasPendingInterrupt() {
        return outstandingNotification || (suppressNotification && !pirEmpty());
    }

    /** SN is set at schedule-out of a preempted vCPU and cleared at schedule-in. */
    public void setSuppressNotification(boolean sn) {
        this.suppressNotification = sn;
    }

    public boolean outstandingNotification() {
        return outstandingNotification;
    }
}
