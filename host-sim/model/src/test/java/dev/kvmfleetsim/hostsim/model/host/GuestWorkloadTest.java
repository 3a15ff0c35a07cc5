package dev.kvmfleetsim.hostsim.model.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.halt.HaltPoll;
import dev.kvmfleetsim.hostsim.model.halt.HaltPollParams;
import dev.kvmfleetsim.hostsim.model.ipi.EoiClearMode;
import dev.kvmfleetsim.hostsim.model.ipi.IpiTracker;
import dev.kvmfleetsim.hostsim.model.lapic.ApicDelivery;
import dev.kvmfleetsim.hostsim.model.lapic.ApicMap;
import dev.kvmfleetsim.hostsim.model.lapic.Lapic;
import dev.kvmfleetsim.hostsim.model.ple.PleParams;
import dev.kvmfleetsim.hostsim.model.ple.PleWindow;
import dev.kvmfleetsim.hostsim.model.scenario.GuestConfig;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadConfig;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadConfig.BlockWake;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadMix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The guest workload program, {@link GuestWorkload}, alone: no engine and no host, only a fake {@link GuestHooks}
 * that records what the guest asks for (the test plays the host: it ends compute steps, runs call-function handlers
 * and resumes spinners). Spinlocks hand over in FIFO order as qspinlock's MCS queue, a halted pv-qspinlock waiter is
 * kicked ({@code KVM_HC_KICK_CPU}, kvm-model §7.1); {@code smp_call_function_many} waits in {@code csd_lock_wait} for
 * one ack per target it sent an IPI to, and PV TLB flush sends none to a preempted target (§7.2); a pipeline stage
 * sends a reschedule IPI only to a next-stage vCPU waiting for work (§7.3).
 */
class GuestWorkloadTest {
    private static final long SPIN_THRESHOLD_NS = 200_000;

    /** The host as the workload sees it: a trace of every call, and which vCPUs read as preempted. */
    static final class FakeHooks implements GuestHooks {
        final List<String> trace = new ArrayList<>();
        final Set<Integer> preempted = new HashSet<>();
        long now;

        List<String> calls(String op) {
            return trace.stream().filter(c -> c.startsWith(op + " ")).toList();
        }

        @Override
        public long now() {
            return now;
        }

        @Override
        public void startCompute(Vcpu v, long ns, int cpl) {
            trace.add("compute " + v.index + " cpl" + cpl);
        }

        @Override
        public void startSpin(Vcpu v, long budgetNs) {
            trace.add("spin " + v.index + (budgetNs == Long.MAX_VALUE ? " until-done" : " budget=" + budgetNs));
        }

        @Override
        public void sleep(Vcpu v, BlockWake wake, long ns) {
            trace.add("sleep " + v.index + " " + wake);
        }

        @Override
        public void idleForWork(Vcpu v) {
            trace.add("idle " + v.index);
        }

        @Override
        public void spinDone(Vcpu v) {
            trace.add("spinDone " + v.index);
        }

        @Override
        public boolean preemptedNow(Vcpu t) {
            return preempted.contains(t.index);
        }

        @Override
        public void sendIpis(Vcpu v, int vector, int[] targets, int n) {
            trace.add("ipi " + v.index + " 0x" + Integer.toHexString(vector) + " "
                    + Arrays.toString(Arrays.copyOf(targets, n)));
        }

        @Override
        public void pvKick(Vcpu from, Vcpu target) {
            trace.add("pvKick " + from.index + "->" + target.index);
        }

        @Override
        public void pvSchedYield(Vcpu from, Vcpu target) {
            trace.add("pvSchedYield " + from.index + "->" + target.index);
        }

        @Override
        public void lockContended(Vcpu v) {
            trace.add("lockContended " + v.index);
        }

        @Override
        public void iterationDone(Vcpu v, long latencyNs) {
            trace.add("iterationDone " + v.index);
        }
    }

    private final FakeHooks hooks = new FakeHooks();
    private GuestWorkload workload;
    private Vcpu[] vcpus;

