package dev.kvmfleetsim.hostsim.model.host;

import static dev.kvmfleetsim.hostsim.model.exit.ExitReason.APIC_ACCESS;
import static dev.kvmfleetsim.hostsim.model.exit.ExitReason.EOI_INDUCED;
import static dev.kvmfleetsim.hostsim.model.exit.ExitReason.EXTERNAL_INTERRUPT;
import static dev.kvmfleetsim.hostsim.model.exit.ExitReason.INTERRUPT_WINDOW;
import static dev.kvmfleetsim.hostsim.model.exit.ExitReason.MSR_WRITE;
import static dev.kvmfleetsim.hostsim.model.host.HostHarness.IPI_VECTOR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The receiver's side of one interrupt, {@link IrqInjection}: {@code __apic_accept_irq} with the vendor hook (posting to
 * the PID and the notification with APICv, {@code kvm_vcpu_kick} without), coalescing of a pending vector, the guest
 * taking it ({@code kvm_inject_pending_event}, or virtual-interrupt delivery), its EOI (virtualized unless the vector is
 * in the EOI-exit bitmap; trapped without APICv) and the interrupt window armed while IF=0 (kvm-model §1.3, §1.4,
 * §1.10, §1.11, §1.13). vCPU 1 of a quiescent 2-vCPU VM receives, at times the test chooses; every exit cost is fixed.
 */
class IrqInjectionTest {
    private static final String X2APIC_APICV = "\"x2apic\": true, \"enable_apicv\": true";
    private static final String X2APIC_NO_APICV = "\"x2apic\": true, \"enable_apicv\": false";
    private static final String XAPIC_NO_APICV = "\"x2apic\": false, \"enable_apicv\": false";

    static final long KICK_NS = 300;
    static final long NOTIFY_NS = 400;
    static final long EXT_INT_NS = 500;
    static final long MSR_WRITE_NS = 1_000;
    static final long HANDLER_NS = 2_000;
    /** Fixed costs (min = mean): every exit ends at a known time. */
    static final String COSTS = """
            "external_interrupt": {"min_ns": 500, "mean_ns": 500}, "msr_write_slow": {"min_ns": 1000, "mean_ns": 1000},
            "apic_access": {"min_ns": 1200, "mean_ns": 1200}, "eoi_induced": {"min_ns": 600, "mean_ns": 600},
            "interrupt_window": {"min_ns": 450, "mean_ns": 450}, "hlt": {"min_ns": 700, "mean_ns": 700},
            "posted_intr_latency_ns": 400, "host_kick_latency_ns": 300, "wakeup_latency_ns": 5000""";

    private static final long T = 2_000_000;

    private static long fixed(Vcpu t, int vector) {
        return Icr.fixedPhysical(vector, t.lapic.apicId());
    }

    private static HostHarness host(String kvm, String guest) {
        HostHarness h = HostHarness.busyVm(2, kvm, guest, COSTS);
        h.runUntil(T);
        h.log.clear();
        return h;
    }

