package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.scenario.GuestConfig;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadConfig;
import java.util.SplittableRandom;

/**
 * The guest code every vCPU runs when a workload mix is configured (kvm-model §7): a loop of user compute, spinlock
 * critical sections, synchronous cross-CPU function calls (TLB-shootdown style, spin-waiting in
 * {@code csd_lock_wait}) and pipeline hand-offs with reschedule IPIs. It decides what the guest does; the
 * host ({@link GuestHooks}) decides when it can run and what each step costs.
 */
final class GuestWorkload {
    /** Linux's CALL_FUNCTION_SINGLE_VECTOR and CALL_FUNCTION_VECTOR, RESCHEDULE_VECTOR (kvm-model §7.2, §7.3). */
    static final int CALL_FUNCTION_SINGLE_VECTOR = 0xfb;

    static final int CALL_FUNCTION_VECTOR = 0xfc;
    static final int RESCHEDULE_VECTOR = 0xfd;
    /** The reschedule IPI's handler is short: it only sets need_resched. */
    static final long RESCHEDULE_HANDLER_NS = 1_000;
    /** The block-device queue's MSI vector on every vCPU. */
    static final int IO_COMPLETION_VECTOR = WorkloadConfig.IO_COMPLETION_VECTOR;
    /** [I] The completion handler: blk_mq_complete_request and the waiter's wake-up. */
    static final long IO_COMPLETION_HANDLER_NS = 3_000;

    private final GuestHooks hooks;
    private final WorkloadConfig cfg;
    private final GuestConfig guest;
    /** lockOwner[vm][lock]: vCPU index or -1. */
    private final int[][] lockOwner;
    /** FIFO of waiters per lock (qspinlock's MCS queue): ring buffers over vCPU indices. */
    private final int[][][] lockQueue;

    private final int[][] lockHead;
    private final int[][] lockSize;
    private final int[] scratch;
    /** FIFO of sleeping tasks per VM waiting for an IPI wake-up (futex hash bucket order): ring buffers. */
    private final int[][] sleepers;

    private final int[] sleepersHead;
    private final int[] sleepersSize;

    GuestWorkload(GuestHooks hooks, WorkloadConfig cfg, GuestConfig guest, int vms, int vcpus) {
        this.hooks = hooks;
        this.cfg = cfg;
        this.guest = guest;
        int locks = Math.max(1, cfg.locks());
        lockOwner = new int[vms][locks];
        lockQueue = new int[vms][locks][vcpus];
        lockHead = new int[vms][locks];
        lockSize = new int[vms][locks];
        for (int[] row : lockOwner) {
            java.util.Arrays.fill(row, -1);
        }
        scratch = new int[vcpus];
        sleepers = new int[vms][vcpus];
        sleepersHead = new int[vms];
        sleepersSize = new int[vms];
    }

    /** Installs the guest's handlers and starts the loop on one vCPU. */
    void start(Vcpu v) {
        v.vectors.install(CALL_FUNCTION_SINGLE_VECTOR, VectorTable.Kind.CALL_FUNCTION, 0, cfg.callHandlerNs());
        v.vectors.install(CALL_FUNCTION_VECTOR, VectorTable.Kind.CALL_FUNCTION, 0, cfg.callHandlerNs());
        v.vectors.install(RESCHEDULE_VECTOR, VectorTable.Kind.RESCHEDULE, 0, RESCHEDULE_HANDLER_NS);
        if (cfg.blockProbability() > 0 && cfg.blockWake() == WorkloadConfig.BlockWake.DEVICE) {
            v.vectors.install(IO_COMPLETION_VECTOR, VectorTable.Kind.IO_COMPLETION, 0, IO_COMPLETION_HANDLER_NS);
        }
        v.work.csdFrom = new long[(v.vm.vcpus.length + 63) >>> 6];
        v.work.step = WorkloadState.Step.BEGIN;
        advance(v);
    }

    private int stage(Vcpu v) {
        return cfg.pipelineStages() <= 1 ? 0 : v.index % cfg.pipelineStages();
    }

