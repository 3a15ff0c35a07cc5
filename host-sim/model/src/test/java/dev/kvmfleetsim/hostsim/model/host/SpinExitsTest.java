package dev.kvmfleetsim.hostsim.model.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYield;
import org.junit.jupiter.api.Test;

/**
 * {@code handle_pause} -> {@code kvm_vcpu_on_spin} as the host runs it (kvm-model §5.2): a spinner whose
 * {@code yield_to} succeeded calls {@code schedule()} inside the spin loop, so it stays {@code in_spin_loop} while it
 * waits on the run queue, and the loop ends (flags cleared) only when it runs again.
 */
class SpinExitsTest {
    /** Two vCPUs of one VM share one pCPU; upstream candidate rules (the series' patch 09 off). */
    private static HostHarness twoVcpusOnOnePcpu() {
        HostHarness h = HostHarness.boot("""
                {"name": "spin", "seed": 3, "duration_ns": 1000000000,
                 "host": {"pcpus": 1}, "vms": {"count": 1, "vcpus": 2},
                 "guest": {"idle_ns_mean": 0},
                 "directed_yield": {"ipi_aware_candidates": false}}
                """);
        h.runUntil(30_000_000); // both threads have run and the one waiting was preempted at a tick
        return h;
    }

    private static void stepUntil(HostHarness h, java.util.function.BooleanSupplier done) {
        for (int i = 0; i < 100_000 && !done.getAsBoolean(); i++) {
            assertThat(h.sim.step(Long.MAX_VALUE)).as("an event is pending").isTrue();
        }
        assertThat(done.getAsBoolean()).isTrue();
    }

    @Test
    void aBoostingSpinnerStaysInSpinLoopUntilItRunsAgain() {
        HostHarness h = twoVcpusOnOnePcpu();
        // Wait for a moment where one runs in guest mode and the other waits, preempted.
        stepUntil(
                h,
                () -> h.vcpu(0).mode == VcpuMode.GUEST && h.vcpu(1).preempted
                        || h.vcpu(1).mode == VcpuMode.GUEST && h.vcpu(0).preempted);
        Vcpu spinner = h.vcpu(0).mode == VcpuMode.GUEST ? h.vcpu(0) : h.vcpu(1);
        Vcpu other = spinner == h.vcpu(0) ? h.vcpu(1) : h.vcpu(0);
        assertThat(other.mode).isEqualTo(VcpuMode.RUNNABLE);
        assertThat(other.preempted && other.ready)
                .as("the waiting thread is a candidate")
                .isTrue();
        DirectedYield dy = spinner.vm.directedYield;

        // The running vCPU starts waiting for a lock: a CPL0 PAUSE loop.
        h.parts.guestCpu.pauseGuest(spinner);
        h.parts.guestCpu.startSpin(spinner, Long.MAX_VALUE);
        h.parts.guestCpu.runGuest(spinner);
        stepUntil(h, () -> spinner.mode == VcpuMode.HOST && spinner.exitReason == ExitReason.PAUSE_INSTRUCTION);
        assertThat(dy.lastBoostedVcpu()).as("boosted the preempted vCPU").isEqualTo(other.index);
        assertThat(dy.inSpinLoop(spinner.index))
                .as("in_spin_loop during the PAUSE exit")
                .isTrue();

        // At the end of the exit the yielder schedules: the boosted vCPU runs, the spinner waits, still in the loop.
        stepUntil(h, () -> spinner.mode == VcpuMode.RUNNABLE);
        assertThat(other.mode).isIn(VcpuMode.HOST, VcpuMode.GUEST);
        assertThat(dy.inSpinLoop(spinner.index))
                .as("in_spin_loop while descheduled by its own yield")
                .isTrue();

        // kvm_sched_in: schedule() returns inside kvm_vcpu_on_spin, which clears in_spin_loop and dy_eligible.
        stepUntil(h, () -> spinner.mode != VcpuMode.RUNNABLE);
        assertThat(dy.inSpinLoop(spinner.index)).isFalse();
        assertThat(dy.dyEligible(spinner.index)).isFalse();
    }

    @Test
    void aSpinnerWhoseScanBoostsNobodyLeavesTheLoopAtOnce() {
        HostHarness h = HostHarness.busyVm(2, "", "");
        Vcpu spinner = h.vcpu(0);
        h.parts.guestCpu.pauseGuest(spinner);
        h.parts.guestCpu.startSpin(spinner, Long.MAX_VALUE);
        h.parts.guestCpu.runGuest(spinner);
        stepUntil(h, () -> spinner.exitReason == ExitReason.PAUSE_INSTRUCTION);
        // vCPU 1 runs on its own pCPU: not ready, no candidate; kvm_vcpu_on_spin returned without yielding.
        assertThat(spinner.vm.directedYield.inSpinLoop(spinner.index)).isFalse();
    }
}
