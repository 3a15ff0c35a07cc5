package dev.kvmfleetsim.hostsim.model.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.scenario.ExitCosts;
import dev.kvmfleetsim.hostsim.model.testing.ExitLog;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** F1 (kvm-model §9): a unicast fixed physical x2APIC IPI with APICv + IPIv to a running target costs no exit. */
class F1IpivUnicastTest {
    @Test
    @DisplayName("F1: APICv + IPIv unicast: 0 sender exits, 0 receiver exits, handler after the posting latency")
    void ipivUnicastTakesNoExitOnEitherSide() {
        ExitLog log = new ExitLog();
        SimulationResult r = Fixtures.run(Fixtures.unicast(true, true, true, true), log);

        assertThat(r.counter("ipis_sent")).as("IPIs sent").isGreaterThan(50);
        assertThat(log.countOn(0)).as("sender exits").isZero();
        assertThat(log.countOn(1)).as("receiver exits").isZero();
        assertThat(r.counter("exits")).isZero();

        // The handler starts after the virtualized ICR write plus the hardware posting latency, nothing more.
        ExitCosts c = ExitCosts.defaults();
        long expected = c.ipivSendNs() + c.postedIntrLatencyNs();
        assertThat(r.ipiLatency().count()).isGreaterThan(50);
        assertThat(r.ipiLatency().p50Ns()).isBetween(expected - 10, expected + 10);
    }
}