    private boolean lastStage(Vcpu v) {
        return cfg.pipelineStages() <= 1 || stage(v) == cfg.pipelineStages() - 1;
    }

    /**
     * Runs the loop's instantaneous steps until one that takes time has been set up: a compute step, a spin, or an
     * idle wait. The caller starts the vCPU's guest clock if it is in guest mode.
     */
    void advance(Vcpu v) {
        SplittableRandom r = v.random;
        while (true) {
            switch (v.work.step) {
                case BEGIN:
                    v.work.iterationStartNs = hooks.now();
                    if (stage(v) > 0) {
                        if (v.work.items == 0) {
                            // Wait for the previous stage (a futex wait: the idle loop until a reschedule IPI).
                            v.work.waitingForItem = true;
                            hooks.idleForWork(v);
                            return;
                        }
                        v.work.items--;
                    }
                    v.work.step = WorkloadState.Step.USER;
                    hooks.startCompute(v, draw(r, cfg.userNs()), 3);
                    return;
                case USER:
                    if (cfg.lockProbability() > 0 && r.nextDouble() < cfg.lockProbability()) {
                        v.work.spinLock = r.nextInt(Math.max(1, cfg.locks()));
                        v.work.step = WorkloadState.Step.LOCK;
                    } else {
                        v.work.step = WorkloadState.Step.CALL;
                    }
                    break;
                case LOCK:
                    if (acquire(v, v.work.spinLock)) {
                        // Uncontended: the critical section runs now, then the unlock (one section, not two).
                        v.work.step = WorkloadState.Step.UNLOCK;
                        hooks.startCompute(v, draw(r, cfg.criticalSectionNs()), 0);
                    } else {
                        // Queued behind the holder: spin (and, with PV spinlocks, halt after the threshold).
                        v.work.step = WorkloadState.Step.CRITICAL;
                        hooks.startSpin(v, guest.pvSpinlock() ? guest.spinThresholdNs() : Long.MAX_VALUE);
                    }
                    return;
                case CRITICAL:
                    // Reached when a contended lock was handed over: now run the critical section.
                    v.work.step = WorkloadState.Step.UNLOCK;
                    hooks.startCompute(v, draw(r, cfg.criticalSectionNs()), 0);
                    return;
                case UNLOCK:
                    release(v, v.work.spinLock);
                    v.work.spinLock = -1;
                    v.work.step = WorkloadState.Step.CALL;
                    break;
                case CALL:
                    v.work.step = WorkloadState.Step.KERNEL;
                    if (cfg.callProbability() > 0 && r.nextDouble() < cfg.callProbability() && callFunction(v)) {
                        hooks.startSpin(v, Long.MAX_VALUE);
                        return;
                    }
                    break;
                case KERNEL:
                    v.work.step = WorkloadState.Step.BLOCK;
                    hooks.startCompute(v, draw(r, cfg.kernelNs()), 0);
                    return;
                case BLOCK:
                    v.work.step = WorkloadState.Step.HANDOFF;
                    if (cfg.blockProbability() > 0 && r.nextDouble() < cfg.blockProbability() && sleep(v, r)) {
                        return;
                    }
                    break;
                case HANDOFF:
                    if (cfg.pipelineStages() > 1 && !lastStage(v)) {
                        handOff(v);
                    }
                    v.work.step = WorkloadState.Step.DONE;
                    break;
                case DONE:
                    if (lastStage(v)) {
                        hooks.iterationDone(v, hooks.now() - v.work.iterationStartNs);
                    }
                    wakeLongestSleeper(v);
                    v.work.step = WorkloadState.Step.BEGIN;
                    break;
                default:
                    throw new IllegalStateException("unknown workload step " + v.work.step);
            }
        }
    }

    // ---- tasks that block (review M2) ----

