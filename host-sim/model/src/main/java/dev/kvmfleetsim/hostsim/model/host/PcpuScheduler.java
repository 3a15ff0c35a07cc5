package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.scenario.HostConfig.CgroupLayout;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.sched.CfsHierarchy;
import dev.kvmfleetsim.hostsim.model.sched.CfsYieldTo;
import dev.kvmfleetsim.hostsim.model.sched.Eevdf;
import dev.kvmfleetsim.hostsim.model.sched.TaskGroups;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import java.util.Arrays;

/**
 * The host scheduler around the vCPU threads: {@code schedule()} on a pCPU (core.c) over the fair class with the
 * scenario's cgroup layout ({@link CfsHierarchy}), KVM's preempt notifiers {@code kvm_sched_out} / {@code
 * kvm_sched_in}, {@code resched_curr}, the tick, wake-up enqueue and {@code yield_to}'s glue (kvm-model §5.1, §5.3, §6).
 */
final class PcpuScheduler {
    private final HostContext ctx;
    private final Pcpu[] pcpus;
    private final CfsHierarchy cfs;
    private final CfsYieldTo yield;
    private final LoadBalancer balancer;
    /** Task id of the hierarchy to vCPU. */
    private Vcpu[] byTask = new Vcpu[0];

    private VcpuRun run;
    private VcpuHalt halt;
    private GuestCpu guestCpu;

    PcpuScheduler(HostContext ctx) {
        this.ctx = ctx;
        Scenario sc = ctx.scenario;
        this.pcpus = new Pcpu[sc.host().pcpus()];
        for (int p = 0; p < pcpus.length; p++) {
            pcpus[p] = new Pcpu(p);
        }
        this.cfs = new CfsHierarchy(sc.sched(), pcpus.length, groups(sc));
        this.yield = new CfsYieldTo(cfs);
        this.balancer = new LoadBalancer(ctx, pcpus, cfs);
    }

    /** The task groups of {@code host.cgroup_layout} (docs/model.md, "Host scheduler"). */
    private static TaskGroups groups(Scenario sc) {
        return switch (sc.host().cgroupLayout()) {
            case FLAT -> TaskGroups.flat();
            case PER_VM -> TaskGroups.perVm(sc.vms().count());
            case PER_VCPU -> TaskGroups.perVcpu(vcpusPerVm(sc));
        };
    }

    private static int[] vcpusPerVm(Scenario sc) {
        int[] n = new int[sc.vms().count()];
        Arrays.fill(n, sc.vms().vcpus());
        return n;
    }

    /** The group a vCPU thread runs in. */
    private int groupOf(Vcpu v) {
        CgroupLayout layout = ctx.scenario.host().cgroupLayout();
        return switch (layout) {
            case FLAT -> TaskGroups.ROOT;
            case PER_VM -> 1 + v.vm.index;
            case PER_VCPU -> TaskGroups.perVcpuLeaf(vcpusPerVm(ctx.scenario), v.vm.index, v.index);
        };
    }

    void link(HostParts p) {
        this.run = p.run;
        this.halt = p.halt;
        this.guestCpu = p.guestCpu;
    }

    /** The fair class (for tests of the wiring). */
    CfsHierarchy cfs() {
        return cfs;
    }

    int pcpuCount() {
        return pcpus.length;
    }

    /** The vCPU's thread starts on {@code cpu}'s run queue, runnable (set-up; the balancer may move it later). */
    void place(Vcpu v, int cpu) {
        v.pcpu = cpu;
        balancer.add(v);
        v.entity = cfs.addTask(groupOf(v), cpu, Eevdf.NICE_0_LOAD);
        if (v.entity >= byTask.length) {
            byTask = Arrays.copyOf(byTask, Math.max(8, v.entity * 2 + 1));
        }
        byTask[v.entity] = v;
        v.mode = VcpuMode.RUNNABLE;
        v.runnableSinceNs = 0;
        cfs.enqueue(v.entity, 0, false);
    }

    /** Every pCPU picks its first thread. */
    void start() {
        for (Pcpu p : pcpus) {
            schedule(p);
        }
    }

    /** Runnable threads on {@code cpu}'s run queue ({@code rq->nr_running}). */
    int nrQueued(int cpu) {
        return cfs.nrRunning(cpu);
    }

    /** At exit-to-guest with TIF_NEED_RESCHED: whether {@code schedule()} may pick another thread. */
    boolean wantsSwitch(Vcpu v) {
        return cfs.nrRunning(v.pcpu) > 1 || !cfs.isQueued(v.entity);
    }

