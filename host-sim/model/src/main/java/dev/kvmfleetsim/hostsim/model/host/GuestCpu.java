package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.engine.RandomStreams;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.scenario.GuestConfig;
import dev.kvmfleetsim.hostsim.model.scenario.IpiSource;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadConfig;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;

/**
 * The guest side of each vCPU: a clock of guest execution, paused by exits and interrupts, that runs busy periods,
 * the idle loop, PAUSE loops and handlers, and reaches the guest's actions (IPI sends, going idle with a TSC-deadline
 * write, the workload's next step). kvm-model §3.1, §7; the guest's own code, not a kernel function of the host.
 */
final class GuestCpu implements GuestHooks {
    /** Linux's LOCAL_TIMER_VECTOR. */
    static final int LOCAL_TIMER_VECTOR = 0xec;

    private final HostContext ctx;
    private final IpiSource[] ipiSources;
    private VcpuRun run;
    private VcpuHalt halt;
    private IrqInjection injection;
    private GuestApicDriver apicDriver;
    private SpinExits spinExits;
    private GuestWorkload workload;

    GuestCpu(HostContext ctx) {
        this.ctx = ctx;
        this.ipiSources = ctx.scenario.ipis().toArray(new IpiSource[0]);
    }

    void link(HostParts p) {
        this.run = p.run;
        this.halt = p.halt;
        this.injection = p.injection;
        this.apicDriver = p.apicDriver;
        this.spinExits = p.spinExits;
        this.workload = p.workload;
    }

    /** Starts (or restarts) the current guest activity of a vCPU that is in guest mode. */
    void runGuest(Vcpu v) {
        GuestState g = v.guest;
        long now = ctx.now;
        if (!g.inHandler() && g.activity == GuestActivity.SPIN && g.spinSatisfied) {
            // The lock or the acks arrived while this vCPU was not running: go on with the program.
            g.spinSatisfied = false;
            g.pvHalted = false;
            g.activity = GuestActivity.WORK;
            workload.advance(v);
            if (v.mode != VcpuMode.GUEST) {
                return;
            }
        }
        g.running = true;
        g.segmentStartNs = now;
        if (g.inHandler()) {
            ctx.scheduleEpochEvent(v, now + g.handlerRemainingNs, EventKind.SEGMENT_END);
            return;
        }
        switch (g.activity) {
            case WORK: {
                long next = nextActionBusyNs(g);
                if (next != Long.MAX_VALUE) {
                    ctx.scheduleEpochEvent(v, now + (next - g.busyClockNs), EventKind.SEGMENT_END);
                }
                return;
            }
            case SPIN:
                if (g.pvHalted) {
                    halt.executeHlt(v); // a spurious wake of a pv-qspinlock waiter: kvm_wait halts again
                    return;
                }
                spinExits.armSpin(v);
                return;
            default:
                if (ctx.guest.idle() == GuestConfig.IdleMode.HALT) {
                    halt.executeHlt(v);
                }
        }
    }

    /** Stops the guest's clock: the vCPU leaves guest mode or takes an interrupt. Idempotent. */
    void pauseGuest(Vcpu v) {
        GuestState g = v.guest;
        if (!g.running) {
            return;
        }
        g.running = false;
        long ran = ctx.now - g.segmentStartNs;
        if (g.inHandler()) {
            g.handlerRemainingNs -= ran;
        } else if (g.activity == GuestActivity.WORK) {
            g.busyClockNs += ran;
        } else if (g.activity == GuestActivity.SPIN) {
            if (g.spinBudgetNs != Long.MAX_VALUE) {
                g.spinBudgetNs -= ran;
            }
            if (ctx.recording) {
                ctx.stats.addSpin(v.vm, ran);
            }
        }
        ctx.bumpEpoch(v);
    }

    private static long nextActionBusyNs(GuestState g) {
        long next = Math.min(g.busyEndNs, g.stepEndBusyNs);
        for (long t : g.nextSendBusyNs) {
            if (t < next) {
                next = t;
            }
        }
        return next;
    }

    /** A busy period starts: without a workload it lasts an exponential time, with one until the workload idles. */
    void startBusyPeriod(Vcpu v) {
        GuestState g = v.guest;
        g.activity = GuestActivity.WORK;
        g.busyEndNs = ctx.guest.idleNsMean() == 0 || workload != null
                ? Long.MAX_VALUE
                : g.busyClockNs + RandomStreams.exponentialNs(v.random, ctx.guest.busyNsMean());
    }

    /** {@link EventKind#SEGMENT_END}. */
    void onSegmentEnd(Vcpu v, int epoch) {
        GuestState g = v.guest;
        if (epoch != v.epoch || v.mode != VcpuMode.GUEST || !g.running) {
            return; // stale: the segment was paused after this event was scheduled
        }
        pauseGuest(v);
        if (g.inHandler()) {
            injection.handlerBodyDone(v);
            return;
        }
        // Base work reached its next action.
        int due = -1;
        long dueAt = g.busyEndNs;
        for (int k = 0; k < g.nextSendBusyNs.length; k++) {
            if (g.nextSendBusyNs[k] <= g.busyClockNs && g.nextSendBusyNs[k] < dueAt) {
                due = k;
                dueAt = g.nextSendBusyNs[k];
            }
        }
        if (due >= 0) {
            IpiSource src = ipiSources[g.sendSources[due]];
            g.nextSendBusyNs[due] += RandomStreams.exponentialNs(g.sendRandom[due], 1e9 / src.ratePerSec());
            apicDriver.sendIpi(v, src);
            if (v.mode == VcpuMode.GUEST) {
                runGuest(v);
            }
            return;
        }
        if (g.busyClockNs >= g.stepEndBusyNs) {
            g.stepEndBusyNs = Long.MAX_VALUE;
            workload.onComputeDone(v);
            if (v.mode == VcpuMode.GUEST) {
                runGuest(v);
            }
            return;
        }
        if (g.busyClockNs >= g.busyEndNs) {
            goIdle(v);
            return;
        }
        runGuest(v);
    }