    /** Puts the task to sleep; whether it sleeps. */
    private boolean sleep(Vcpu v, SplittableRandom r) {
        WorkloadConfig.BlockWake wake = cfg.blockWake();
        int vm = v.vm.index;
        if (wake == WorkloadConfig.BlockWake.IPI && !anotherTaskAwake(v)) {
            // Everyone else sleeps on the futex or waits for a pipeline item: this task is the one that produces what
            // they wait for, so it does not wait itself (otherwise the VM would sleep for ever; the benchmark always
            // has its producer running).
            return false;
        }
        v.work.sleeping = true;
        v.work.woken = false;
        if (wake == WorkloadConfig.BlockWake.IPI) {
            int[] q = sleepers[vm];
            q[(sleepersHead[vm] + sleepersSize[vm]) % q.length] = v.index;
            sleepersSize[vm]++;
        }
        hooks.sleep(v, wake, draw(r, cfg.blockNs()));
        return true;
    }

    /** Whether a vCPU of v's VM other than v neither sleeps on the futex nor waits for a pipeline item. */
    private static boolean anotherTaskAwake(Vcpu v) {
        for (Vcpu o : v.vm.vcpus) {
            if (o != v && !(o.work.sleeping && !o.work.woken) && !o.work.waitingForItem) {
                return true;
            }
        }
        return false;
    }

    /** futex_wake of one waiter: the longest sleeper of the VM gets a reschedule IPI from the waker. */
    private void wakeLongestSleeper(Vcpu waker) {
        int vm = waker.vm.index;
        if (sleepersSize[vm] == 0) {
            return;
        }
        int[] q = sleepers[vm];
        int t = q[sleepersHead[vm]];
        sleepersHead[vm] = (sleepersHead[vm] + 1) % q.length;
        sleepersSize[vm]--;
        waker.vm.vcpus[t].work.woken = true;
        scratch[0] = t;
        hooks.sendIpis(waker, RESCHEDULE_VECTOR, scratch, 1);
    }

    /** The interrupt the sleeping task waits for (its I/O completion or its timer) was handled: ttwu. */
    void wake(Vcpu v, WorkloadConfig.BlockWake by) {
        if (v.work.sleeping && cfg.blockWake() == by) {
            v.work.woken = true;
        }
    }

    /** A compute step finished. */
    void onComputeDone(Vcpu v) {
        advance(v);
    }

    private static long draw(SplittableRandom r, long meanNs) {
        return meanNs <= 0 ? 0 : dev.kvmfleetsim.hostsim.model.engine.RandomStreams.exponentialNs(r, meanNs);
    }

    // ---- spinlocks (kvm-model §7.1): FIFO hand-over, as qspinlock's MCS queue ----

    private boolean acquire(Vcpu v, int lock) {
        int vm = v.vm.index;
        if (lockOwner[vm][lock] < 0) {
            lockOwner[vm][lock] = v.index;
            return true;
        }
        int tail = (lockHead[vm][lock] + lockSize[vm][lock]) % lockQueue[vm][lock].length;
        lockQueue[vm][lock][tail] = v.index;
        lockSize[vm][lock]++;
        hooks.lockContended(v);
        return false;
    }

    private void release(Vcpu v, int lock) {
        int vm = v.vm.index;
        if (lockSize[vm][lock] == 0) {
            lockOwner[vm][lock] = -1;
            return;
        }
        int next = lockQueue[vm][lock][lockHead[vm][lock]];
        lockHead[vm][lock] = (lockHead[vm][lock] + 1) % lockQueue[vm][lock].length;
        lockSize[vm][lock]--;
        lockOwner[vm][lock] = next;
        Vcpu waiter = v.vm.vcpus[next];
        if (waiter.guest.pvHalted) {
            // pv_kick: KVM_HC_KICK_CPU to the halted waiter, then kvm_sched_yield to it (§5.5, §7.1).
            hooks.pvKick(v, waiter);
        }
        hooks.spinDone(waiter);
    }

    // ---- smp_call_function_many (kvm-model §7.2) ----

