package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.ModelEventSink;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.engine.EventQueue;
import dev.kvmfleetsim.hostsim.model.engine.RandomStreams;
import dev.kvmfleetsim.hostsim.model.halt.HaltPoll;
import dev.kvmfleetsim.hostsim.model.ipi.IpiTracker;
import dev.kvmfleetsim.hostsim.model.lapic.ApicDelivery;
import dev.kvmfleetsim.hostsim.model.lapic.ApicMap;
import dev.kvmfleetsim.hostsim.model.lapic.Lapic;
import dev.kvmfleetsim.hostsim.model.ple.PleWindow;
import dev.kvmfleetsim.hostsim.model.scenario.GuestConfig;
import dev.kvmfleetsim.hostsim.model.scenario.HostConfig;
import dev.kvmfleetsim.hostsim.model.scenario.KvmParams;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadConfig;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadMix;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYield;
import dev.kvmfleetsim.hostsim.model.yield.KvmSchedYield;
import java.util.SplittableRandom;

/**
 * The discrete-event simulation of one host (kvm-model §1 to §7): builds the VMs and the parts that model each kernel
 * subsystem, then runs the event loop, handing each event to the part that owns its kind ({@link EventKind}). One
 * instance runs one scenario once, on the calling thread.
 */
public final class HostSimulation {
    // Random stream domains (RandomStreams): stable ids so that streams do not depend on construction order.
    private static final int RS_VCPU = 1;
    private static final int RS_PLACEMENT = 6;

    private final HostContext ctx;
    private final HostParts parts;
    private final Vcpu[] vcpus;
    private final RandomStreams streams;

    /**
     * Builds the host for a validated scenario.
     *
     * @param scenario what to simulate
     * @param sink where exit and yield events go
     */
    public HostSimulation(Scenario scenario, ModelEventSink sink) {
        int vmCount = scenario.vms().count();
        int perVm = scenario.vms().vcpus();
        this.ctx = new HostContext(scenario, sink, vmCount * perVm);
        this.streams = new RandomStreams(scenario.seed());
        GuestCpu guestCpu = new GuestCpu(ctx);
        PcpuScheduler scheduler = new PcpuScheduler(ctx);
        WorkloadConfig wl = scenario.workload().resolved();
        GuestWorkload workload =
                wl.mix() == WorkloadMix.NONE ? null : new GuestWorkload(guestCpu, wl, scenario.guest(), vmCount, perVm);
        Vm[] vms = new Vm[vmCount];
        this.vcpus = new Vcpu[vmCount * perVm];
        for (int m = 0; m < vmCount; m++) {
            vms[m] = buildVm(m, perVm, scheduler);
        }
        this.parts = new HostParts(
                vms,
                guestCpu,
                new VcpuRun(ctx),
                new VcpuHalt(ctx),
                new IrqInjection(ctx),
                new IcrWrite(ctx),
                new GuestApicDriver(ctx, perVm),
                scheduler,
                new SpinExits(ctx),
                new IrqSources(ctx, vmCount, streams),
                workload);
        parts.link();
    }

    private Vm buildVm(int m, int perVm, PcpuScheduler scheduler) {
        Scenario sc = ctx.scenario;
        KvmParams kvm = ctx.kvm;
        Lapic[] lapics = new Lapic[perVm];
        for (int i = 0; i < perVm; i++) {
            lapics[i] = new Lapic(i, ctx.x2apic);
            if (!ctx.x2apic && ctx.guest.apicAddressing() == GuestConfig.ApicAddressing.FLAT) {
                // Linux's flat xAPIC driver: logical ID = 1 << cpu, at most 8 CPUs.
                lapics[i].setXapicLogical(1 << i, Lapic.DFR_FLAT);
            }
        }
        ApicMap map = new ApicMap(lapics);
        ApicDelivery delivery = new ApicDelivery(lapics, map, kvm.vectorHashing());
        Vcpu[] vmVcpus = new Vcpu[perVm];
        IpiTracker tracker = new IpiTracker(perVm, kvm.ipiTrackingEnabled(), kvm.ipiWindowNs(), kvm.ipiEoiClearMode());
        Vm vm = new Vm(m, vmVcpus, lapics, map, delivery, tracker, new VmBus(ctx));
        for (int i = 0; i < perVm; i++) {
            int id = m * perVm + i;
            Vcpu v = new Vcpu(
                    id,
                    i,
                    vm,
                    lapics[i],
                    streams.stream(RS_VCPU, m, i),
                    new PleWindow(sc.ple()),
                    new HaltPoll(sc.haltPoll()));
            vmVcpus[i] = v;
            vcpus[id] = v;
        }
        VmVcpuView view = new VmVcpuView(vmVcpus, ctx.apicv, scheduler);
        vm.directedYield = new DirectedYield(perVm, sc.directedYield(), view, tracker::isIpiReceiver);
        vm.schedYield = new KvmSchedYield(perVm, view, apicId -> apicId < perVm ? (int) apicId : -1);
        return vm;
    }