    /** One VM of {@code n} vCPUs, built directly (x2APIC, no tracking), and the workload started on none of them. */
    private void vm(int n, WorkloadConfig cfg, GuestConfig guest) {
        Lapic[] lapics = new Lapic[n];
        for (int i = 0; i < n; i++) {
            lapics[i] = new Lapic(i, true);
        }
        vcpus = new Vcpu[n];
        ApicMap map = new ApicMap(lapics);
        IpiTracker tracker = new IpiTracker(n, false, 1_000_000, EoiClearMode.V2);
        Vm vm = new Vm(0, vcpus, lapics, map, new ApicDelivery(lapics, map, false), tracker, null);
        for (int i = 0; i < n; i++) {
            vcpus[i] = new Vcpu(
                    i,
                    i,
                    vm,
                    lapics[i],
                    new SplittableRandom(100 + i),
                    new PleWindow(PleParams.intelDefaults()),
                    new HaltPoll(HaltPollParams.defaults()));
        }
        workload = new GuestWorkload(hooks, cfg, guest, 1, n);
    }

    private static WorkloadConfig config(double lockP, double callP, int fanout, int stages) {
        return new WorkloadConfig(
                WorkloadMix.DBENCH_LIKE,
                10_000,
                5_000,
                lockP,
                1,
                3_000,
                callP,
                fanout,
                2_000,
                stages,
                0,
                0,
                BlockWake.IPI);
    }

    private static GuestConfig guest(boolean pvSpinlock, boolean pvTlbFlush, boolean pvSchedYield) {
        GuestConfig d = GuestConfig.defaults();
        return new GuestConfig(
                d.apicAddressing(),
                d.broadcastShorthand(),
                d.idle(),
                d.busyNsMean(),
                d.idleNsMean(),
                d.timerHandlerNs(),
                d.ipiEndsIdle(),
                pvSpinlock,
                SPIN_THRESHOLD_NS,
                pvTlbFlush,
                pvSchedYield,
                d.pvEoi(),
                d.pauseLatencyCycles());
    }

    private void startAll() {
        for (Vcpu v : vcpus) {
            workload.start(v);
        }
    }

    /** The host reached the end of {@code v}'s compute step (GuestCpu.onSegmentEnd). */
    private void computeDone(Vcpu v) {
        workload.onComputeDone(v);
    }

    /** The lock holder runs its critical section to the unlock. */
    private void computeUntilUnlocked(Vcpu v) {
        for (int i = 0; i < 3 && v.work.spinLock >= 0; i++) {
            computeDone(v);
        }
        assertThat(v.work.spinLock).as("vCPU %d released its lock", v.index).isEqualTo(-1);
    }

    // ---- spinlocks, kvm-model §7.1 ----

    @Test
    void anUncontendedLockRunsItsCriticalSectionOnce() {
        vm(1, config(1.0, 0, 0, 0), guest(false, false, false));
        startAll();
        computeDone(vcpus[0]); // user compute done: takes the free lock and starts the critical section
        assertThat(vcpus[0].work.spinLock).isEqualTo(0);
        hooks.trace.clear();
        computeDone(vcpus[0]); // the critical section ends: unlock, then the kernel part of the iteration
        assertThat(vcpus[0].work.spinLock)
                .as("released after one critical section")
                .isEqualTo(-1);
        assertThat(hooks.calls("compute"))
                .as("the next step is the kernel work, at CPL0")
                .hasSize(1);
    }

    @Test
    void aContendedSpinlockIsHandedOverInArrivalOrder() {
        vm(3, config(1.0, 0, 0, 0), guest(false, false, false));
        startAll();
        computeDone(vcpus[0]); // takes the lock
        computeDone(vcpus[2]); // queues first
        computeDone(vcpus[1]); // queues behind vCPU 2
        assertThat(hooks.calls("lockContended")).containsExactly("lockContended 2", "lockContended 1");
        assertThat(hooks.calls("spin"))
                .as("native qspinlock: no budget")
                .containsExactly("spin 2 until-done", "spin 1 until-done");

        computeUntilUnlocked(vcpus[0]);
        assertThat(hooks.calls("spinDone"))
                .as("the first waiter, not the lowest index")
                .containsExactly("spinDone 2");

        workload.advance(vcpus[2]); // the host resumes the waiter that got the lock (GuestCpu.spinDone)
        assertThat(hooks.trace.get(hooks.trace.size() - 1))
                .as("its critical section")
                .isEqualTo("compute 2 cpl0");
        computeUntilUnlocked(vcpus[2]);
        assertThat(hooks.calls("spinDone")).containsExactly("spinDone 2", "spinDone 1");
        assertThat(hooks.calls("pvKick")).as("no waiter halted").isEmpty();

        workload.advance(vcpus[1]);
        computeUntilUnlocked(vcpus[1]);
        assertThat(hooks.calls("spinDone")).as("nobody left to hand over to").hasSize(2);
    }