    /**
     * Sends the call-function IPIs and sets the number of acks to wait for.
     *
     * @return whether the sender must wait (some target was sent an IPI)
     */
    private boolean callFunction(Vcpu v) {
        int per = v.vm.vcpus.length;
        int n = 0;
        for (int i = 0; i < per; i++) {
            if (i != v.index) {
                scratch[n++] = i;
            }
        }
        if (n == 0) {
            return false;
        }
        int k = cfg.callFanout() <= 0 ? n : Math.min(cfg.callFanout(), n);
        SplittableRandom r = v.random;
        for (int i = 0; i < k; i++) {
            int j = i + r.nextInt(n - i);
            int t = scratch[i];
            scratch[i] = scratch[j];
            scratch[j] = t;
        }
        java.util.Arrays.sort(scratch, 0, k);
        int firstPreempted = -1;
        int sendTo = 0;
        for (int i = 0; i < k; i++) {
            Vcpu t = v.vm.vcpus[scratch[i]];
            boolean preempted = hooks.preemptedNow(t);
            if (preempted && firstPreempted < 0) {
                firstPreempted = t.index;
            }
            if (preempted && guest.pvTlbFlush()) {
                // PV TLB flush: set KVM_VCPU_FLUSH_TLB in the preempted target's steal-time area instead (§7.2).
                continue;
            }
            scratch[sendTo++] = t.index;
            t.work.csdFrom[v.index >>> 6] |= 1L << v.index;
        }
        v.work.pendingAcks = sendTo;
        if (sendTo > 0) {
            hooks.sendIpis(v, sendTo == 1 ? CALL_FUNCTION_SINGLE_VECTOR : CALL_FUNCTION_VECTOR, scratch, sendTo);
        }
        if (guest.pvSchedYield() && firstPreempted >= 0) {
            // KVM_HC_SCHED_YIELD toward the first preempted target, once (§7.2, PVYIELD).
            hooks.pvSchedYield(v, v.vm.vcpus[firstPreempted]);
        }
        return sendTo > 0;
    }

    /** The target's handler ran the queued callbacks: ack every sender waiting on this vCPU. */
    void onCallFunctionHandled(Vcpu t) {
        Vm vm = t.vm;
        for (int w = 0; w < t.work.csdFrom.length; w++) {
            long bits = t.work.csdFrom[w];
            t.work.csdFrom[w] = 0;
            while (bits != 0) {
                int s = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                Vcpu sender = vm.vcpus[s];
                if (sender.work.pendingAcks > 0 && --sender.work.pendingAcks == 0) {
                    hooks.spinDone(sender);
                }
            }
        }
    }

    // ---- pipeline hand-off (kvm-model §7.3) ----

    private void handOff(Vcpu v) {
        int stages = cfg.pipelineStages();
        int nextStage = stage(v) + 1;
        int per = v.vm.vcpus.length;
        // Round robin over the vCPUs of the next stage.
        int candidates = 0;
        for (int i = nextStage; i < per; i += stages) {
            candidates++;
        }
        if (candidates == 0) {
            return;
        }
        int pick = nextStage + stages * (v.work.handoffCursor++ % candidates);
        Vcpu t = v.vm.vcpus[pick];
        t.work.items++;
        if (t.work.waitingForItem) {
            scratch[0] = t.index;
            hooks.sendIpis(v, RESCHEDULE_VECTOR, scratch, 1);
        }
    }

    /** After any handler on a vCPU that waits for work: take the item if one arrived. */
    boolean resumeIfWorkArrived(Vcpu v) {
        if (v.work.sleeping && v.work.woken) {
            // The woken task runs on: the rest of the iteration after the sleep.
            v.work.sleeping = false;
            v.work.woken = false;
            advance(v);
            return true;
        }
        if (!v.work.waitingForItem || v.work.items == 0) {
            return false;
        }
        v.work.waitingForItem = false;
        v.work.items--;
        v.work.step = WorkloadState.Step.USER;
        hooks.startCompute(v, draw(v.random, cfg.userNs()), 3);
        return true;
    }
}
