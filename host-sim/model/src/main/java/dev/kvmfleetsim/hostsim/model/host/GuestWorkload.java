package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.scenario.GuestConfig;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadConfig;
import java.util.SplittableRandom;

/**
 * The guest code every vCPU runs when a workload mix is configured (kvm-model §7): a loop of user compute, spinlock
 * critical sections, synchronous cross-CPU function calls (TLB-shootdown style, spin-waiting in
 * {@code csd_lock_wait}) and pipeline hand-offs with reschedule IPIs. It decides what the guest does; the
 * {@link HostSimulation} decides when it can run and what each step costs.
 */
final class GuestWorkload {
    static final int S_BEGIN = 0;
    static final int S_USER = 1;
    static final int S_LOCK = 2;
    static final int S_CRITICAL = 3;
    static final int S_UNLOCK = 4;
    static final int S_CALL = 5;
    static final int S_KERNEL = 6;
    static final int S_HANDOFF = 7;
    static final int S_DONE = 8;

    static final int SPIN_NONE = 0;
    static final int SPIN_LOCK = 1;
    static final int SPIN_CSD = 2;

    /** Linux's CALL_FUNCTION_SINGLE_VECTOR and CALL_FUNCTION_VECTOR, RESCHEDULE_VECTOR (kvm-model §7.2, §7.3). */
    static final int CALL_FUNCTION_SINGLE_VECTOR = 0xfb;

    static final int CALL_FUNCTION_VECTOR = 0xfc;
    static final int RESCHEDULE_VECTOR = 0xfd;
    /** The reschedule IPI's handler is short: it only sets need_resched. */
    static final long RESCHEDULE_HANDLER_NS = 1_000;

    private final HostSimulation sim;
    private final WorkloadConfig cfg;
    private final GuestConfig guest;
    /** lockOwner[vm][lock]: vCPU index or -1. */
    private final int[][] lockOwner;
    /** FIFO of waiters per lock (qspinlock's MCS queue): ring buffers over vCPU indices. */
    private final int[][][] lockQueue;

    private final int[][] lockHead;
    private final int[][] lockSize;
    private final int[] scratch;

    GuestWorkload(HostSimulation sim, WorkloadConfig cfg, GuestConfig guest, int vms, int vcpus) {
        this.sim = sim;
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
    }

