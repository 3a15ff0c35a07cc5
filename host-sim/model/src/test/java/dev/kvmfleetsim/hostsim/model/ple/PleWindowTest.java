package dev.kvmfleetsim.hostsim.model.ple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link PleWindow}, {@link PleParams} and {@link Vendor}: the rules of kvm-model §4.1 to §4.3, one by one. */
class PleWindowTest {

    @Test
    void intelDefaultsAreTheKernelConstants() {
        PleParams p = PleParams.intelDefaults();
        assertThat(p.vendor()).isEqualTo(Vendor.INTEL_VMX);
        assertThat(p.pleGap()).isEqualTo(128);
        assertThat(p.pleWindow()).isEqualTo(4096);
        assertThat(p.pleWindowGrow()).isEqualTo(2);
        assertThat(p.pleWindowShrink()).isZero();
        assertThat(p.pleWindowMax()).isEqualTo(4_294_967_295L);
    }

    @Test
    void amdDefaultsAreTheKernelConstants() {
        PleParams p = PleParams.amdDefaults();
        assertThat(p.vendor()).isEqualTo(Vendor.AMD_SVM);
        assertThat(p.pleGap()).isEqualTo(128);
        assertThat(p.pleWindow()).isEqualTo(3000);
        assertThat(p.pleWindowGrow()).isEqualTo(2);
        assertThat(p.pleWindowShrink()).isZero();
        assertThat(p.pleWindowMax()).isEqualTo(65_535);
    }

