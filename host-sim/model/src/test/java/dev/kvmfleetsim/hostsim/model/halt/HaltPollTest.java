package dev.kvmfleetsim.hostsim.model.halt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link HaltPoll}: each adaptation rule of kvm-model §3.4. */
class HaltPollTest {
    private static final long MAX = 200_000;

    private static HaltPoll at(long windowNs, HaltPollParams params) {
        HaltPoll h = new HaltPoll(params);
        // grow from 0 until the window is reached (only powers of two times 10 µs, or the cap)
        while (h.pollWindowNs() < windowNs) {
            h.onWakeup(h.pollWindowNs() + 1, true);
        }
        assertThat(h.pollWindowNs()).isEqualTo(windowNs);
        return h;
    }

    @Test
    void defaultsAreTheKernelDefaults() {
        HaltPollParams p = HaltPollParams.defaults();
        assertThat(p.haltPollNs()).isEqualTo(200_000);
        assertThat(p.haltPollNsGrow()).isEqualTo(2);
        assertThat(p.haltPollNsGrowStart()).isEqualTo(10_000);
        assertThat(p.haltPollNsShrink()).isEqualTo(2);
        assertThat(HaltPollParams.legacyResetOnShrink().haltPollNsShrink()).isZero();
        assertThatThrownBy(() -> new HaltPollParams(-1, 2, 10_000, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void startsWithoutPolling() {
        HaltPoll h = new HaltPoll(HaltPollParams.defaults());
        assertThat(h.pollWindowNs()).isZero();
        assertThat(h.shouldPoll(true)).isFalse();
    }

    @Test
    void firstGrowJumpsToGrowStart() {
        HaltPoll h = new HaltPoll(HaltPollParams.defaults());
        assertThat(h.onWakeup(50_000, true)).isEqualTo(10_000);
        assertThat(h.grows()).isEqualTo(1);
    }

    @Test
    void growDoublesAndIsCappedAtMax() {
        HaltPoll h = at(160_000, HaltPollParams.defaults());
        assertThat(h.onWakeup(170_000, true)).isEqualTo(MAX);
        assertThat(h.onWakeup(199_999, true)).as("halt_ns <= poll: keep").isEqualTo(MAX);
    }

    @Test
    void wakeWithinTheWindowKeepsIt() {
        HaltPoll h = at(40_000, HaltPollParams.defaults());
        assertThat(h.onWakeup(40_000, true)).isEqualTo(40_000);
        assertThat(h.onWakeup(1, true)).isEqualTo(40_000);
    }

    @Test
    void haltOfExactlyMaxNeitherGrowsNorShrinks() {
        HaltPoll h = at(20_000, HaltPollParams.defaults());
        assertThat(h.onWakeup(MAX, true)).isEqualTo(20_000);
    }

    @Test
    void longBlockShrinksByTheDivisor() {
        HaltPoll h = at(MAX, HaltPollParams.defaults());
        assertThat(h.onWakeup(MAX + 1, true)).isEqualTo(100_000);
        assertThat(h.shrinks()).isEqualTo(1);
    }

    @Test
    void longBlockWithZeroWindowLeavesItAtZero() {
        HaltPoll h = new HaltPoll(HaltPollParams.defaults());
        assertThat(h.onWakeup(5_000_000, true)).isZero();
        assertThat(h.grows()).isZero();
        assertThat(h.shrinks()).isZero();
    }

    @Test
    void invalidWakeupShrinksEvenAfterAShortHalt() {
        HaltPoll h = at(80_000, HaltPollParams.defaults());
        assertThat(h.onWakeup(100, false)).isEqualTo(40_000);
    }

    @Test
    void shrinkBelowGrowStartResetsToZero() {
        HaltPoll h = at(10_000, HaltPollParams.defaults());
        assertThat(h.onWakeup(1_000_000, true)).isZero();
    }

    @Test
    void shrinkModifierZeroResetsToZero() {
        HaltPoll h = at(MAX, HaltPollParams.legacyResetOnShrink());
        assertThat(h.onWakeup(MAX + 1, true)).isZero();
    }

    @Test
    void growModifierZeroNeverGrows() {
        HaltPoll h = new HaltPoll(new HaltPollParams(200_000, 0, 10_000, 2));
        assertThat(h.onWakeup(50_000, true)).isZero();
        assertThat(h.grows()).isZero();
    }

    @Test
    void zeroMaxDisablesPolling() {
        HaltPoll h = new HaltPoll(new HaltPollParams(0, 2, 10_000, 2));
        assertThat(h.onWakeup(50_000, true)).isZero();
        assertThat(h.shouldPoll(true)).isFalse();
    }

    @Test
    void growStartAboveADoubledWindowRaisesIt() {
        HaltPoll h = new HaltPoll(new HaltPollParams(1_000_000, 2, 50_000, 2));
        assertThat(h.onWakeup(60_000, true)).isEqualTo(50_000);
        assertThat(h.onWakeup(60_000, true)).isEqualTo(100_000);
    }

    @Test
    void noPollingWhenAnotherTaskIsRunnable() {
        HaltPoll h = at(40_000, HaltPollParams.defaults());
        assertThat(h.shouldPoll(true)).isTrue();
        assertThat(h.shouldPoll(false)).isFalse();
    }

    @Test
    void guestDisabledPollingStopsPollingAndAdaptation() {
        HaltPoll h = at(40_000, HaltPollParams.defaults());
        h.setGuestDisabledPolling(true);
        assertThat(h.guestDisabledPolling()).isTrue();
        assertThat(h.shouldPoll(true)).isFalse();
        assertThat(h.onWakeup(50_000, true)).isEqualTo(40_000);
        assertThat(h.onWakeup(10_000_000, false)).isEqualTo(40_000);
        h.setGuestDisabledPolling(false);
        assertThat(h.shouldPoll(true)).isTrue();
    }
}