    @Test
    void withApicvAPostReachesARunningVcpuThroughTheNotificationWithoutAnExit() {
        HostHarness h = host(X2APIC_APICV, "");
        Vcpu rx = h.vcpu(1);
        long posted = h.counter(rx, KvmStat.POSTED_INTERRUPTS);
        long injections = h.counter(rx, KvmStat.IRQ_INJECTIONS);
        long handled = h.ctx.stats.ipiLatency.getTotalCount();

        assertThat(h.parts.injection.accept(rx, fixed(rx, IPI_VECTOR), T, 0)).isTrue();

        assertThat(rx.pid.pirContains(IPI_VECTOR)).as("posted to the PIR").isTrue();
        assertThat(rx.lapic.irrContains(IPI_VECTOR))
                .as("not in the IRR before the notification")
                .isFalse();
        assertThat(h.counter(rx, KvmStat.POSTED_INTERRUPTS) - posted).isEqualTo(1);
        h.runUntil(T + NOTIFY_NS - 1);
        assertThat(rx.guest.inHandler())
                .as("the notification is still in flight")
                .isFalse();
        assertThat(rx.pid.pirContains(IPI_VECTOR)).isTrue();

        h.runUntil(T + NOTIFY_NS);
        assertThat(rx.pid.pirContains(IPI_VECTOR))
                .as("PIR merged into the vIRR")
                .isFalse();
        assertThat(rx.guest.handlerVector).as("the handler runs at once").isEqualTo(IPI_VECTOR);
        assertThat(rx.mode).isEqualTo(VcpuMode.GUEST);

        h.runUntil(T + NOTIFY_NS + HANDLER_NS + 1);
        assertThat(rx.guest.inHandler()).isFalse();
        assertThat(rx.lapic.isrContains(IPI_VECTOR))
                .as("EOI virtualization retired it")
                .isFalse();
        assertThat(h.log.reasons(1)).as("no exit on the receiver").isEmpty();
        assertThat(h.counter(rx, KvmStat.IRQ_INJECTIONS) - injections)
                .as("no software injection")
                .isZero();
        assertThat(h.ctx.stats.ipiLatency.getTotalCount() - handled).isEqualTo(1);
        assertThat(h.ctx.stats.ipiLatency.getMaxValue())
                .as("latency: the notification's")
                .isEqualTo(NOTIFY_NS);
    }

    @ParameterizedTest(name = "x2apic={0}")
    @ValueSource(booleans = {true, false})
    void withoutApicvAKickForcesAnExternalInterruptExitThenTheInjectionAtEntry(boolean x2apic) {
        HostHarness h = host(x2apic ? X2APIC_NO_APICV : XAPIC_NO_APICV, "");
        Vcpu rx = h.vcpu(1);
        long injections = h.counter(rx, KvmStat.IRQ_INJECTIONS);
        long irqExits = h.counter(rx, KvmStat.IRQ_EXITS);

        assertThat(h.parts.injection.accept(rx, fixed(rx, IPI_VECTOR), T, 0)).isTrue();

        assertThat(rx.lapic.irrContains(IPI_VECTOR))
                .as("IRR set by __apic_accept_irq")
                .isTrue();
        assertThat(rx.pid.pirContains(IPI_VECTOR)).isFalse();
        h.runUntil(T + KICK_NS - 1);
        assertThat(h.log.reasons(1)).as("the kick is in flight").isEmpty();

        h.runUntil(T + KICK_NS);
        assertThat(h.log.reasons(1)).containsExactly(EXTERNAL_INTERRUPT);
        assertThat(rx.mode).isEqualTo(VcpuMode.HOST);
        assertThat(h.counter(rx, KvmStat.IRQ_EXITS) - irqExits).isEqualTo(1);
        assertThat(rx.guest.inHandler()).as("not injected before the entry").isFalse();

        h.runUntil(T + KICK_NS + EXT_INT_NS);
        assertThat(rx.mode).isEqualTo(VcpuMode.GUEST);
        assertThat(rx.guest.handlerVector).as("injected at entry").isEqualTo(IPI_VECTOR);
        assertThat(rx.lapic.irrContains(IPI_VECTOR)).isFalse();
        assertThat(rx.lapic.isrContains(IPI_VECTOR)).isTrue();
        assertThat(h.counter(rx, KvmStat.IRQ_INJECTIONS) - injections).isEqualTo(1);
    }

    @ParameterizedTest(name = "apicv={0}")
    @ValueSource(booleans = {true, false})
    void aSecondAcceptOfAPendingVectorCoalesces(boolean apicv) {
        HostHarness h = host(apicv ? X2APIC_APICV : X2APIC_NO_APICV, "");
        Vcpu rx = h.vcpu(1);
        long coalesced = h.counter(rx, KvmStat.INTERRUPTS_COALESCED);
        long handled = h.ctx.stats.ipiLatency.getTotalCount();

        assertThat(h.parts.injection.accept(rx, fixed(rx, IPI_VECTOR), T, 0)).isTrue();
        assertThat(h.counter(rx, KvmStat.INTERRUPTS_COALESCED) - coalesced).isZero();
        assertThat(h.parts.injection.accept(rx, fixed(rx, IPI_VECTOR), T, 0))
                .as("still accepted")
                .isTrue();
        assertThat(h.counter(rx, KvmStat.INTERRUPTS_COALESCED) - coalesced).isEqualTo(1);

        h.runUntil(T + 20_000);
        assertThat(h.ctx.stats.ipiLatency.getTotalCount() - handled)
                .as("one handler for both")
                .isEqualTo(1);
        assertThat(h.log.count(1, EXTERNAL_INTERRUPT))
                .as("one kick exit at most")
                .isEqualTo(apicv ? 0 : 1);
        assertThat(rx.guest.inHandler()).isFalse();
    }

