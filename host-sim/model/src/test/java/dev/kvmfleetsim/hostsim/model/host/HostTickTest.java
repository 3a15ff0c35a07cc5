package dev.kvmfleetsim.hostsim.model.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The host tick (kvm-model §3.1 reason 1, §6.2; review M7): at HZ=1000 a busy pCPU takes its timer interrupt every
 * millisecond, and one that lands in guest mode is an EXTERNAL_INTERRUPT exit, even with a single task running
 * (NO_HZ_IDLE stops the tick only on an idle CPU). With {@code nohz_full} the tick stops while one task runs.
 */
class HostTickTest {
    @ParameterizedTest(name = "nohz_full={0}, tick_ns={1}: {2} tick exits in 100 ms")
    @CsvSource({"false, 1000000, 100", "false, 4000000, 25", "true, 1000000, 0"})
    void aBusyVcpuAloneOnItsPcpuExitsOncePerTick(boolean nohzFull, long tickNs, int exits) {
        HostHarness h = HostHarness.boot("""
                {"name": "tick", "seed": 1, "duration_ns": 1000000000,
                 "host": {"pcpus": 1, "nohz_full": %s}, "vms": {"count": 1, "vcpus": 1},
                 "guest": {"idle_ns_mean": 0}, "sched": {"tick_ns": %d}}
                """.formatted(nohzFull, tickNs));
        h.runUntil(100_000_000 + 1);
        assertThat(h.log.count(0, ExitReason.EXTERNAL_INTERRUPT)).isEqualTo(exits);
        assertThat(h.log.countOn(0)).as("nothing else exits").isEqualTo(exits);
    }
}