    /** The busy period ended: arm the LAPIC timer for the idle period (a TSC-deadline write), then idle. */
    private void goIdle(Vcpu v) {
        GuestState g = v.guest;
        g.activity = GuestActivity.IDLE;
        g.busyEndNs = Long.MAX_VALUE;
        armTscDeadline(v, RandomStreams.exponentialNs(v.random, ctx.guest.idleNsMean()));
    }

    /**
     * The guest arms its LAPIC timer {@code ns} after the write: WRMSR TSC_DEADLINE, fastpath-eligible (kvm-model
     * §3.2); the timer fires as {@link EventKind#TIMER} unless a later arming bumps the epoch.
     */
    private void armTscDeadline(Vcpu v, long ns) {
        long cost = HostContext.sample(v, ctx.costs.msrWriteFastpath());
        v.guest.timerEpoch++;
        ctx.queue.schedule(ctx.now + cost + ns, EventKind.TIMER, v.id, v.guest.timerEpoch);
        run.startExit(v, ExitReason.MSR_WRITE, cost);
    }

    /** {@link EventKind#TIMER}: {@code apic_timer_expired} -> {@code kvm_apic_local_deliver}, a fixed interrupt. */
    void onTimer(Vcpu v, int timerEpoch) {
        if (timerEpoch != v.guest.timerEpoch) {
            return;
        }
        injection.accept(v, Icr.fixedPhysical(LOCAL_TIMER_VECTOR, v.lapic.apicId()), ctx.now, 0);
    }

    /** {@link EventKind#IO_COMPLETE}: the device raises its queue's MSI ({@code kvm_set_msi}) on this vCPU. */
    void onIoComplete(Vcpu v) {
        v.vm.bus.deliver(-1, Icr.fixedPhysical(GuestWorkload.IO_COMPLETION_VECTOR, v.lapic.apicId()), ctx.now, 0);
    }

    // ---- GuestHooks: what the workload asks of the vCPU it runs on ----

    @Override
    public void sleep(Vcpu v, WorkloadConfig.BlockWake wake, long ns) {
        GuestState g = v.guest;
        g.activity = GuestActivity.IDLE;
        g.cpl = 0;
        switch (wake) {
            case DEVICE -> {
                // virtqueue_notify: an MMIO write to the ioeventfd address; the device serves the request meanwhile.
                long cost = HostContext.sample(v, ctx.costs.eptMisconfig());
                ctx.queue.schedule(ctx.now + cost + ns, EventKind.IO_COMPLETE, v.id, 0);
                run.startExit(v, ExitReason.EPT_MISCONFIG, cost);
            }
            case TIMER -> armTscDeadline(v, ns); // hrtimer_nanosleep
            case IPI -> {
                // futex_wait: nothing to tell the host; the idle loop follows.
            }
        }
    }

    @Override
    public long now() {
        return ctx.now;
    }

    @Override
    public void startCompute(Vcpu v, long ns, int cpl) {
        GuestState g = v.guest;
        g.activity = GuestActivity.WORK;
        g.cpl = cpl;
        g.stepEndBusyNs = g.busyClockNs + ns;
    }

    @Override
    public void startSpin(Vcpu v, long budgetNs) {
        GuestState g = v.guest;
        g.activity = GuestActivity.SPIN;
        g.cpl = 0;
        g.spinSatisfied = false;
        g.pvHalted = false;
        g.spinBudgetNs = budgetNs;
    }

    @Override
    public void idleForWork(Vcpu v) {
        v.guest.activity = GuestActivity.IDLE;
        v.guest.cpl = 0;
    }

    @Override
    public void spinDone(Vcpu v) {
        GuestState g = v.guest;
        if (v.mode == VcpuMode.GUEST && g.running && g.activity == GuestActivity.SPIN && !g.inHandler()) {
            pauseGuest(v);
            g.activity = GuestActivity.WORK;
            workload.advance(v);
            if (v.mode == VcpuMode.GUEST) {
                runGuest(v);
            }
        } else {
            g.spinSatisfied = true;
        }
    }

    @Override
    public boolean preemptedNow(Vcpu t) {
        return t.mode == VcpuMode.RUNNABLE && t.preempted;
    }

    @Override
    public void sendIpis(Vcpu v, int vector, int[] targets, int n) {
        apicDriver.sendIpis(v, vector, targets, n);
    }

    @Override
    public void pvKick(Vcpu from, Vcpu target) {
        spinExits.pvKick(from, target);
    }

    @Override
    public void pvSchedYield(Vcpu from, Vcpu target) {
        spinExits.pvSchedYield(from, target);
    }

    @Override
    public void lockContended(Vcpu v) {
        ctx.count(v.vm, KvmStat.LOCK_CONTENDED);
    }

    @Override
    public void iterationDone(Vcpu v, long latencyNs) {
        ctx.count(v.vm, KvmStat.WORKLOAD_ITERATIONS);
        if (ctx.recording) {
            ctx.stats.iterationLatency.recordValue(Math.max(0, latencyNs));
        }
    }
}