    @Test
    void withPvSpinlocksAHaltedWaiterIsKickedBeforeItIsHandedTheLock() {
        vm(3, config(1.0, 0, 0, 0), guest(true, false, false));
        startAll();
        computeDone(vcpus[0]);
        computeDone(vcpus[1]);
        computeDone(vcpus[2]);
        assertThat(hooks.calls("spin"))
                .as("spin SPIN_THRESHOLD, then halt")
                .containsExactly("spin 1 budget=" + SPIN_THRESHOLD_NS, "spin 2 budget=" + SPIN_THRESHOLD_NS);
        vcpus[1].guest.pvHalted = true; // vCPU 1 spent its budget and halted in kvm_wait; vCPU 2 still spins

        computeUntilUnlocked(vcpus[0]);
        assertThat(hooks.trace).containsSubsequence("pvKick 0->1", "spinDone 1");

        vcpus[1].guest.pvHalted = false; // the kick woke it
        workload.advance(vcpus[1]);
        computeUntilUnlocked(vcpus[1]);
        assertThat(hooks.calls("pvKick")).as("a spinning waiter needs no kick").containsExactly("pvKick 0->1");
        assertThat(hooks.calls("spinDone")).containsExactly("spinDone 1", "spinDone 2");
    }

    // ---- smp_call_function_many, kvm-model §7.2 ----

    @ParameterizedTest(name = "fanout {0}: vector {1}")
    @CsvSource({"0, 0xfc, 3", "1, 0xfb, 1", "2, 0xfc, 2"})
    void aCallWaitsForOneAckPerTargetAndTheLastAckEndsTheSpin(int fanout, String vector, int targets) {
        vm(4, config(0, 1.0, fanout, 0), guest(false, false, false));
        startAll();
        Vcpu sender = vcpus[0];

        computeDone(sender);

        List<String> ipis = hooks.calls("ipi");
        assertThat(ipis).hasSize(1);
        assertThat(ipis.get(0)).startsWith("ipi 0 " + vector + " ");
        assertThat(hooks.calls("spin")).containsExactly("spin 0 until-done");
        assertThat(sender.work.pendingAcks).isEqualTo(targets);
        List<Vcpu> sentTo = new ArrayList<>();
        List<Vcpu> others = new ArrayList<>();
        for (int i = 1; i < vcpus.length; i++) {
            (ipis.get(0).matches(".*[\\[ ]" + i + "[,\\]].*") ? sentTo : others).add(vcpus[i]);
        }
        assertThat(sentTo).hasSize(targets);

        for (Vcpu other : others) {
            workload.onCallFunctionHandled(other); // a handler with nothing queued from vCPU 0
        }
        assertThat(sender.work.pendingAcks).as("only targets ack").isEqualTo(targets);
        for (int k = 0; k < sentTo.size(); k++) {
            assertThat(hooks.calls("spinDone")).as("acks so far: %d", k).isEmpty();
            workload.onCallFunctionHandled(sentTo.get(k));
            workload.onCallFunctionHandled(sentTo.get(k)); // its next handler acks nothing again
        }
        assertThat(hooks.calls("spinDone")).containsExactly("spinDone 0");
        assertThat(sender.work.pendingAcks).isZero();

        workload.advance(sender);
        assertThat(hooks.trace.get(hooks.trace.size() - 1))
                .as("then kernel compute")
                .isEqualTo("compute 0 cpl0");
    }

