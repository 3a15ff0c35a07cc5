package dev.kvmfleetsim.hostsim.model.lapic;

import java.util.Arrays;

/**
 * The per-VM {@code kvm_apic_map}: physical and logical lookup tables that let {@link ApicDelivery} find destinations
 * without scanning every vCPU (kvm-model §1.8, §1.9; {@code kvm_recalculate_apic_map},
 * {@code kvm_apic_map_get_dest_lapic}). Rebuilt with {@link #rebuild} after the guest reprograms an APIC.
 */
public final class ApicMap {
    /** Returned by {@link #destinations} when the fast path declines and the slow path must run. */
    public static final int DECLINED = -1;

    private final Lapic[] lapics;
    private int[] physMap = new int[0];
    private int maxApicId = -1;
    /** logical[cluster * 16 + bit] = vCPU index or -1. */
    private int[] logical = new int[0];

    private boolean valid;
    private boolean x2apic;
    private boolean flat;

    public ApicMap(Lapic[] lapics) {
        this.lapics = lapics;
        rebuild();
    }

    /**
     * Recomputes the tables. The map is disabled (every lookup declines) if enabled APICs mix x2APIC and xAPIC or
     * logical models, or if two APICs alias the same physical ID or logical slot (§1.9).
     */
    public void rebuild() {
        valid = true;
        maxApicId = -1;
        for (Lapic l : lapics) {
            maxApicId = Math.max(maxApicId, l.apicId());
        }
        physMap = new int[maxApicId + 1];
        Arrays.fill(physMap, -1);
        x2apic = lapics.length > 0 && lapics[0].x2apic();
        flat = lapics.length > 0 && lapics[0].dfr() == Lapic.DFR_FLAT;
        int clusters = x2apic ? (maxApicId >>> 4) + 1 : 16;
        logical = new int[clusters * 16];
        Arrays.fill(logical, -1);
        for (int i = 0; i < lapics.length; i++) {
            Lapic l = lapics[i];
            if (physMap[l.apicId()] >= 0 || l.x2apic() != x2apic) {
                valid = false;
                return;
            }
            physMap[l.apicId()] = i;
            if (!l.softwareEnabled()) {
                continue;
            }
            if (!x2apic && (l.dfr() == Lapic.DFR_FLAT) != flat) {
                valid = false;
                return;
            }
            int ldr = l.ldr();
            int cluster;
            int mask;
            if (x2apic) {
                cluster = ldr >>> 16;
                mask = ldr & 0xFFFF;
            } else if (flat) {
                cluster = 0;
                mask = ldr >>> 24;
            } else {
                cluster = (ldr >>> 28) & 0xF;
                mask = (ldr >>> 24) & 0xF;
            }
            if (mask == 0) {
                continue;
            }
            if (Integer.bitCount(mask) != 1) {
                valid = false; // one APIC in several logical slots: KVM disables the optimized map
                return;
            }
            int slot = cluster * 16 + Integer.numberOfTrailingZeros(mask);
            if (logical[slot] >= 0) {
                valid = false; // aliased logical IDs
                return;
            }
            logical[slot] = i;
        }
    }

    public boolean valid() {
        return valid;
    }

    /**
     * The fast path's destination set ({@code kvm_apic_map_get_dest_lapic}).
     *
     * @param src sending vCPU index, or -1 for IOAPIC/MSI
     * @param irq the request in {@link Icr} form
     * @param vectorHashing {@code kvm.vector_hashing} for lowest-priority arbitration
     * @param out receives up to 16 vCPU indices
     * @return the number of destinations written (0 means the interrupt is dropped), or {@link #DECLINED}
     */
    public int destinations(int src, long irq, boolean vectorHashing, int[] out) {
        int shorthand = Icr.shorthand(irq);
        if (shorthand == Icr.SHORTHAND_SELF && src >= 0) {
            out[0] = src;
            return 1;
        }
        if (shorthand != Icr.SHORTHAND_NONE || !valid) {
            return DECLINED;
        }
        long dest = Icr.dest(irq);
        if (dest == (x2apic ? Icr.X2APIC_BROADCAST : Icr.XAPIC_BROADCAST)) {
            return DECLINED;
        }
        if (Icr.destMode(irq) == Icr.DEST_PHYSICAL) {
            if (dest > maxApicId || physMap[(int) dest] < 0) {
                return 0;
            }
            out[0] = physMap[(int) dest];
            return 1;
        }
        int cluster;
        int mask;
        if (x2apic) {
            cluster = (int) (dest >>> 16);
            mask = (int) (dest & 0xFFFF);
        } else if (flat) {
            cluster = 0;
            mask = (int) (dest & 0xFF);
        } else {
            cluster = (int) ((dest >>> 4) & 0xF);
            mask = (int) (dest & 0xF);
        }
        if ((cluster + 1) * 16 > logical.length) {
            return 0;
        }
        int n = 0;
        for (int m = mask; m != 0; m &= m - 1) {
            int idx = logical[cluster * 16 + Integer.numberOfTrailingZeros(m)];
            if (idx >= 0) {
                out[n++] = idx;
            }
        }
        if (!Icr.lowestPriority(irq) || n == 0) {
            return n;
        }
        int chosen = vectorHashing ? out[Icr.vector(irq) % n] : lowestArbPrio(out, n);
        out[0] = chosen;
        return 1;
    }

    private int lowestArbPrio(int[] candidates, int n) {
        int best = candidates[0];
        for (int i = 1; i < n; i++) {
            if (lapics[candidates[i]].arbPrio() < lapics[best].arbPrio()) {
                best = candidates[i];
            }
        }
        return best;
    }
}
