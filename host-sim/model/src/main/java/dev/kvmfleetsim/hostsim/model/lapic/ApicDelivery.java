package dev.kvmfleetsim.hostsim.model.lapic;

/**
 * {@code kvm_irq_delivery_to_apic}: finds the destinations of an interrupt through the {@link ApicMap} fast path, or
 * by scanning every vCPU in index order (the slow path), and accepts it on each (kvm-model §1.8). Also reports what
 * patch 07's IPI tracking needs: how many vCPUs accepted and which one, if exactly one did. Not thread-safe.
 */
public final class ApicDelivery {
    /** Called for each chosen destination; performs {@code __apic_accept_irq} and returns whether it accepted. */
    @FunctionalInterface
    public interface Acceptor {
        boolean accept(int vcpu, long irq);
    }

    private final Lapic[] lapics;
    private final ApicMap map;
    private final boolean vectorHashing;
    private final int[] scratch = new int[16];

    private boolean lastUsedSlowPath;
    private int lastAcceptedCount;
    private int lastAcceptedVcpu;

    public ApicDelivery(Lapic[] lapics, ApicMap map, boolean vectorHashing) {
        this.lapics = lapics;
        this.map = map;
        this.vectorHashing = vectorHashing;
    }

    /** Whether the fast path alone can deliver this interrupt (the ICR fastpath's condition since Aug 2025, §3.2). */
    public boolean fastPathCanDeliver(int src, long irq) {
        return map.destinations(src, irq, vectorHashing, scratch) != ApicMap.DECLINED;
    }

    /**
     * Delivers an interrupt.
     *
     * @param src sending vCPU index, or -1 for IOAPIC, MSI and PV hypercall deliveries
     * @param irq the request in {@link Icr} form
     * @param acceptor performs the acceptance on one vCPU
     * @return the number of vCPUs that accepted, or -1 if no vCPU matched
     */
    public int deliver(int src, long irq, Acceptor acceptor) {
        lastAcceptedCount = 0;
        lastAcceptedVcpu = -1;
        int n = map.destinations(src, irq, vectorHashing, scratch);
        if (n != ApicMap.DECLINED) {
            lastUsedSlowPath = false;
            for (int i = 0; i < n; i++) {
                acceptOne(scratch[i], irq, acceptor);
            }
            // The fast path reports 0, not -1, for an empty set (kvm_irq_delivery_to_apic_fast sets *r = 0).
            return lastAcceptedCount;
        }
        lastUsedSlowPath = true;
        return slowPath(src, irq, acceptor);
    }

    private int slowPath(int src, long irq, Acceptor acceptor) {
        long dest = Icr.dest(irq);
        long effective = irq;
        boolean lowest = Icr.lowestPriority(irq);
        if (lowest && Icr.destMode(irq) == Icr.DEST_PHYSICAL && dest == Icr.XAPIC_BROADCAST) {
            // "Broadcast lowest-priority interrupts are not supported": converted to fixed.
            effective = (irq & ~(7L << 8)) | ((long) Icr.DM_FIXED << 8);
            lowest = false;
        }
        int shorthand = Icr.shorthand(effective);
        int destMode = Icr.destMode(effective);
        int result = -1;
        int lowestIdx = -1;
        int candidates = 0;
        int chosenByHash = -1;
        int hashTarget = 0;
        // Vector hashing picks the (vector mod n)-th candidate, so n must be known first: count, then pick.
        if (lowest && vectorHashing) {
            for (int i = 0; i < lapics.length; i++) {
                if (lapics[i].softwareEnabled() && lapics[i].matchDest(i == src, shorthand, dest, destMode)) {
                    candidates++;
                }
            }
            hashTarget = candidates == 0 ? 0 : Icr.vector(effective) % candidates;
        }
        int seen = 0;
        for (int i = 0; i < lapics.length; i++) {
            Lapic l = lapics[i];
            if (!l.matchDest(i == src, shorthand, dest, destMode)) {
                continue;
            }
            if (!lowest) {
                if (result < 0) {
                    result = 0;
                }
                result += acceptOne(i, effective, acceptor) ? 1 : 0;
            } else if (l.softwareEnabled()) {
                if (vectorHashing) {
                    if (seen++ == hashTarget) {
                        chosenByHash = i;
                    }
                } else if (lowestIdx < 0 || l.arbPrio() < lapics[lowestIdx].arbPrio()) {
                    lowestIdx = i;
                }
            }
        }
        int chosen = vectorHashing ? chosenByHash : lowestIdx;
        if (lowest && chosen >= 0) {
            result = acceptOne(chosen, effective, acceptor) ? 1 : 0;
        }
        return result;
    }

    private boolean acceptOne(int vcpu, long irq, Acceptor acceptor) {
        if (Icr.lowestPriority(irq)) {
            lapics[vcpu].bumpArbPrio();
        }
        boolean ok = acceptor.accept(vcpu, irq);
        if (ok) {
            lastAcceptedCount++;
            lastAcceptedVcpu = vcpu;
        }
        return ok;
    }

    /** Whether the last {@link #deliver} scanned all vCPUs (its cost is O(#vCPUs), §1.8). */
    public boolean lastUsedSlowPath() {
        return lastUsedSlowPath;
    }

    /** How many vCPUs accepted the last delivery. */
    public int lastAcceptedCount() {
        return lastAcceptedCount;
    }

    /** The vCPU that accepted the last delivery if exactly one did, else -1. */
    public int lastSingleTarget() {
        return lastAcceptedCount == 1 ? lastAcceptedVcpu : -1;
    }

    public int vcpuCount() {
        return lapics.length;
    }
}