    @ParameterizedTest(name = "pv_tlb_flush={0}, pv_sched_yield={1}")
    @CsvSource({
        "true,  false, 'ipi 0 0xfc [1, 3]',    2, ''",
        "false, false, 'ipi 0 0xfc [1, 2, 3]', 3, ''",
        "true,  true,  'ipi 0 0xfc [1, 3]',    2, 'pvSchedYield 0->2'"
    })
    void pvTlbFlushSkipsAPreemptedTargetAndPvSchedYieldYieldsToIt(
            boolean pvTlbFlush, boolean pvSchedYield, String ipi, int acks, String yield) {
        vm(4, config(0, 1.0, 0, 0), guest(false, pvTlbFlush, pvSchedYield));
        startAll();
        hooks.preempted.add(2);

        computeDone(vcpus[0]);

        assertThat(hooks.calls("ipi")).containsExactly(ipi);
        assertThat(vcpus[0].work.pendingAcks).isEqualTo(acks);
        assertThat(hooks.calls("pvSchedYield")).isEqualTo(yield.isEmpty() ? List.of() : List.of(yield));
        workload.onCallFunctionHandled(vcpus[1]);
        workload.onCallFunctionHandled(vcpus[3]);
        assertThat(hooks.calls("spinDone"))
                .as("done without the preempted target's ack iff it was not sent an IPI")
                .hasSize(pvTlbFlush ? 1 : 0);
    }

    @Test
    void withPvTlbFlushACallWhoseTargetsAreAllPreemptedNeitherSendsNorWaits() {
        vm(3, config(0, 1.0, 0, 0), guest(false, true, false));
        startAll();
        hooks.preempted.addAll(List.of(1, 2));

        computeDone(vcpus[0]);

        assertThat(hooks.calls("ipi")).isEmpty();
        assertThat(hooks.calls("spin")).isEmpty();
        assertThat(hooks.trace.get(hooks.trace.size() - 1))
                .as("straight on to kernel compute")
                .isEqualTo("compute 0 cpl0");
    }

    // ---- pipeline hand-off, kvm-model §7.3 ----

    @Test
    void aHandOffSendsAReschedIpiOnlyToANextStageVcpuThatWaits() {
        vm(4, config(0, 0, 0, 2), guest(false, false, false)); // stage 0: vCPUs 0, 2; stage 1: vCPUs 1, 3
        vcpus[3].work.items = 1; // vCPU 3 has an item to work on; vCPU 1 has none
        startAll();
        assertThat(hooks.calls("idle")).as("stage 1 without an item waits").containsExactly("idle 1");
        assertThat(vcpus[3].work.waitingForItem).isFalse();

        computeDone(vcpus[0]); // user -> kernel
        computeDone(vcpus[0]); // kernel -> hand-off to vCPU 1, which waits: a reschedule IPI
        assertThat(hooks.calls("ipi")).containsExactly("ipi 0 0xfd [1]");
        assertThat(vcpus[1].work.items).isEqualTo(1);
        assertThat(hooks.calls("iterationDone")).as("not the last stage").isEmpty();
        computeDone(vcpus[0]);
        computeDone(vcpus[0]); // the next hand-off goes round robin to vCPU 3, which is busy: no IPI
        assertThat(hooks.calls("ipi")).containsExactly("ipi 0 0xfd [1]");
        assertThat(vcpus[3].work.items).isEqualTo(1);

        // vCPU 1's reschedule handler ends: it takes the item and runs a user step, then finishes the iteration.
        assertThat(workload.resumeIfWorkArrived(vcpus[1])).isTrue();
        assertThat(vcpus[1].work.waitingForItem).isFalse();
        assertThat(vcpus[1].work.items).isZero();
        assertThat(hooks.trace.get(hooks.trace.size() - 1)).isEqualTo("compute 1 cpl3");
        computeDone(vcpus[1]);
        computeDone(vcpus[1]);
        assertThat(hooks.calls("iterationDone")).containsExactly("iterationDone 1");
        assertThat(hooks.calls("idle")).as("then waits again").containsExactly("idle 1", "idle 1");
        assertThat(workload.resumeIfWorkArrived(vcpus[1])).as("no item yet").isFalse();
    }

    // ---- tasks that block (review M2) ----

    private static WorkloadConfig blocking(double p, BlockWake wake) {
        return new WorkloadConfig(WorkloadMix.DBENCH_LIKE, 10_000, 5_000, 0, 1, 3_000, 0, 1, 2_000, 0, p, 50_000, wake);
    }