    /** Installs the guest's handlers and starts the loop on one vCPU. */
    void start(Vcpu v) {
        v.vectorOwner[CALL_FUNCTION_SINGLE_VECTOR] = VectorOwner.of(VectorOwner.CALL_FUNCTION, 0);
        v.vectorHandlerNs[CALL_FUNCTION_SINGLE_VECTOR] = cfg.callHandlerNs();
        v.vectorOwner[CALL_FUNCTION_VECTOR] = VectorOwner.of(VectorOwner.CALL_FUNCTION, 0);
        v.vectorHandlerNs[CALL_FUNCTION_VECTOR] = cfg.callHandlerNs();
        v.vectorOwner[RESCHEDULE_VECTOR] = VectorOwner.of(VectorOwner.RESCHEDULE, 0);
        v.vectorHandlerNs[RESCHEDULE_VECTOR] = RESCHEDULE_HANDLER_NS;
        v.csdFrom = new long[(v.vm.vcpus.length + 63) >>> 6];
        v.step = S_BEGIN;
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
            switch (v.step) {
                case S_BEGIN:
                    v.iterationStartNs = sim.now();
                    if (stage(v) > 0) {
                        if (v.items == 0) {
                            // Wait for the previous stage (a futex wait: the idle loop until a reschedule IPI).
                            v.waitingForItem = true;
                            sim.idleForWork(v);
                            return;
                        }
                        v.items--;
                    }
                    v.step = S_USER;
                    sim.startCompute(v, draw(r, cfg.userNs()), 3);
                    return;
                case S_USER:
                    if (cfg.lockProbability() > 0 && r.nextDouble() < cfg.lockProbability()) {
                        v.spinLock = r.nextInt(Math.max(1, cfg.locks()));
                        v.step = S_LOCK;
                    } else {
                        v.step = S_CALL;
                    }
                    break;
                case S_LOCK:
                    if (acquire(v, v.spinLock)) {
                        v.step = S_CRITICAL;
                        sim.startCompute(v, draw(r, cfg.criticalSectionNs()), 0);
                    } else {
                        // Queued behind the holder: spin (and, with PV spinlocks, halt after the threshold).
                        v.step = S_CRITICAL;
                        sim.startSpin(v, SPIN_LOCK, guest.pvSpinlock() ? guest.spinThresholdNs() : Long.MAX_VALUE);
                    }
                    return;
                case S_CRITICAL:
                    // Reached when a contended lock was handed over: now run the critical section.
                    v.step = S_UNLOCK;
                    sim.startCompute(v, draw(r, cfg.criticalSectionNs()), 0);
                    return;
                case S_UNLOCK:
                    release(v, v.spinLock);
                    v.spinLock = -1;
                    v.step = S_CALL;
                    break;
                case S_CALL:
                    v.step = S_KERNEL;
                    if (cfg.callProbability() > 0 && r.nextDouble() < cfg.callProbability() && callFunction(v)) {
                        sim.startSpin(v, SPIN_CSD, Long.MAX_VALUE);
                        return;
                    }
                    break;
                case S_KERNEL:
                    v.step = S_HANDOFF;
                    sim.startCompute(v, draw(r, cfg.kernelNs()), 0);
                    return;
                case S_HANDOFF:
                    if (cfg.pipelineStages() > 1 && !lastStage(v)) {
                        handOff(v);
                    }
                    v.step = S_DONE;
                    break;
                case S_DONE:
                    if (lastStage(v)) {
                        sim.iterationDone(v, sim.now() - v.iterationStartNs);
                    }
                    v.step = S_BEGIN;
                    break;
                default:
                    throw new IllegalStateException("unknown workload step " + v.step);
            }
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
        sim.countLockContended(v);
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
        if (waiter.pvHalted) {
            // pv_kick: KVM_HC_KICK_CPU to the halted waiter, then kvm_sched_yield to it (§5.5, §7.1).
            sim.pvKick(v, waiter);
        }
        sim.spinDone(waiter);
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
            boolean preempted = sim.preemptedNow(t);
            if (preempted && firstPreempted < 0) {
                firstPreempted = t.index;
            }
            if (preempted && guest.pvTlbFlush()) {
                // PV TLB flush: set KVM_VCPU_FLUSH_TLB in the preempted target's steal-time area instead (§7.2).
                continue;
            }
            scratch[sendTo++] = t.index;
            t.csdFrom[v.index >>> 6] |= 1L << v.index;
        }
        v.pendingAcks = sendTo;
        if (sendTo > 0) {
            sim.sendIpis(v, sendTo == 1 ? CALL_FUNCTION_SINGLE_VECTOR : CALL_FUNCTION_VECTOR, scratch, sendTo);
        }
        if (guest.pvSchedYield() && firstPreempted >= 0) {
            // KVM_HC_SCHED_YIELD toward the first preempted target, once (§7.2, PVYIELD).
            sim.pvSchedYield(v, v.vm.vcpus[firstPreempted]);
        }
        return sendTo > 0;
    }

    /** The target's handler ran the queued callbacks: ack every sender waiting on this vCPU. */
    void onCallFunctionHandled(Vcpu t) {
        Vm vm = t.vm;
        for (int w = 0; w < t.csdFrom.length; w++) {
            long bits = t.csdFrom[w];
            t.csdFrom[w] = 0;
            while (bits != 0) {
                int s = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                Vcpu sender = vm.vcpus[s];
                if (sender.pendingAcks > 0 && --sender.pendingAcks == 0) {
                    sim.spinDone(sender);
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
        int pick = nextStage + stages * (v.handoffCursor++ % candidates);
        Vcpu t = v.vm.vcpus[pick];
        t.items++;
        if (t.waitingForItem) {
            scratch[0] = t.index;
            sim.sendIpis(v, RESCHEDULE_VECTOR, scratch, 1);
        }
    }

    /** After any handler on a vCPU that waits for work: take the item if one arrived. */
    boolean resumeIfWorkArrived(Vcpu v) {
        if (!v.waitingForItem || v.items == 0) {
            return false;
        }
        v.waitingForItem = false;
        v.items--;
        v.step = S_USER;
        sim.startCompute(v, draw(v.random, cfg.userNs()), 3);
        return true;
    }
}