    /** One EOI: the host, the guest, whether the vector is in the EOI-exit bitmap, and the exits the EOI costs. */
    record EoiRow(String name, String kvm, String guest, boolean inEoiExitBitmap, List<ExitReason> exits) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String NO_PV_EOI = "\"pv_eoi\": false";
    private static final String PV_EOI = "\"pv_eoi\": true";

    static Stream<EoiRow> eoiRows() {
        return Stream.of(
                new EoiRow("APICv, vector not in the EOI-exit bitmap", X2APIC_APICV, "", false, List.of()),
                new EoiRow("APICv, vector in the EOI-exit bitmap", X2APIC_APICV, "", true, List.of(EOI_INDUCED)),
                new EoiRow("x2APIC without APICv: WRMSR 0x80B", X2APIC_NO_APICV, NO_PV_EOI, false, List.of(MSR_WRITE)),
                new EoiRow("xAPIC without APICv: MMIO 0xB0", XAPIC_NO_APICV, NO_PV_EOI, false, List.of(APIC_ACCESS)),
                new EoiRow(
                        "x2APIC without APICv, PV EOI: the flag, no exit", X2APIC_NO_APICV, PV_EOI, false, List.of()),
                new EoiRow("xAPIC without APICv, PV EOI: the flag, no exit", XAPIC_NO_APICV, PV_EOI, false, List.of()),
                new EoiRow(
                        "x2APIC without APICv, PV EOI, vector the IOAPIC handles: not armed, WRMSR",
                        X2APIC_NO_APICV,
                        PV_EOI,
                        true,
                        List.of(MSR_WRITE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eoiRows")
    void theEoiExitsOnlyWhereKvmMustSeeIt(EoiRow row) {
        HostHarness h = host(row.kvm(), row.guest());
        Vcpu rx = h.vcpu(1);
        if (row.inEoiExitBitmap()) {
            rx.ioapicHandledVectors[IPI_VECTOR >>> 6] |= 1L << IPI_VECTOR;
        }
        long trapped = h.counter(rx, KvmStat.EOIS_TRAPPED);
        long pv = h.counter(rx, KvmStat.PV_EOIS);
        h.parts.injection.accept(rx, fixed(rx, IPI_VECTOR), T, 0);
        h.runUntil(T + 1_000);
        assertThat(rx.guest.handlerVector).as("the handler runs").isEqualTo(IPI_VECTOR);
        h.log.clear();

        h.runUntil(T + 20_000);

        assertThat(h.log.reasons(1)).as("exits of the EOI").isEqualTo(row.exits());
        assertThat(h.counter(rx, KvmStat.EOIS_TRAPPED) - trapped)
                .isEqualTo(row.exits().size());
        boolean pvEoi = row.guest().equals(PV_EOI) && row.exits().isEmpty();
        assertThat(h.counter(rx, KvmStat.PV_EOIS) - pv).isEqualTo(pvEoi ? 1 : 0);
        assertThat(rx.lapic.isrContains(IPI_VECTOR)).as("the vector is retired").isFalse();
        assertThat(rx.guest.inHandler()).isFalse();
        assertThat(rx.mode).isEqualTo(VcpuMode.GUEST);
    }

    @Test
    void anExitDuringTheHandlerTakesBackThePvEoiSoTheEoiExits() {
        // apic_sync_pv_eoi_from_guest: at the kick's exit the guest has not used the flag yet, so KVM clears it.
        HostHarness h = host(X2APIC_NO_APICV, PV_EOI);
        Vcpu rx = h.vcpu(1);
        long pv = h.counter(rx, KvmStat.PV_EOIS);
        h.parts.injection.accept(rx, fixed(rx, IPI_VECTOR), T, 0);
        h.runUntil(T + 1_000);
        assertThat(rx.pvEoiPending).as("armed at the injecting entry").isTrue();
        h.log.clear();

        h.parts.injection.accept(rx, fixed(rx, GuestCpu.LOCAL_TIMER_VECTOR), h.ctx.now, 0);
        h.runUntil(T + 1_000 + KICK_NS + EXT_INT_NS + HANDLER_NS + MSR_WRITE_NS);

        assertThat(h.log.reasons(1)).startsWith(EXTERNAL_INTERRUPT, MSR_WRITE);
        assertThat(h.counter(rx, KvmStat.PV_EOIS) - pv)
                .as("the IPI's EOI was not PV")
                .isZero();
    }

    @Test
    void withoutApicvAnInterruptArrivingInAHandlerArmsTheWindowAndIretExits() {
        // The timer's handler (vector 0xec, 5 us) runs when the IPI (0xfb, a higher priority class) arrives: IF=0.
        HostHarness h = host(X2APIC_NO_APICV, "\"timer_handler_ns\": 5000, " + NO_PV_EOI);
        Vcpu rx = h.vcpu(1);
        long windowExits = h.counter(rx, KvmStat.IRQ_WINDOW_EXITS);
        long injections = h.counter(rx, KvmStat.IRQ_INJECTIONS);
        h.parts.injection.accept(rx, fixed(rx, GuestCpu.LOCAL_TIMER_VECTOR), T, 0);
        h.runUntil(T + 2_000);
        assertThat(rx.guest.handlerVector).isEqualTo(GuestCpu.LOCAL_TIMER_VECTOR);
        assertThat(rx.guest.interruptsEnabled()).as("IF=0 in the handler").isFalse();

        h.parts.injection.accept(rx, fixed(rx, IPI_VECTOR), h.ctx.now, 0);
        h.runUntil(T + 2_000 + KICK_NS + EXT_INT_NS);

        assertThat(rx.mode).isEqualTo(VcpuMode.GUEST);
        assertThat(rx.irqWindowArmed).as("deliverable, but IF=0: window armed").isTrue();
        assertThat(rx.guest.handlerVector)
                .as("not injected into the running handler")
                .isEqualTo(0xec);
        assertThat(rx.lapic.irrContains(IPI_VECTOR)).isTrue();

        h.runUntil(T + 50_000);
        assertThat(h.log.reasons(1))
                .as("kick, kick, EOI, IRET's window exit, EOI")
                .containsExactly(EXTERNAL_INTERRUPT, EXTERNAL_INTERRUPT, MSR_WRITE, INTERRUPT_WINDOW, MSR_WRITE);
        assertThat(h.counter(rx, KvmStat.IRQ_WINDOW_EXITS) - windowExits).isEqualTo(1);
        assertThat(h.counter(rx, KvmStat.IRQ_INJECTIONS) - injections).isEqualTo(2);
        assertThat(rx.irqWindowArmed).isFalse();
        assertThat(rx.guest.inHandler()).isFalse();
        assertThat(rx.lapic.isrContains(IPI_VECTOR)).isFalse();
    }

    @Test
    void withApicvTheSameNestingNeedsNoWindowExit() {
        HostHarness h = host(X2APIC_APICV, "\"timer_handler_ns\": 5000");
        Vcpu rx = h.vcpu(1);
        long handled = h.ctx.stats.ipiLatency.getTotalCount();
        h.parts.injection.accept(rx, fixed(rx, GuestCpu.LOCAL_TIMER_VECTOR), T, 0);
        h.runUntil(T + 2_000);
        h.parts.injection.accept(rx, fixed(rx, IPI_VECTOR), h.ctx.now, 0);

        h.runUntil(T + 50_000);

        assertThat(h.log.reasons(1)).as("RVI is evaluated by the CPU at IRET").isEmpty();
        assertThat(rx.irqWindowArmed).isFalse();
        assertThat(h.ctx.stats.ipiLatency.getTotalCount() - handled)
                .as("the IPI's handler ran")
                .isEqualTo(1);
    }
}