    @Test
    void aTaskThatBlocksOnAFutexSleepsAfterItsKernelStepAndTheNextIterationEndElsewhereWakesIt() {
        vm(3, blocking(1.0, BlockWake.IPI), guest(false, false, false));
        startAll();
        computeDone(vcpus[0]); // user -> kernel
        computeDone(vcpus[0]); // kernel -> sleeps
        assertThat(hooks.calls("sleep")).containsExactly("sleep 0 IPI");
        assertThat(vcpus[0].work.sleeping).isTrue();
        assertThat(workload.resumeIfWorkArrived(vcpus[0])).as("not woken yet").isFalse();
        computeDone(vcpus[1]);
        computeDone(vcpus[1]); // vCPU 1 sleeps too, behind vCPU 0
        hooks.trace.clear();

        computeDone(vcpus[2]);
        computeDone(vcpus[2]); // the last one awake does not sleep: someone must be left to wake the others
        assertThat(hooks.calls("sleep")).isEmpty();
        assertThat(hooks.calls("ipi"))
                .as("its iteration end wakes the longest sleeper, FIFO")
                .containsExactly("ipi 2 0xfd [0]");
        assertThat(vcpus[0].work.woken).isTrue();
        assertThat(vcpus[1].work.woken).isFalse();

        hooks.trace.clear();
        assertThat(workload.resumeIfWorkArrived(vcpus[0]))
                .as("the reschedule handler ran: it goes on")
                .isTrue();
        assertThat(vcpus[0].work.sleeping).isFalse();
        assertThat(hooks.calls("ipi"))
                .as("and wakes the next sleeper at its iteration end")
                .containsExactly("ipi 0 0xfd [1]");
        assertThat(hooks.trace.get(hooks.trace.size() - 1)).isEqualTo("compute 0 cpl3");
    }

    @Test
    void aFutexSleeperNeverLeavesOnlyPipelineWaitersAwake() {
        // Two stages (vCPUs 0, 2 and 1, 3); stage 1 waits for items from the start; every iteration wants to sleep.
        vm(
                4,
                new WorkloadConfig(
                        WorkloadMix.DBENCH_LIKE, 10_000, 5_000, 0, 1, 3_000, 0, 1, 2_000, 2, 1.0, 0, BlockWake.IPI),
                guest(false, false, false));
        startAll();
        assertThat(hooks.calls("idle")).containsExactly("idle 1", "idle 3");
        computeDone(vcpus[0]);
        computeDone(vcpus[0]); // vCPU 2 is still awake: vCPU 0 sleeps
        assertThat(hooks.calls("sleep")).containsExactly("sleep 0 IPI");
        hooks.trace.clear();

        computeDone(vcpus[2]);
        computeDone(vcpus[2]); // the others sleep or wait for items: vCPU 2 goes on, hands off, wakes vCPU 0
        assertThat(hooks.calls("sleep")).isEmpty();
        assertThat(hooks.calls("ipi")).containsExactly("ipi 2 0xfd [1]", "ipi 2 0xfd [0]");
    }

    @Test
    void aTaskWaitingForItsIoIgnoresOtherInterruptsAndRunsOnAfterTheCompletion() {
        vm(2, blocking(1.0, BlockWake.DEVICE), guest(false, false, false));
        startAll();
        assertThat(vcpus[0].vectors.kind(GuestWorkload.IO_COMPLETION_VECTOR))
                .as("the queue's MSI vector is installed")
                .isEqualTo(VectorTable.Kind.IO_COMPLETION);
        computeDone(vcpus[0]);
        computeDone(vcpus[0]);
        assertThat(hooks.calls("sleep")).containsExactly("sleep 0 DEVICE");

        workload.wake(vcpus[0], BlockWake.TIMER);
        assertThat(workload.resumeIfWorkArrived(vcpus[0]))
                .as("a timer is not its wake-up")
                .isFalse();
        workload.wake(vcpus[0], BlockWake.DEVICE);
        hooks.trace.clear();
        assertThat(workload.resumeIfWorkArrived(vcpus[0])).isTrue();
        assertThat(hooks.calls("iterationDone")).containsExactly("iterationDone 0");
        assertThat(hooks.calls("ipi")).as("nobody sleeps on a futex").isEmpty();
    }

    @Test
    void withoutBlockingNoTaskSleeps() {
        vm(2, blocking(0, BlockWake.DEVICE), guest(false, false, false));
        startAll();
        for (int i = 0; i < 20; i++) {
            computeDone(vcpus[0]);
        }
        assertThat(hooks.calls("sleep")).isEmpty();
        assertThat(vcpus[0].vectors.kind(GuestWorkload.IO_COMPLETION_VECTOR)).isEqualTo(VectorTable.Kind.NONE);
    }
}
