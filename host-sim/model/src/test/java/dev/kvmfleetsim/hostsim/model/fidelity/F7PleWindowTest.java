package dev.kvmfleetsim.hostsim.model.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.ple.PleParams;
import dev.kvmfleetsim.hostsim.model.ple.PleWindow;
import dev.kvmfleetsim.hostsim.model.ple.Vendor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * F7 (kvm-model §9, §4.2, §4.3): a CPL0 spinner that stays scheduled in takes PLE exits at doubling windows; any
 * schedule-out/in resets the window; SVM caps at 65535; Intel never exits for CPL3 spins.
 */
class F7PleWindowTest {

    /** The window in force before each of {@code exits} consecutive exits. */
    private static List<Long> windowsBeforeExits(PleWindow w, int exits) {
        List<Long> windows = new ArrayList<>();
        for (int i = 0; i < exits; i++) {
            windows.add(w.windowCycles());
            w.onPleExit();
        }
        return windows;
    }

    @Test
    @DisplayName("F7: VMX consecutive PLE exits see windows 4096, 8192, 16384, ... cycles")
    void vmxWindowDoublesPerExit() {
        PleWindow w = new PleWindow(PleParams.intelDefaults());
        assertThat(windowsBeforeExits(w, 6)).containsExactly(4096L, 8192L, 16_384L, 32_768L, 65_536L, 131_072L);
        assertThat(w.exits()).isEqualTo(6);
    }

    @Test
    @DisplayName("F7: the first VMX exit comes after ~1.7 µs of spinning at 2.4 GHz, the next after twice that")
    void vmxFirstExitAfterAboutOnePointSevenMicroseconds() {
        PleWindow w = new PleWindow(PleParams.intelDefaults());
        assertThat(w.spinNsBeforeExit(2.4, 140)).isBetween(1700L, 1710L);
        w.onPleExit();
        assertThat(w.spinNsBeforeExit(2.4, 140)).isBetween(3410L, 3415L);
    }

    @Test
    @DisplayName("F7: after any schedule-out/in the VMX window is back to 4096")
    void scheduleOutInResetsToBase() {
        PleWindow w = new PleWindow(PleParams.intelDefaults());
        windowsBeforeExits(w, 10);
        assertThat(w.windowCycles()).isEqualTo(4096L << 10);
        assertThat(w.onVcpuLoad(false))
                .as("a load without schedule-out keeps it")
                .isEqualTo(4096L << 10);
        assertThat(w.onVcpuLoad(true)).isEqualTo(4096);
        assertThat(windowsBeforeExits(w, 3)).containsExactly(4096L, 8192L, 16_384L);
    }

    @Test
    @DisplayName("F7: the VMX window saturates at UINT_MAX")
    void vmxWindowSaturatesAtUintMax() {
        PleWindow w = new PleWindow(PleParams.intelDefaults());
        windowsBeforeExits(w, 40);
        assertThat(w.windowCycles()).isEqualTo(PleParams.UINT_MAX);
    }

    @Test
    @DisplayName("F7: SVM 3000 -> 6000 -> ... capped at 65535, reset to 3000 on schedule-in")
    void svmWindowCappedAt65535() {
        PleWindow w = new PleWindow(PleParams.amdDefaults());
        assertThat(windowsBeforeExits(w, 7)).containsExactly(3000L, 6000L, 12_000L, 24_000L, 48_000L, 65_535L, 65_535L);
        assertThat(w.onVcpuLoad(true)).isEqualTo(3000);
    }

    @Test
    @DisplayName("F7: no PLE exit ever for CPL3 spins on Intel; AMD intercepts but yields with in_kernel = false")
    void noPleForCpl3OnIntel() {
        PleWindow intel = new PleWindow(PleParams.intelDefaults());
        assertThat(intel.exitsAtCpl(0)).isTrue();
        for (int cpl = 1; cpl <= 3; cpl++) {
            assertThat(intel.exitsAtCpl(cpl)).as("CPL%d", cpl).isFalse();
        }
        PleWindow amd = new PleWindow(PleParams.amdDefaults());
        assertThat(amd.exitsAtCpl(3)).isTrue();
        assertThat(Vendor.AMD_SVM.yieldToKernelMode(3, false)).isFalse();
    }
}
