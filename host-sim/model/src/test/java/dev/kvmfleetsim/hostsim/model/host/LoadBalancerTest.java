package dev.kvmfleetsim.hostsim.model.host;

import static dev.kvmfleetsim.hostsim.model.host.HostHarness.IPI_VECTOR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.sched.CfsHierarchy;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import org.junit.jupiter.api.Test;

/**
 * Migration and load balancing ({@link LoadBalancer}): wake-up placement on an idle pCPU
 * ({@code select_idle_sibling}), the newidle pull, the periodic pull at the tick, the switches that forbid all of it
 * ({@code pinned}, {@code load_balance: false}), and what KVM updates when a vCPU lands on a new pCPU.
 */
class LoadBalancerTest {
    private static final String APICV = "\"x2apic\": true, \"enable_apicv\": true";

    /**
     * One always-busy VM of {@code vcpus} vCPUs on {@code pcpus} pCPUs, spread (vCPU g on pCPU g mod pcpus) unless
     * {@code host} says otherwise, DELAY_DEQUEUE off (a thread that blocks leaves its queue at once), run to 1 ms.
     */
    private static HostHarness boot(int pcpus, int vcpus, String host, String sched) {
        HostHarness h = HostHarness.boot("""
                {"name": "balance", "seed": 7, "duration_ns": 1000000000,
                 "host": {"pcpus": %d, "placement": "spread", "nohz_full": true%s},
                 "vms": {"count": 1, "vcpus": %d}, "kvm": {%s}, "guest": {"idle_ns_mean": 0},
                 "sched": {"tick_ns": 1000000, "delay_dequeue": false%s},
                 "ipis": [{"pattern": "unicast", "rate_per_sec": 0, "vector": "0xfb", "handler_ns": 2000}]}
                """.formatted(pcpus, host, vcpus, APICV, sched));
        h.runUntil(1_000_000);
        return h;
    }

    /** The thread running on {@code cpu} (by the fair class's last pick), or null. */
    private static Vcpu runningOn(HostHarness h, int cpu) {
        int e = h.parts.scheduler.cfs().running(cpu);
        for (int id = 0; e >= 0; id++) {
            if (h.vcpu(id).entity == e) {
                return h.vcpu(id);
            }
        }
        return null;
    }

    /** The thread of {@code cpu}'s queue that waits (queued, not running). */
    private static Vcpu waitingOn(HostHarness h, int cpu, int vcpus) {
        for (int id = 0; id < vcpus; id++) {
            Vcpu v = h.vcpu(id);
            if (v.pcpu == cpu && v.mode == VcpuMode.RUNNABLE) {
                return v;
            }
        }
        throw new AssertionError("no waiting thread on pCPU " + cpu);
    }

    /** A waiting thread sleeps ({@code kvm_vcpu_block} before it ran again). */
    private static void sleepWaiting(HostHarness h, Vcpu v) {
        v.mode = VcpuMode.BLOCKED;
        h.parts.scheduler.dequeueAndSchedule(v);
    }

    private static long migrations(HostHarness h) {
        return h.counter(h.vcpu(0), KvmStat.MIGRATIONS);
    }

    /**
     * pCPU 0 runs A with B asleep; pCPU 1's only vCPU halts, so pCPU 1 is idle. Returns B, about to be woken. With
     * spread placement on 2 pCPUs: vCPUs 0 and 2 on pCPU 0, vCPU 1 on pCPU 1.
     */
    private static Vcpu sleeperWithBusyPrevAndAnIdlePcpu(HostHarness h) {
        Vcpu b = waitingOn(h, 0, 3);
        sleepWaiting(h, b);
        h.parts.halt.executeHlt(h.vcpu(1));
        h.runUntil(1_100_000);
        assertThat(h.vcpu(1).mode).isEqualTo(VcpuMode.BLOCKED);
        assertThat(runningOn(h, 1)).as("pCPU 1 is idle").isNull();
        assertThat(runningOn(h, 0)).as("pCPU 0 is busy").isNotNull();
        return b;
    }

    @Test
    void aWokenVcpuWhosePcpuIsBusyGoesToAnIdlePcpu() {
        HostHarness h = boot(2, 3, "", "");
        Vcpu b = sleeperWithBusyPrevAndAnIdlePcpu(h);
        long before = migrations(h);

        h.parts.halt.wake(b, 0);

        assertThat(b.pcpu).as("select_idle_sibling: prev is busy, pCPU 1 idle").isEqualTo(1);
        assertThat(migrations(h) - before).isEqualTo(1);
        h.runUntil(1_200_000);
        assertThat(b.mode).as("it runs on pCPU 1 after the wake-up latency").isEqualTo(VcpuMode.GUEST);
        assertThat(runningOn(h, 1)).isSameAs(b);
        assertThat(b.loadedPcpu).as("vcpu->cpu follows (kvm_arch_vcpu_load)").isEqualTo(1);
    }

    @Test
    void aWokenVcpuStaysOnItsPcpuWhenThatOneIsIdle() {
        HostHarness h = boot(2, 2, "", "");
        Vcpu v = h.vcpu(1);
        h.parts.halt.executeHlt(v);
        h.runUntil(1_100_000);
        h.parts.halt.wake(v, 0);
        assertThat(v.pcpu).isEqualTo(1);
        assertThat(migrations(h)).isZero();
    }

