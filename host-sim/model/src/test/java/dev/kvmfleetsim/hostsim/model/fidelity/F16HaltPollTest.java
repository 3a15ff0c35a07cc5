package dev.kvmfleetsim.hostsim.model.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.halt.HaltPoll;
import dev.kvmfleetsim.hostsim.model.halt.HaltPollParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * F16 (kvm-model §9, §3.4): no halt polling on an overcommitted pCPU; on an idle pCPU the window adapts 0 → 10 µs →
 * 20 µs … ≤ 200 µs and halves on long blocks.
 */
class F16HaltPollTest {

    @Test
    @DisplayName("F16: idle pCPU, short halts: 0 -> 10 µs -> 20 µs -> ... -> 200 µs, never above")
    void idlePcpuWindowGrowsToTheCap() {
        HaltPoll h = new HaltPoll(HaltPollParams.defaults());
        List<Long> windows = new ArrayList<>();
        windows.add(h.pollWindowNs());
        for (int i = 0; i < 8; i++) {
            // each wake comes just after the current window ran out, a short halt (below 200 µs); once the window
            // is at the cap the wake lands inside it
            h.onWakeup(Math.min(h.pollWindowNs() + 5_000, 190_000), true);
            windows.add(h.pollWindowNs());
        }
        assertThat(windows)
                .containsExactly(0L, 10_000L, 20_000L, 40_000L, 80_000L, 160_000L, 200_000L, 200_000L, 200_000L);
        assertThat(h.shouldPoll(true)).isTrue();
    }

    @Test
    @DisplayName("F16: long blocks halve the window, and below 10 µs it drops to 0")
    void longBlocksHalveTheWindow() {
        HaltPoll h = new HaltPoll(HaltPollParams.defaults());
        while (h.pollWindowNs() < 200_000) {
            h.onWakeup(h.pollWindowNs() + 1, true);
        }
        List<Long> windows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            h.onWakeup(5_000_000, true);
            windows.add(h.pollWindowNs());
        }
        assertThat(windows).containsExactly(100_000L, 50_000L, 25_000L, 12_500L, 0L, 0L);
        assertThat(h.shouldPoll(true)).isFalse();
    }

    @Test
    @DisplayName("F16: a wake that arrives while polling keeps the window")
    void wakeDuringPollKeepsTheWindow() {
        HaltPoll h = new HaltPoll(HaltPollParams.defaults());
        for (int i = 0; i < 3; i++) {
            h.onWakeup(h.pollWindowNs() + 1, true);
        }
        assertThat(h.pollWindowNs()).isEqualTo(40_000);
        assertThat(h.onWakeup(25_000, true)).isEqualTo(40_000);
    }

    @Test
    @DisplayName("F16: overcommitted pCPU: no polling whatever the window, so HLT goes straight to block")
    void overcommittedPcpuNeverPolls() {
        HaltPoll h = new HaltPoll(HaltPollParams.defaults());
        for (int i = 0; i < 10; i++) {
            assertThat(h.shouldPoll(false)).as("halt %d", i).isFalse();
            // the adaptation at the end of kvm_vcpu_halt does not depend on single_task_running
            h.onWakeup(h.pollWindowNs() + 1_000, true);
        }
        assertThat(h.pollWindowNs()).isEqualTo(200_000);
        assertThat(h.shouldPoll(false)).isFalse();
        assertThat(h.shouldPoll(true))
                .as("the same window is used once the pCPU is idle")
                .isTrue();
    }
}
