package dev.kvmfleetsim.hostsim.model.host;

import static dev.kvmfleetsim.hostsim.model.exit.ExitReason.APIC_ACCESS;
import static dev.kvmfleetsim.hostsim.model.exit.ExitReason.APIC_WRITE;
import static dev.kvmfleetsim.hostsim.model.exit.ExitReason.MSR_WRITE;
import static dev.kvmfleetsim.hostsim.model.exit.ExitReason.VMCALL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.scenario.IpiSource;
import dev.kvmfleetsim.hostsim.model.scenario.IpiSource.IpiPattern;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sender's side of one IPI, path by path (kvm-model §1.6, §1.12, §1.13, §7.4): which exits each ICR write costs in
 * each APIC mode, with and without APICv, IPIv, PV send-IPI and the fastpath, for physical, cluster and flat
 * addressing and for unicast, multicast and broadcast; and that every target takes the interrupt. One send is made at
 * a time the test chooses, on a host where nothing else happens.
 */
class IcrWriteTest {
    private static final String X2APIC_APICV = "\"x2apic\": true, \"enable_apicv\": true";
    private static final String X2APIC_IPIV = X2APIC_APICV + ", \"enable_ipiv\": true";
    private static final String X2APIC_NO_APICV = "\"x2apic\": true, \"enable_apicv\": false";
    private static final String XAPIC_APICV = "\"x2apic\": false, \"enable_apicv\": true";
    private static final String XAPIC_NO_APICV = "\"x2apic\": false, \"enable_apicv\": false";
    private static final String CLUSTER = "\"apic_addressing\": \"cluster\"";
    private static final String FLAT = "\"apic_addressing\": \"flat\"";
    private static final String NO_SHORTHAND = "\"broadcast_shorthand\": false";

    /**
     * One row: the host, what the guest sends, and what the sender must pay.
     *
     * @param vcpus vCPUs of the VM (vCPU 0 sends)
     * @param targets the multicast's targets (ignored otherwise)
     * @param exits the sender's exits, in order
     * @param fastpath how many ICR writes take the x2APIC fastpath
     */
    record Row(
            String name,
            String kvm,
            String guest,
            int vcpus,
            IpiPattern pattern,
            List<Integer> targets,
            List<ExitReason> exits,
            int fastpath) {
        @Override
        public String toString() {
            return name;
        }

        int receivers() {
            return switch (pattern) {
                case UNICAST -> 1;
                case MULTICAST -> targets.size();
                case BROADCAST -> vcpus - 1;
                case SELF -> 1;
            };
        }
    }

    private static List<ExitReason> times(int n, ExitReason r) {
        return Collections.nCopies(n, r);
    }