    void schedule(int cpu) {
        schedule(pcpus[cpu]);
    }

    /** {@code schedule()} on one pCPU: pick, then switch if the pick is another thread. */
    private void schedule(Pcpu p) {
        Vcpu prev = p.running;
        int e = cfs.pick(p.id, ctx.now);
        if (e < 0 && balancer.newidle(p.id)) {
            // pick_next_task_fair: sched_balance_newidle pulled a thread, so pick again.
            e = cfs.pick(p.id, ctx.now);
        }
        Vcpu next = e < 0 ? null : byTask[e];
        if (next == prev && prev != null) {
            if (prev.mode == VcpuMode.HOST) {
                run.enterGuest(prev);
            }
            return;
        }
        if (prev != null) {
            kvmSchedOut(prev);
        }
        p.running = next;
        if (next == null) {
            return;
        }
        long cost = prev == null ? 0 : ctx.scenario.host().contextSwitchNs();
        cost += kvmSchedIn(next, p.id);
        ctx.count(next.vm, KvmStat.CONTEXT_SWITCHES);
        // The switch and vcpu_load take host time before the entry.
        next.mode = VcpuMode.HOST;
        ctx.bumpEpoch(next);
        ctx.scheduleEpochEvent(next, ctx.now + cost, EventKind.EXIT_END);
        armTick(p);
    }

    /** {@code kvm_sched_out}: the preempt notifier sets preempted/ready if the thread is still runnable (§5.1). */
    private void kvmSchedOut(Vcpu v) {
        guestCpu.pauseGuest(v);
        v.scheduledOut = true;
        v.lastRanNs = ctx.now;
        if (v.mode == VcpuMode.BLOCKED) {
            v.preempted = false;
            return;
        }
        v.mode = VcpuMode.RUNNABLE;
        v.preempted = true;
        v.ready = true;
        v.preemptedInKernel = v.guest.cpl == 0;
        v.runnableSinceNs = ctx.now;
        // vmx_vcpu_pi_put: a preempted vCPU's PID suppresses notifications (§1.10).
        v.pid.setSuppressNotification(true);
        ctx.count(v.vm, KvmStat.PREEMPTIONS);
    }

    /**
     * {@code kvm_sched_in} + {@code vcpu_load}: flags cleared, PID live again, PLE window shrunk (§4.2, §5.1). On a
     * pCPU other than the last one ({@code kvm_arch_vcpu_load} with {@code vcpu->cpu != cpu}) the VMCS moves
     * ({@code vmx_vcpu_load_vmcs}), which costs {@code host.migration_ns}, and {@code vmx_vcpu_pi_load} points the
     * PID's notification destination (NDST) at the new pCPU: in the model notifications and kicks are addressed to
     * the vCPU and reach it through {@code v.pcpu}, so the new destination holds from here without more state.
     *
     * @return the extra host time of this load, ns
     */
    private long kvmSchedIn(Vcpu v, int cpu) {
        if (v.mode == VcpuMode.RUNNABLE && ctx.recording) {
            ctx.stats.stealTotalNs += ctx.now - v.runnableSinceNs;
        }
        v.preempted = false;
        v.ready = false;
        v.pid.setSuppressNotification(false);
        v.ple.onVcpuLoad(v.scheduledOut);
        v.scheduledOut = false;
        if (v.vm.directedYield.inSpinLoop(v.index)) {
            v.vm.directedYield.finishSpin(v.index);
        }
        boolean moved = v.loadedPcpu >= 0 && v.loadedPcpu != cpu;
        v.loadedPcpu = cpu;
        return moved ? ctx.scenario.host().migrationNs() : 0;
    }

    /** {@code kvm_vcpu_block}'s sleep: the thread leaves the run queue and the pCPU picks another. */
    void dequeueAndSchedule(Vcpu v) {
        Pcpu p = pcpus[v.pcpu];
        cfs.dequeue(v.entity, ctx.now, true);
        schedule(p);
    }

