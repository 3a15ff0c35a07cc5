package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.scenario.IpiSource;

/**
 * The guest's APIC driver sending IPIs: the scenario's IPI sources (unicast, multicast, broadcast, self) and the
 * workload's IPIs, turned into ICR writes the way Linux's {@code send_IPI_mask} does in each APIC mode (x2APIC
 * physical: one write per target; cluster: one per cluster; flat: one mask; the all-but-self shorthand; the PV
 * {@code KVM_HC_SEND_IPI} when the guest uses it). kvm-model §1.6, §7.4; the sender's costs are {@link IcrWrite}'s.
 */
final class GuestApicDriver {
    private final HostContext ctx;
    /** vCPU indices of the targets of the send being built, in APIC-ID order. */
    private final int[] targets;
    /** The ICR values of the send being built. */
    private final long[] writes;

    private IcrWrite icr;

    GuestApicDriver(HostContext ctx, int vcpusPerVm) {
        this.ctx = ctx;
        this.targets = new int[vcpusPerVm];
        this.writes = new long[vcpusPerVm + 1];
    }

    void link(HostParts p) {
        this.icr = p.icr;
    }

    /** The guest sends one IPI vector to {@code to[0..n)}: one physical write for one target, else a mask send. */
    void sendIpis(Vcpu v, int vector, int[] to, int n) {
        System.arraycopy(to, 0, targets, 0, n);
        long cost = n == 1 ? sendPhysical(v, vector, Icr.DM_FIXED, 1) : sendMask(v, vector, Icr.DM_FIXED, n);
        recordSendCost(cost);
    }

    /** One send of a scenario IPI source, from {@code v}. */
    void sendIpi(Vcpu v, IpiSource src) {
        Vm vm = v.vm;
        int dm = deliveryModeOf(src);
        long cost;
        switch (src.pattern()) {
            case UNICAST: {
                int t = pickOther(v, src);
                if (t < 0) {
                    return;
                }
                targets[0] = t;
                cost = sendPhysical(v, src.vector(), dm, 1);
                break;
            }
            case MULTICAST: {
                int n = pickMany(v, src);
                if (n == 0) {
                    return;
                }
                cost = sendMask(v, src.vector(), dm, n);
                break;
            }
            case BROADCAST: {
                int n = 0;
                for (int i = 0; i < vm.vcpus.length; i++) {
                    if (i != v.index) {
                        targets[n++] = i;
                    }
                }
                if (n == 0) {
                    return;
                }
                if (ctx.kvm.pvSendIpi() && dm == Icr.DM_FIXED) {
                    // The PV guest replaces send_IPI_allbutself with the hypercall.
                    cost = icr.pvSendIpi(v, src.vector(), targets, n);
                } else if (ctx.guest.broadcastShorthand()) {
                    writes[0] = Icr.encode(
                            src.vector(), dm, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_ALL_EXCLUDING_SELF, 0);
                    cost = icr.writes(v, writes, 1);
                } else {
                    cost = sendMask(v, src.vector(), dm, n);
                }
                break;
            }
            case SELF:
                cost = sendSelf(v, src.vector(), dm);
                break;
            default:
                throw new IllegalStateException("unknown IPI pattern " + src.pattern());
        }
        recordSendCost(cost);
    }

    private void recordSendCost(long cost) {
        if (ctx.recording) {
            ctx.stats.ipiSendCost.recordValue(cost);
        }
    }

    private static int deliveryModeOf(IpiSource src) {
        switch (src.delivery()) {
            case LOWEST:
                return Icr.DM_LOWEST;
            case NMI:
                return Icr.DM_NMI;
            default:
                return Icr.DM_FIXED;
        }
    }

    private int pickOther(Vcpu v, IpiSource src) {
        int n = candidates(v, src);
        return n == 0 ? -1 : targets[v.random.nextInt(n)];
    }

    /** Fills {@code targets} with the source's possible targets other than the sender; returns how many. */
    private int candidates(Vcpu v, IpiSource src) {
        int n = 0;
        int per = v.vm.vcpus.length;
        if (src.targets().isEmpty()) {
            for (int i = 0; i < per; i++) {
                if (i != v.index) {
                    targets[n++] = i;
                }
            }
        } else {
            for (int i = 0; i < src.targets().size(); i++) {
                int t = src.targets().get(i);
                if (t != v.index && t < per) {
                    targets[n++] = t;
                }
            }
        }
        return n;
    }

    /** Multicast: a random subset of {@code fanout} candidates, kept in index order in {@code targets}. */
    private int pickMany(Vcpu v, IpiSource src) {
        int n = candidates(v, src);
        int k = src.fanout() <= 0 ? n : Math.min(src.fanout(), n);
        // Partial Fisher-Yates, then sort the chosen prefix so sends go out in APIC-ID order.
        for (int i = 0; i < k; i++) {
            int j = i + v.random.nextInt(n - i);
            int tmp = targets[i];
            targets[i] = targets[j];
            targets[j] = tmp;
        }
        java.util.Arrays.sort(targets, 0, k);
        return k;
    }

    /** {@code send_IPI_mask}: PV hypercall, one write per target, per cluster, or one flat mask. */
    private long sendMask(Vcpu v, int vector, int dm, int n) {
        if (ctx.kvm.pvSendIpi() && dm == Icr.DM_FIXED) {
            return icr.pvSendIpi(v, vector, targets, n);
        }
        switch (ctx.guest.apicAddressing()) {
            case CLUSTER: {
                int w = 0;
                int i = 0;
                while (i < n) {
                    int cluster = targets[i] >>> 4;
                    int mask = 0;
                    while (i < n && (targets[i] >>> 4) == cluster) {
                        mask |= 1 << (targets[i] & 0xF);
                        i++;
                    }
                    writes[w++] = Icr.encode(
                            vector,
                            dm,
                            Icr.DEST_LOGICAL,
                            true,
                            false,
                            Icr.SHORTHAND_NONE,
                            ((long) cluster << 16) | mask);
                }
                return icr.writes(v, writes, w);
            }
            case FLAT: {
                int mask = 0;
                for (int i = 0; i < n; i++) {
                    mask |= 1 << targets[i];
                }
                writes[0] = Icr.encode(vector, dm, Icr.DEST_LOGICAL, true, false, Icr.SHORTHAND_NONE, mask);
                return icr.writes(v, writes, 1);
            }
            default:
                return sendPhysical(v, vector, dm, n);
        }
    }

    /** x2APIC physical (and xAPIC physical): one ICR write per target. */
    private long sendPhysical(Vcpu v, int vector, int dm, int n) {
        for (int i = 0; i < n; i++) {
            writes[i] = Icr.encode(
                    vector, dm, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_NONE, v.vm.lapics[targets[i]].apicId());
        }
        return icr.writes(v, writes, n);
    }

    /** A self-IPI: the x2APIC SELF_IPI MSR for a fixed vector, else the ICR with the self shorthand. */
    private long sendSelf(Vcpu v, int vector, int dm) {
        if (ctx.x2apic && dm == Icr.DM_FIXED) {
            return icr.selfIpiMsr(v, vector);
        }
        writes[0] = Icr.encode(vector, dm, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_SELF, 0);
        return icr.writes(v, writes, 1);
    }
}