    @Test
    void aPcpuThatGoesIdlePullsAWaitingThreadFromTheBusiest() {
        HostHarness h = boot(2, 3, "", "");
        Vcpu waiting = waitingOn(h, 0, 3);
        long before = migrations(h);

        h.parts.halt.executeHlt(h.vcpu(1));

        assertThat(waiting.pcpu).as("sched_balance_newidle pulled it").isEqualTo(1);
        assertThat(migrations(h) - before).isEqualTo(1);
        CfsHierarchy cfs = h.parts.scheduler.cfs();
        assertThat(cfs.nrRunning(0)).isEqualTo(1);
        assertThat(cfs.nrRunning(1)).isEqualTo(1);
        h.runUntil(1_100_000);
        assertThat(waiting.mode).isEqualTo(VcpuMode.GUEST);
        assertThat(runningOn(h, 1)).isSameAs(waiting);
    }

    @Test
    void aPcpuThatGoesIdleDoesNotPullTheOnlyThreadOfAnother() {
        HostHarness h = boot(2, 2, "", "");
        h.parts.halt.executeHlt(h.vcpu(1));
        assertThat(h.vcpu(0).pcpu).isZero();
        assertThat(migrations(h)).isZero();
    }

    @Test
    void thePeriodicBalanceFixesAThreeVersusOneImbalanceWithinOneInterval() {
        long interval = 8_000_000;
        for (boolean on : new boolean[] {true, false}) {
            // The tick runs on every busy pCPU (no nohz_full), so the pCPU with one thread balances.
            HostHarness h = boot(
                    2, 4, ", \"nohz_full\": false, \"load_balance\": " + on, ", \"balance_interval_ns\": " + interval);
            CfsHierarchy cfs = h.parts.scheduler.cfs();
            // pCPU 0 holds vCPUs 0 and 2, pCPU 1 vCPUs 1 and 3. pCPU 1's waiting thread sleeps, is moved to pCPU 0
            // while asleep and wakes there (no pCPU is idle, so the wake-up leaves it where it is): 3 against 1.
            Vcpu w = waitingOn(h, 1, 4);
            sleepWaiting(h, w);
            cfs.moveSleeping(w.entity, 0);
            w.pcpu = 0;
            h.parts.halt.wake(w, 0);
            assertThat(w.pcpu).as("no idle pCPU: it stays").isZero();
            assertThat(cfs.nrRunning(0)).isEqualTo(3);
            assertThat(cfs.nrRunning(1)).isEqualTo(1);
            long before = migrations(h);

            h.runUntil(h.ctx.now + interval + 1_000_000);

            if (on) {
                assertThat(cfs.nrRunning(0)).isEqualTo(2);
                assertThat(cfs.nrRunning(1)).isEqualTo(2);
                assertThat(migrations(h) - before).isEqualTo(1);
            } else {
                assertThat(cfs.nrRunning(0)).isEqualTo(3);
                assertThat(migrations(h) - before).isZero();
            }
        }
    }

    @Test
    void pinnedAndLoadBalanceOffNeverMigrate() {
        for (String host : new String[] {", \"placement\": \"pinned\"", ", \"load_balance\": false"}) {
            HostHarness h = boot(2, 3, host, "");
            assertThat(h.vcpu(2).pcpu).as("pinned uses the spread slots").isZero();
            Vcpu b = sleeperWithBusyPrevAndAnIdlePcpu(h);
            h.parts.halt.wake(b, 0);
            assertThat(b.pcpu).as(host + ": the wake-up stays on the busy pCPU").isZero();
            h.runUntil(100_000_000);
            assertThat(runningOn(h, 1)).as(host + ": pCPU 1 never pulls").isNull();
            assertThat(migrations(h)).isZero();
        }
    }

    @Test
    void aMigratedVcpuGetsItsPostedInterruptsAndKicksOnItsNewPcpu() {
        HostHarness h = boot(2, 3, "", "");
        Vcpu waiting = waitingOn(h, 0, 3);
        h.parts.halt.executeHlt(h.vcpu(1));
        h.runUntil(1_100_000);
        assertThat(waiting.pcpu).isEqualTo(1);
        assertThat(waiting.mode).isEqualTo(VcpuMode.GUEST);

        // A posted interrupt: the notification reaches the vCPU in guest mode on pCPU 1, no exit.
        h.log.clear();
        h.parts.injection.accept(waiting, Icr.fixedPhysical(IPI_VECTOR, waiting.lapic.apicId()), h.ctx.now, 0);
        h.runUntil(h.ctx.now + 1_000);
        assertThat(waiting.guest.handlerVector).as("taken on the new pCPU").isEqualTo(IPI_VECTOR);
        assertThat(h.log.reasons(waiting.id)).isEmpty();

        // A kick (resched_curr) forces an exit of the vCPU where it now runs.
        h.runUntil(h.ctx.now + 10_000);
        h.parts.scheduler.requestResched(waiting);
        h.runUntil(h.ctx.now + 10_000);
        assertThat(h.log.reasons(waiting.id)).contains(ExitReason.EXTERNAL_INTERRUPT);
        assertThat(runningOn(h, 1)).isSameAs(waiting);
    }
}
