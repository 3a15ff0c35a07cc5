package dev.kvmfleetsim.hostsim.model.ipi;

import dev.kvmfleetsim.hostsim.model.lapic.Icr;

/**
 * The IPI tracking of the directed-yield series, patches 06 to 08 ({@code arch.ipi_context}; kvm-model §5.6): which
 * vCPU last sent a unicast IPI to which, so that {@code kvm_vcpu_on_spin} can boost the receiver a spinning sender
 * waits for. One instance per VM, with the context of every vCPU in primitive arrays. Not thread-safe.
 */
public final class IpiTracker {
    private final boolean enabled;
    private final long windowNs;
    private final EoiClearMode clearMode;

    private final int[] lastIpiSender;
    private final int[] lastIpiReceiver;
    private final int[] vector;
    private final boolean[] pendingIpi;
    private final long[] ipiTimeNs;

    private long records;
    private long eoiClears;

    /**
     * @param vcpus vCPUs of the VM
     * @param enabled {@code kvm.ipi_tracking_enabled}
     * @param windowNs {@code kvm.ipi_window_ns}
     * @param clearMode which patch 08 rule clears on EOI
     */
    public IpiTracker(int vcpus, boolean enabled, long windowNs, EoiClearMode clearMode) {
        this.enabled = enabled;
        this.windowNs = windowNs;
        this.clearMode = clearMode;
        lastIpiSender = new int[vcpus];
        lastIpiReceiver = new int[vcpus];
        vector = new int[vcpus];
        pendingIpi = new boolean[vcpus];
        ipiTimeNs = new long[vcpus];
        for (int i = 0; i < vcpus; i++) {
            resetOnCreate(i);
        }
    }

    /** vCPU create or destroy: every field to its initial value, the timestamp included (SEED-06). */
    public void resetOnCreate(int vcpu) {
        resetOnInit(vcpu);
        ipiTimeNs[vcpu] = 0;
    }

    /** INIT ({@code kvm_vcpu_reset}): everything but the timestamp is cleared (SEED-06). */
    public void resetOnInit(int vcpu) {
        lastIpiSender[vcpu] = -1;
        lastIpiReceiver[vcpu] = -1;
        vector[vcpu] = 0;
        pendingIpi[vcpu] = false;
    }

    /**
     * Patch 07: called after {@code kvm_irq_delivery_to_apic} delivered, in either path. Records iff tracking is on,
     * a vCPU sent it, the mode is FIXED with no shorthand, exactly one vCPU accepted, and that vCPU is not the sender.
     *
     * @param src sending vCPU, or -1 (IOAPIC, MSI, PV send-IPI)
     * @param irq the request
     * @param acceptedCount how many vCPUs accepted
     * @param receiver the one that accepted, if exactly one did
     * @param nowNs current time
     * @return whether a record was made
     */
    public boolean onDelivered(int src, long irq, int acceptedCount, int receiver, long nowNs) {
        if (!enabled
                || src < 0
                || Icr.deliveryMode(irq) != Icr.DM_FIXED
                || Icr.shorthand(irq) != Icr.SHORTHAND_NONE
                || acceptedCount != 1
                || receiver == src) {
            return false;
        }
        int v = Icr.vector(irq);
        lastIpiReceiver[src] = receiver;
        vector[src] = v;
        pendingIpi[src] = true;
        ipiTimeNs[src] = nowNs;
        lastIpiSender[receiver] = src;
        vector[receiver] = v;
        records++;
        return true;
    }

    /** {@code kvm_vcpu_is_ipi_receiver(sender, candidate)}: a fresh pending unicast IPI from sender to candidate. */
    public boolean isIpiReceiver(int sender, int candidate, long nowNs) {
        return enabled
                && pendingIpi[sender]
                && lastIpiReceiver[sender] == candidate
                && nowNs - ipiTimeNs[sender] <= windowNs;
    }

    /**
     * Patch 08: a trapped EOI of {@code eoiVector} on {@code receiver} (the emulated EOI write or an EOI-induced exit;
     * a virtualized EOI never gets here). V2 clears the receiver's whole context on any EOI; V3 acts only on the
     * recorded vector and keeps the receiver's own outgoing record. Both then clear the sender's pending flag if the
     * sender still points at this receiver within the window.
     *
     * @return whether the sender's pending flag was cleared
     */
    public boolean onEoi(int receiver, int eoiVector, long nowNs) {
        if (!enabled) {
            return false;
        }
        int sender = lastIpiSender[receiver];
        if (clearMode == EoiClearMode.V3_INFERRED) {
            if (sender < 0 || vector[receiver] != eoiVector) {
                return false;
            }
            lastIpiSender[receiver] = -1;
            vector[receiver] = 0;
        } else {
            lastIpiSender[receiver] = -1;
            lastIpiReceiver[receiver] = -1;
            vector[receiver] = 0;
            pendingIpi[receiver] = false;
        }
        if (sender >= 0 && lastIpiReceiver[sender] == receiver && nowNs - ipiTimeNs[sender] <= windowNs) {
            pendingIpi[sender] = false;
            eoiClears++;
            return true;
        }
        return false;
    }

    public int lastIpiSender(int vcpu) {
        return lastIpiSender[vcpu];
    }

    public int lastIpiReceiver(int vcpu) {
        return lastIpiReceiver[vcpu];
    }

    public boolean pendingIpi(int vcpu) {
        return pendingIpi[vcpu];
    }

    public int vector(int vcpu) {
        return vector[vcpu];
    }

    public long records() {
        return records;
    }

    public long eoiClears() {
        return eoiClears;
    }
}