    static Stream<Row> rows() {
        List<Integer> three = List.of(1, 2, 3);
        List<Integer> twoClusters = List.of(1, 17);
        IpiPattern uni = IpiPattern.UNICAST;
        IpiPattern multi = IpiPattern.MULTICAST;
        IpiPattern all = IpiPattern.BROADCAST;
        return Stream.of(
                // IPIv: physical fixed writes are virtualized; logical and shorthand writes trap as APIC_WRITE.
                new Row("IPIv x2APIC physical unicast", X2APIC_IPIV, "", 8, uni, List.of(), List.of(), 0),
                new Row("IPIv x2APIC physical multicast", X2APIC_IPIV, "", 8, multi, three, List.of(), 0),
                new Row(
                        "IPIv x2APIC cluster multicast",
                        X2APIC_IPIV,
                        CLUSTER,
                        20,
                        multi,
                        twoClusters,
                        times(2, APIC_WRITE),
                        0),
                new Row("IPIv x2APIC broadcast shorthand", X2APIC_IPIV, "", 8, all, List.of(), times(1, APIC_WRITE), 0),
                new Row(
                        "IPIv x2APIC broadcast as a physical mask",
                        X2APIC_IPIV,
                        NO_SHORTHAND,
                        8,
                        all,
                        List.of(),
                        List.of(),
                        0),
                // x2APIC without IPIv: one MSR_WRITE per ICR write, the fastpath when the APIC map can deliver.
                new Row(
                        "x2APIC physical unicast, fastpath",
                        X2APIC_APICV,
                        "",
                        8,
                        uni,
                        List.of(),
                        times(1, MSR_WRITE),
                        1),
                new Row(
                        "x2APIC physical unicast, no fastpath",
                        X2APIC_APICV + ", \"ipi_fastpath\": false",
                        "",
                        8,
                        uni,
                        List.of(),
                        times(1, MSR_WRITE),
                        0),
                new Row("x2APIC physical multicast", X2APIC_APICV, "", 8, multi, three, times(3, MSR_WRITE), 3),
                new Row(
                        "x2APIC cluster multicast",
                        X2APIC_APICV,
                        CLUSTER,
                        20,
                        multi,
                        twoClusters,
                        times(2, MSR_WRITE),
                        2),
                new Row("x2APIC broadcast shorthand", X2APIC_APICV, "", 8, all, List.of(), times(1, MSR_WRITE), 0),
                new Row(
                        "x2APIC broadcast as a physical mask",
                        X2APIC_NO_APICV,
                        NO_SHORTHAND,
                        8,
                        all,
                        List.of(),
                        times(7, MSR_WRITE),
                        7),
                // xAPIC: APIC_WRITE (trap-like) with APICv; two APIC_ACCESS exits (ICR2, then ICR) without.
                new Row("xAPIC+APICv physical unicast", XAPIC_APICV, "", 8, uni, List.of(), times(1, APIC_WRITE), 0),
                new Row("xAPIC physical unicast", XAPIC_NO_APICV, "", 8, uni, List.of(), times(2, APIC_ACCESS), 0),
                new Row("xAPIC physical multicast", XAPIC_NO_APICV, "", 8, multi, three, times(6, APIC_ACCESS), 0),
                new Row(
                        "xAPIC flat multicast: one logical write",
                        XAPIC_NO_APICV,
                        FLAT,
                        8,
                        multi,
                        three,
                        times(2, APIC_ACCESS),
                        0),
                new Row(
                        "xAPIC+APICv flat broadcast as a mask",
                        XAPIC_APICV,
                        FLAT + ", " + NO_SHORTHAND,
                        8,
                        all,
                        List.of(),
                        times(1, APIC_WRITE),
                        0),
                // KVM_HC_SEND_IPI: one VMCALL per 128-APIC-ID window for a mask; a unicast stays an ICR write.
                new Row(
                        "PV send-IPI multicast",
                        X2APIC_APICV + ", \"pv_send_ipi\": true",
                        "",
                        8,
                        multi,
                        three,
                        times(1, VMCALL),
                        0),
                new Row(
                        "PV send-IPI broadcast",
                        X2APIC_IPIV + ", \"pv_send_ipi\": true",
                        "",
                        8,
                        all,
                        List.of(),
                        times(1, VMCALL),
                        0),
                new Row(
                        "PV send-IPI unicast is an ICR write",
                        X2APIC_APICV + ", \"pv_send_ipi\": true",
                        "",
                        8,
                        uni,
                        List.of(),
                        times(1, MSR_WRITE),
                        1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void oneSendCostsTheSenderItsExitsAndReachesEveryTarget(Row row) {
        HostHarness h = HostHarness.busyVm(row.vcpus(), row.kvm(), row.guest());
        Vcpu sender = h.vcpu(0);
        assertThat(sender.mode).isEqualTo(VcpuMode.GUEST);
        long fastpathBefore = h.counter(sender, KvmStat.ICR_FASTPATH);
        long sentBefore = h.counter(sender, KvmStat.IPIS_SENT);
        long hypercallsBefore = h.counter(sender, KvmStat.HYPERCALLS);
        h.log.clear();
        IpiSource src = new IpiSource(
                row.pattern(),
                List.of(0),
                row.pattern() == IpiPattern.UNICAST ? List.of(1) : row.targets(),
                0,
                1.0,
                HostHarness.IPI_VECTOR,
                2_000,
                IpiSource.Delivery.FIXED);

        h.ctx.now = 2_000_000;
        h.parts.guestCpu.pauseGuest(sender); // the guest reached its send: its clock stops, as in onSegmentEnd
        h.parts.apicDriver.sendIpi(sender, src);

        assertThat(h.log.reasons(0)).as("sender exits").isEqualTo(row.exits());
        assertThat(h.counter(sender, KvmStat.ICR_FASTPATH) - fastpathBefore)
                .as("fastpath")
                .isEqualTo(row.fastpath());
        assertThat(sender.mode)
                .as("the sender is in the host while its exits run")
                .isEqualTo(row.exits().isEmpty() ? VcpuMode.GUEST : VcpuMode.HOST);
        assertThat(h.counter(sender, KvmStat.HYPERCALLS) - hypercallsBefore)
                .as("hypercalls: one per KVM_HC_SEND_IPI")
                .isEqualTo(row.exits().stream().filter(r -> r == VMCALL).count());
        long ipisSent = h.counter(sender, KvmStat.IPIS_SENT) - sentBefore;
        assertThat(ipisSent).as("ipis_sent counts targets or writes").isPositive();

        // Resume the sender as the guest does after a send, then let every receiver take the interrupt.
        if (sender.mode == VcpuMode.GUEST) {
            h.parts.guestCpu.runGuest(sender);
        }
        h.runUntil(3_000_000);
        assertThat(h.ctx.stats.ipiLatency.getTotalCount()).as("handlers run").isEqualTo(row.receivers());
        assertThat(sender.mode).isEqualTo(VcpuMode.GUEST);
    }
}
