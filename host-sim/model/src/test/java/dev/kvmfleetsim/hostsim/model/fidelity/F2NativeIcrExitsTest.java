package dev.kvmfleetsim.hostsim.model.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.testing.ExitLog;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** F2 (kvm-model §9, §1.13): without APICv an IPI exits twice on the sender in xAPIC, once in x2APIC. */
class F2NativeIcrExitsTest {
    @Test
    @DisplayName("F2: xAPIC without APICv: 2 sender exits (ICR2, ICR) and 1 receiver EXTERNAL_INTERRUPT per IPI")
    void xapicWithoutApicvTakesTwoSenderExitsAndOneReceiverExit() {
        ExitLog log = new ExitLog();
        SimulationResult r = Fixtures.run(Fixtures.unicast(false, false, false, true), log);

        long sent = r.counter("ipis_sent");
        assertThat(sent).isGreaterThan(50);
        assertThat(log.count(0, ExitReason.APIC_ACCESS)).as("ICR2 + ICR writes").isEqualTo(2 * sent);
        assertThat(log.countOn(0)).as("nothing else exits on the sender").isEqualTo(2 * sent);

        long handled = r.ipiLatency().count();
        // The kick reaches a receiver in guest mode as a host IPI: one EXTERNAL_INTERRUPT per IPI, unless the
        // receiver happened to be out of the guest already (then it is injected at the next entry).
        assertThat(log.count(1, ExitReason.EXTERNAL_INTERRUPT)).isBetween((long) (0.95 * handled), handled);
        // Without APICv every EOI exits too: an APIC access on the EOI register in xAPIC.
        assertThat(log.count(1, ExitReason.APIC_ACCESS)).isEqualTo(handled);
    }

    @Test
    @DisplayName("F2: x2APIC without APICv: 1 sender MSR_WRITE per IPI")
    void x2apicWithoutApicvTakesOneSenderExit() {
        ExitLog log = new ExitLog();
        SimulationResult r = Fixtures.run(Fixtures.unicast(true, false, false, true), log);

        long sent = r.counter("ipis_sent");
        assertThat(sent).isGreaterThan(50);
        assertThat(log.count(0, ExitReason.MSR_WRITE)).isEqualTo(sent);
        assertThat(log.countOn(0)).isEqualTo(sent);
        long handled = r.ipiLatency().count();
        assertThat(log.count(1, ExitReason.EXTERNAL_INTERRUPT)).isBetween((long) (0.95 * handled), handled);
        assertThat(log.count(1, ExitReason.MSR_WRITE)).as("EOI MSR writes").isEqualTo(handled);
    }
}