    /** Runs the scenario to its end and returns the engine's event count. */
    public long run() {
        start();
        long end = ctx.scenario.durationNs();
        while (step(end)) {
            // each step handles one event
        }
        ctx.now = end;
        return ctx.stats.eventsProcessed;
    }

    /**
     * Handles the next event if it is due at or before {@code untilNs}; the clock moves to its time.
     *
     * @return false when no event is due by then
     */
    boolean step(long untilNs) {
        EventQueue queue = ctx.queue;
        if (!queue.pollUntil(untilNs)) {
            return false;
        }
        ctx.now = queue.polledTime();
        ctx.stats.eventsProcessed++;
        dispatch(queue.polledKind(), queue.polledTarget(), queue.polledArg());
        return true;
    }

    HostContext context() {
        return ctx;
    }

    HostParts parts() {
        return parts;
    }

    Vcpu vcpu(int id) {
        return vcpus[id];
    }

    /** The result of a simulation that has run. */
    public SimulationResult result() {
        return ResultAssembler.assemble(ctx, parts.vms, vcpus.length);
    }

    /** Boot: IOAPIC entries, vectors and sources, placement, and every pCPU's first pick; no event has run yet. */
    void start() {
        Scenario sc = ctx.scenario;
        ctx.recording = sc.warmupNs() == 0;
        if (!ctx.recording) {
            ctx.queue.schedule(sc.warmupNs(), EventKind.WARMUP_END, 0, 0);
        }
        IrqSources sources = parts.sources;
        for (Vm vm : parts.vms) {
            sources.setUpVm(vm);
            for (Vcpu v : vm.vcpus) {
                sources.setUpVcpu(v, streams);
            }
            sources.scheduleGuestEvents(vm);
        }
        int[] slot = placement(parts.scheduler.pcpuCount());
        for (Vcpu v : vcpus) {
            // Boot-time vcpu_scan_ioapic; the guest starts when its thread first runs.
            sources.scanIoapic(v);
            parts.guestCpu.startBusyPeriod(v);
            if (parts.workload != null) {
                parts.workload.start(v);
            }
            parts.scheduler.place(v, slot[v.id]);
        }
        parts.scheduler.start();
    }

    /**
     * The pCPU each vCPU thread starts on: round robin (SPREAD, PINNED), or shuffled with its own stream (RANDOM). The
     * load balancer moves threads from there unless they are pinned or {@code host.load_balance} is off.
     */
    private int[] placement(int pcpus) {
        int[] slot = new int[vcpus.length];
        for (int g = 0; g < slot.length; g++) {
            slot[g] = g % pcpus;
        }
        if (ctx.scenario.host().placement() == HostConfig.Placement.RANDOM) {
            SplittableRandom r = streams.stream(RS_PLACEMENT, 0, 0);
            for (int i = slot.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = slot[i];
                slot[i] = slot[j];
                slot[j] = t;
            }
        }
        return slot;
    }

    private void dispatch(int kind, int target, long arg) {
        HostParts p = parts;
        switch (kind) {
            case EventKind.SEGMENT_END -> p.guestCpu.onSegmentEnd(vcpus[target], (int) arg);
            case EventKind.EXIT_END -> p.run.onExitEnd(vcpus[target], (int) arg);
            case EventKind.PI_NOTIFY -> p.injection.onPostedInterruptNotification(vcpus[target]);
            case EventKind.KICK -> p.injection.onKick(vcpus[target]);
            case EventKind.DEVICE_FIRE -> p.sources.onDeviceFire(target);
            case EventKind.MSI_START -> p.sources.onMsiStart(target);
            case EventKind.MSI_FIRE -> p.sources.onMsiFire(target);
            case EventKind.IOAPIC_WRITE -> p.sources.onIoapicWrite(p.vms[target], (int) arg);
            case EventKind.EOI_INJECT -> p.sources.onEoiInject(p.vms[target]);
            case EventKind.TIMER -> p.guestCpu.onTimer(vcpus[target], (int) arg);
            case EventKind.WARMUP_END -> ctx.recording = true;
            case EventKind.TICK -> p.scheduler.onTick(target);
            case EventKind.PLE -> p.spinExits.onPauseLoopExit(vcpus[target], (int) arg);
            case EventKind.SPIN_BUDGET -> p.spinExits.onSpinBudgetSpent(vcpus[target], (int) arg);
            case EventKind.POLL_END -> p.halt.onPollEnd(vcpus[target], (int) arg);
            case EventKind.PCPU_WAKE -> p.scheduler.onPcpuWake(target);
            case EventKind.IO_COMPLETE -> p.guestCpu.onIoComplete(vcpus[target]);
            default -> throw new IllegalStateException("unknown event kind " + kind);
        }
    }
}