    @Test
    void paramsRejectValuesOutsideUnsignedInt() {
        assertThatThrownBy(() -> new PleParams(Vendor.INTEL_VMX, -1, 4096, 2, 0, 10_000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PleParams(Vendor.INTEL_VMX, 128, 4096, 2, 0, PleParams.UINT_MAX + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PleParams(null, 128, 4096, 2, 0, 10_000))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void growWithModifierBelowOneReturnsTheBaseEvenAboveMax() {
        assertThat(PleWindow.growPleWindow(16_384, 4096, 0, 1000)).isEqualTo(4096);
    }

    @Test
    void growWithModifierBelowBaseMultiplies() {
        assertThat(PleWindow.growPleWindow(4096, 4096, 3, PleParams.UINT_MAX)).isEqualTo(12_288);
    }

    @Test
    void growWithModifierAtOrAboveBaseAdds() {
        assertThat(PleWindow.growPleWindow(4096, 4096, 4096, PleParams.UINT_MAX))
                .isEqualTo(8192);
        assertThat(PleWindow.growPleWindow(8192, 4096, 5000, PleParams.UINT_MAX))
                .isEqualTo(13_192);
    }

    @Test
    void growIsCappedAtMaxWithoutOverflow() {
        assertThat(PleWindow.growPleWindow(3_000_000_000L, 4096, 2, PleParams.UINT_MAX))
                .isEqualTo(PleParams.UINT_MAX);
        assertThat(PleWindow.growPleWindow(40_000, 3000, 2, 65_535)).isEqualTo(65_535);
    }

    @Test
    void shrinkWithModifierBelowOneReturnsTheBase() {
        assertThat(PleWindow.shrinkPleWindow(65_536, 4096, 0, 4096)).isEqualTo(4096);
    }

    @Test
    void shrinkWithModifierBelowBaseDividesAndIsFlooredAtMin() {
        assertThat(PleWindow.shrinkPleWindow(65_536, 4096, 4, 4096)).isEqualTo(16_384);
        assertThat(PleWindow.shrinkPleWindow(8192, 4096, 4, 4096)).isEqualTo(4096);
    }

    @Test
    void shrinkWithModifierAtOrAboveBaseSubtracts() {
        assertThat(PleWindow.shrinkPleWindow(20_000, 4096, 5000, 4096)).isEqualTo(15_000);
        assertThat(PleWindow.shrinkPleWindow(9000, 4096, 5000, 4096)).isEqualTo(4096);
    }

    @Test
    void shrinkSubtractionWrapsLikeUnsignedInt() {
        // val -= modifier on unsigned int: 4096 - 5000 wraps to 2^32 - 904, which max(val, min) keeps
        assertThat(PleWindow.shrinkPleWindow(4096, 4096, 5000, 4096)).isEqualTo(4_294_966_392L);
    }

    @Test
    void exitGrowsAdditivelyWhenGrowIsNotBelowBase() {
        PleWindow w = new PleWindow(new PleParams(Vendor.INTEL_VMX, 128, 4096, 5000, 0, PleParams.UINT_MAX));
        assertThat(w.onPleExit()).isEqualTo(9096);
        assertThat(w.onPleExit()).isEqualTo(14_096);
        assertThat(w.exits()).isEqualTo(2);
    }

    @Test
    void loadAfterScheduleOutDividesWithNonZeroShrink() {
        PleWindow w = new PleWindow(new PleParams(Vendor.INTEL_VMX, 128, 4096, 2, 2, PleParams.UINT_MAX));
        w.onPleExit();
        w.onPleExit();
        assertThat(w.windowCycles()).isEqualTo(16_384);
        assertThat(w.onVcpuLoad(true)).isEqualTo(8192);
        assertThat(w.onVcpuLoad(true)).isEqualTo(4096);
        assertThat(w.onVcpuLoad(true)).isEqualTo(4096);
        assertThat(w.shrinks()).isEqualTo(3);
    }

    @Test
    void loadWithoutScheduleOutKeepsTheWindow() {
        PleWindow w = new PleWindow(PleParams.intelDefaults());
        w.onPleExit();
        assertThat(w.onVcpuLoad(false)).isEqualTo(8192);
        assertThat(w.shrinks()).isZero();
    }

    @Test
    void pauseDisabledForTheVmNeitherExitsNorAdapts() {
        PleWindow w = new PleWindow(PleParams.intelDefaults(), true);
        assertThat(w.active()).isFalse();
        assertThat(w.exitsAtCpl(0)).isFalse();
        assertThat(w.onPleExit()).isEqualTo(4096);
        assertThat(w.onVcpuLoad(true)).isEqualTo(4096);
    }

    @Test
    void zeroGapOrZeroCountDisablesPauseExits() {
        assertThat(new PleParams(Vendor.INTEL_VMX, 0, 4096, 2, 0, PleParams.UINT_MAX).pauseExitsEnabled())
                .as("vmx_vm_init: ple_gap == 0")
                .isFalse();
        assertThat(new PleParams(Vendor.INTEL_VMX, 128, 0, 2, 0, PleParams.UINT_MAX).pauseExitsEnabled())
                .as("vmx only looks at ple_gap")
                .isTrue();
        assertThat(new PleParams(Vendor.AMD_SVM, 128, 0, 2, 0, 65_535).pauseExitsEnabled())
                .as("svm_vm_init: pause_filter_count == 0")
                .isFalse();
        assertThat(new PleParams(Vendor.AMD_SVM, 0, 3000, 2, 0, 65_535).pauseExitsEnabled())
                .as("svm_vm_init: pause_filter_thresh == 0")
                .isFalse();
        assertThat(PleParams.amdDefaults().pauseExitsEnabled()).isTrue();
    }

    @Test
    void svmWindowIsASixteenBitField() {
        // A max above USHRT_MAX lets __grow_ple_window return more than the u16 pause_filter_count holds.
        PleWindow w = new PleWindow(new PleParams(Vendor.AMD_SVM, 128, 3000, 2, 0, PleParams.UINT_MAX));
        for (int i = 0; i < 4; i++) {
            w.onPleExit();
        }
        assertThat(w.windowCycles()).isEqualTo(48_000);
        assertThat(w.onPleExit()).isEqualTo(96_000 & 0xFFFF);
    }

    @Test
    void sameLoopComparesTheGapWithPleGap() {
        assertThat(PleParams.intelDefaults().sameLoop(128)).isTrue();
        assertThat(PleParams.intelDefaults().sameLoop(129)).isFalse();
    }

    @Test
    void cyclesToNsRoundsUp() {
        assertThat(PleWindow.cyclesToNs(4096, 2.4)).isEqualTo(1707);
        assertThat(PleWindow.cyclesToNs(4096, 2.0)).isEqualTo(2048);
        assertThat(PleWindow.cyclesToNs(0, 3.0)).isZero();
        assertThatThrownBy(() -> PleWindow.cyclesToNs(4096, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void spinBeforeExitIsCyclesOnIntelAndPausesTimesLatencyOnAmd() {
        assertThat(new PleWindow(PleParams.intelDefaults()).spinNsBeforeExit(2.0, 140))
                .isEqualTo(2048);
        assertThat(new PleWindow(PleParams.amdDefaults()).spinNsBeforeExit(2.0, 140))
                .isEqualTo(3000L * 140 / 2);
    }

    @Test
    void cplRuleAndYieldToKernelModePerVendor() {
        assertThat(PleWindow.pleExitPossible(Vendor.INTEL_VMX, 0)).isTrue();
        assertThat(PleWindow.pleExitPossible(Vendor.INTEL_VMX, 3)).isFalse();
        assertThat(PleWindow.pleExitPossible(Vendor.AMD_SVM, 3)).isTrue();

        assertThat(Vendor.INTEL_VMX.yieldToKernelMode(0, false)).isTrue();
        assertThat(Vendor.INTEL_VMX.yieldToKernelMode(3, true))
                .as("VMX always passes true")
                .isTrue();
        assertThat(Vendor.AMD_SVM.yieldToKernelMode(0, false)).isTrue();
        assertThat(Vendor.AMD_SVM.yieldToKernelMode(3, false)).isFalse();
        assertThat(Vendor.AMD_SVM.yieldToKernelMode(0, true))
                .as("SEV-ES hides the CPL")
                .isFalse();
    }
}