    /**
     * {@code try_to_wake_up} for a woken vCPU thread: enqueue with wake-up placement; an idle pCPU picks after the
     * wake-up latency, a busy one is asked to reschedule if the wakee preempts ({@code wakeup_preempt}).
     *
     * @param delayNs how long after now the wake-up takes effect (the sender's exit still running)
     */
    void enqueueWoken(Vcpu v, long delayNs) {
        if (!cfs.isQueued(v.entity)) {
            // select_task_rq: a sched_delayed thread is still queued and wakes where it is (ttwu_runnable).
            int cpu = balancer.selectTaskRq(v);
            if (cpu != v.pcpu) {
                balancer.moveWoken(v, cpu);
            }
        }
        Pcpu p = pcpus[v.pcpu];
        cfs.enqueue(v.entity, ctx.now, true);
        if (p.running == null) {
            if (!p.wakePending) {
                p.wakePending = true;
                long at = ctx.now + delayNs + ctx.costs.wakeupLatencyNs() + HostContext.sample(v, ctx.costs.hlt());
                ctx.queue.schedule(at, EventKind.PCPU_WAKE, p.id, 0);
            }
        } else if (p.running.mode == VcpuMode.POLLING) {
            // kvm_vcpu_can_poll: single_task_running() fails once another task is runnable; the poller blocks
            // (kvm_vcpu_block -> schedule, which also honours a wake-up preemption).
            ctx.bumpEpoch(p.running);
            halt.block(p.running);
        } else if (cfs.needResched(p.id)) {
            // The wakee preempts, or enqueue's update_curr found curr's slice used up: resched_curr either way. A
            // request latched earlier is honoured here too (the kernel's TIF_NEED_RESCHED is never dropped).
            requestResched(p.running);
        }
        armTick(p);
    }

    /** {@link EventKind#PCPU_WAKE}: the idle pCPU leaves idle and picks. */
    void onPcpuWake(int cpu) {
        Pcpu p = pcpus[cpu];
        p.wakePending = false;
        if (p.running == null) {
            schedule(p);
        }
    }

    /** {@code resched_curr}: the running vCPU schedules at its next exit, kicked out if it is in guest mode. */
    void requestResched(Vcpu v) {
        boolean alreadySet = v.needResched;
        v.needResched = true;
        switch (v.mode) {
            case GUEST:
                // resched_curr() sends no IPI when TIF_NEED_RESCHED is already set: the kick in flight will do.
                if (!alreadySet) {
                    ctx.queue.schedule(ctx.now + ctx.costs.hostKickLatencyNs(), EventKind.KICK, v.id, 0);
                }
                break;
            case POLLING:
                // need_resched ends the poll; the vCPU blocks.
                ctx.bumpEpoch(v);
                halt.block(v);
                break;
            default:
                break;
        }
    }

    /**
     * The tick runs while the pCPU is busy (NO_HZ_IDLE stops it only when idle); with {@code nohz_full} it also stops
     * while a single task runs ({@code sched_can_stop_tick}).
     */
    private void armTick(Pcpu p) {
        if (!p.tickArmed
                && p.running != null
                && (cfs.nrRunning(p.id) > 1 || !ctx.scenario.host().nohzFull())) {
            p.tickArmed = true;
            ctx.queue.schedule(ctx.now + ctx.scenario.sched().tickNs(), EventKind.TICK, p.id, 0);
        }
    }

    /**
     * {@link EventKind#TICK}: the host's timer interrupt, {@code sched_tick} -> {@code update_curr}. In guest mode the
     * interrupt itself exits (EXTERNAL_INTERRUPT), and the vCPU schedules at the end of that exit if a resched is
     * wanted; in the host a wanted resched is {@code resched_curr}.
     */
    void onTick(int cpu) {
        Pcpu p = pcpus[cpu];
        p.tickArmed = false;
        Vcpu v = p.running;
        if (v != null) {
            boolean resched = cfs.tick(p.id, ctx.now);
            // The tick's sched_balance_trigger; the pulled thread is enqueued without preemption
            // (CfsHierarchy.migrate).
            if (balancer.periodic(p.id)) {
                resched |= cfs.needResched(p.id);
            }
            if (v.mode == VcpuMode.GUEST) {
                v.needResched |= resched;
                run.startExit(v, ExitReason.EXTERNAL_INTERRUPT, HostContext.sample(v, ctx.costs.externalInterrupt()));
            } else if (resched) {
                requestResched(v);
            }
        }
        armTick(p);
    }

    /** {@code kvm_vcpu_yield_to} from the running spinner {@code me} to a vCPU of the same VM (§5.3, §5.4). */
    int yieldTo(Vcpu me, Vcpu target) {
        Pcpu mp = pcpus[me.pcpu];
        Pcpu tp = pcpus[target.pcpu];
        if (mp.running != me) {
            return 0;
        }
        int r = yield.yieldTo(me.entity, target.entity, ctx.now, true);
        if (r > 0 && tp != mp && tp.running != null) {
            // resched_curr(p_rq): the target's pCPU reconsiders at once.
            requestResched(tp.running);
        }
        return r;
    }
}
