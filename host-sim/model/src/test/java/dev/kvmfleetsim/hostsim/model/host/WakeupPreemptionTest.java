package dev.kvmfleetsim.hostsim.model.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A resched that the run queue requests is never dropped (kvm-model §6.2, review M5): {@code enqueue}'s
 * {@code update_curr} finding curr's slice used up calls {@code resched_curr}, and {@code wakeup_preempt_fair} then
 * returns early only because that resched is already pending. The host must act on it at once (kick the running
 * vCPU), not at the next tick.
 */
class WakeupPreemptionTest {
    @Test
    void aWakeupThatFindsCurrsSliceUsedUpReschedulesAtOnce() {
        // Three vCPUs on one pCPU, a tick so long that it never comes in this test.
        HostHarness h = HostHarness.boot("""
                {"name": "wake", "seed": 5, "duration_ns": 5000000000,
                 "host": {"pcpus": 1}, "vms": {"count": 1, "vcpus": 3},
                 "guest": {"idle_ns_mean": 0}, "sched": {"tick_ns": 2000000000}}
                """);
        // At boot the pCPU picked one thread (entering, in the host); the others wait on the run queue.
        Vcpu running = Arrays.stream(new int[] {0, 1, 2})
                .mapToObj(h::vcpu)
                .filter(v -> v.mode == VcpuMode.HOST)
                .findFirst()
                .orElseThrow();
        Vcpu sleeper = h.vcpu((running.index + 1) % 3);
        assertThat(sleeper.mode).isEqualTo(VcpuMode.RUNNABLE);
        // The sleeper's thread blocks before it ever ran (kvm_vcpu_block: off the run queue); the pick keeps curr.
        sleeper.mode = VcpuMode.BLOCKED;
        h.parts.scheduler.dequeueAndSchedule(sleeper);
        h.runUntil(1_000_000);
        assertThat(running.mode).isEqualTo(VcpuMode.GUEST);

        // Curr runs for 10 ms, far past its 2.8 ms slice, with the third thread waiting and no tick.
        h.runUntil(11_000_000);
        assertThat(running.mode).isEqualTo(VcpuMode.GUEST);

        h.parts.halt.wake(sleeper, 0);
        h.runUntil(11_100_000);
        assertThat(running.mode)
                .as("curr was kicked out and switched away from")
                .isEqualTo(VcpuMode.RUNNABLE);
        assertThat(running.preempted).isTrue();
    }
}
