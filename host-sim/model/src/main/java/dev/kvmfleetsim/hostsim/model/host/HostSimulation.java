package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.ModelEventSink;
import dev.kvmfleetsim.hostsim.model.engine.EventQueue;
import dev.kvmfleetsim.hostsim.model.engine.RandomStreams;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.halt.HaltPoll;
import dev.kvmfleetsim.hostsim.model.ioapic.Ioapic;
import dev.kvmfleetsim.hostsim.model.ipi.IpiTracker;
import dev.kvmfleetsim.hostsim.model.lapic.ApicDelivery;
import dev.kvmfleetsim.hostsim.model.lapic.ApicMap;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.lapic.Lapic;
import dev.kvmfleetsim.hostsim.model.ple.PleWindow;
import dev.kvmfleetsim.hostsim.model.scenario.CostDist;
import dev.kvmfleetsim.hostsim.model.scenario.DeviceSource;
import dev.kvmfleetsim.hostsim.model.scenario.ExitCosts;
import dev.kvmfleetsim.hostsim.model.scenario.GuestConfig;
import dev.kvmfleetsim.hostsim.model.scenario.HostConfig;
import dev.kvmfleetsim.hostsim.model.scenario.IoapicWrite;
import dev.kvmfleetsim.hostsim.model.scenario.IpiSource;
import dev.kvmfleetsim.hostsim.model.scenario.KvmParams;
import dev.kvmfleetsim.hostsim.model.scenario.MsiSource;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadConfig;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadMix;
import dev.kvmfleetsim.hostsim.model.sched.Eevdf;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYield;
import dev.kvmfleetsim.hostsim.model.yield.KvmSchedYield;
import dev.kvmfleetsim.hostsim.model.yield.SpinFailure;
import dev.kvmfleetsim.hostsim.model.yield.SpinResult;
import dev.kvmfleetsim.hostsim.model.yield.VcpuView;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * The discrete-event simulation of one host: its VMs' vCPUs running guest code, the interrupts they send and receive,
 * and every VM exit that costs (kvm-model §1 to §3). Each vCPU runs on its own pCPU here; the host scheduler comes on
 * top of this. One instance runs one scenario once, on the calling thread.
 */
public final class HostSimulation {
    // Event kinds.
    private static final int EV_SEGMENT_END = 0;
    private static final int EV_EXIT_END = 1;
    private static final int EV_PI_NOTIFY = 2;
    private static final int EV_KICK = 3;
    private static final int EV_DEVICE_FIRE = 5;
    private static final int EV_MSI_START = 6;
    private static final int EV_MSI_FIRE = 7;
    private static final int EV_IOAPIC_WRITE = 8;
    private static final int EV_EOI_INJECT = 9;
    private static final int EV_TIMER = 10;
    private static final int EV_WARMUP_END = 11;
    private static final int EV_TICK = 12;
    private static final int EV_PLE = 13;
    private static final int EV_SPIN_BUDGET = 14;
    private static final int EV_POLL_END = 15;
    private static final int EV_PCPU_WAKE = 16;

    // Random stream domains (RandomStreams): stable ids so that streams do not depend on construction order.
    private static final int RS_VCPU = 1;
    private static final int RS_SEND = 2;
    private static final int RS_DEVICE = 3;
    private static final int RS_MSI = 4;
    private static final int RS_PLACEMENT = 6;

    /** Linux's LOCAL_TIMER_VECTOR. */
    static final int LOCAL_TIMER_VECTOR = 0xec;
    /** Max APIC IDs one {@code KVM_HC_SEND_IPI} covers in a 64-bit guest (two 64-bit bitmaps). */
    static final int PV_IPI_WINDOW = 128;

    private final Scenario scenario;
    private final KvmParams kvm;
    private final ExitCosts costs;
    private final GuestConfig guest;
    private final ModelEventSink sink;
    private final EventQueue queue;
    private final Vm[] vms;
    private final Vcpu[] vcpus;
    private final IpiSource[] ipiSources;
    private final DeviceSource[] devices;
    private final MsiSource[] msis;
    private final SplittableRandom[] deviceRandom;
    private final SplittableRandom[] msiRandom;

    private final Histogram ipiLatency = newHistogram();
    private final Histogram deviceLatency = newHistogram();
    private final Histogram ipiSendCost = newHistogram();
    private final Histogram iterationLatency = newHistogram();

    private final Pcpu[] pcpus;
    private final GuestWorkload workload;
    private final long spinNs[];
    private long stealTotalNs;

    private final int[] targetScratch;
    private final long[] writeScratch;
    private final int[] hardwareTargets = new int[16];
    private final boolean apicv;
    private final boolean ipiv;
    private final boolean x2apic;

    private long now;
    private boolean recording;
    private long eventsProcessed;
    /** Time from "now" until the delivery being made takes effect: set while a sender's exit handles its write. */
    private long deliveryDelayNs;
    /** When the guest operation that causes the current delivery started (for latencies). */
    private long deliveryOriginNs;

    /**
     * Builds the host for a validated scenario.
     *
     * @param scenario what to simulate
     * @param sink where exit events go
     */
    public HostSimulation(Scenario scenario, ModelEventSink sink) {
        this.scenario = scenario;
        this.kvm = scenario.kvm();
        this.costs = scenario.costs();
        this.guest = scenario.guest();
        this.sink = sink;
        this.apicv = kvm.enableApicv();
        this.ipiv = kvm.ipivActive();
        this.x2apic = kvm.x2apic();
        RandomStreams streams = new RandomStreams(scenario.seed());
        int vmCount = scenario.vms().count();
        int perVm = scenario.vms().vcpus();
        this.queue = new EventQueue(vmCount * perVm * 8);
        this.ipiSources = scenario.ipis().toArray(new IpiSource[0]);
        this.devices = scenario.devices().toArray(new DeviceSource[0]);
        this.msis = scenario.msis().toArray(new MsiSource[0]);
        this.vms = new Vm[vmCount];
        this.vcpus = new Vcpu[vmCount * perVm];
        this.targetScratch = new int[perVm];
        this.writeScratch = new long[perVm + 1];
        this.deviceRandom = new SplittableRandom[vmCount * devices.length];
        this.msiRandom = new SplittableRandom[vmCount * msis.length];
        this.spinNs = new long[vmCount];
        this.pcpus = new Pcpu[scenario.host().pcpus()];
        for (int p = 0; p < pcpus.length; p++) {
            pcpus[p] = new Pcpu(p, new Eevdf(scenario.sched(), 4));
        }
        WorkloadConfig wl = scenario.workload().resolved();
        this.workload = wl.mix() == WorkloadMix.NONE ? null : new GuestWorkload(this, wl, guest, vmCount, perVm);
        for (int m = 0; m < vmCount; m++) {
            vms[m] = buildVm(m, perVm, streams);
            for (int d = 0; d < devices.length; d++) {
                deviceRandom[m * devices.length + d] = streams.stream(RS_DEVICE, m, d);
            }
            for (int d = 0; d < msis.length; d++) {
                msiRandom[m * msis.length + d] = streams.stream(RS_MSI, m, d);
            }
        }
    }

    private static Histogram newHistogram() {
        return new Histogram(3_600_000_000_000L, 3);
    }

    private Vm buildVm(int m, int perVm, RandomStreams streams) {
        Lapic[] lapics = new Lapic[perVm];
        for (int i = 0; i < perVm; i++) {
            lapics[i] = new Lapic(i, x2apic);
            if (!x2apic && guest.apicAddressing() == GuestConfig.ApicAddressing.FLAT) {
                // Linux's flat xAPIC driver: logical ID = 1 << cpu, at most 8 CPUs.
                lapics[i].setXapicLogical(1 << i, Lapic.DFR_FLAT);
            }
        }
        ApicMap map = new ApicMap(lapics);
        ApicDelivery delivery = new ApicDelivery(lapics, map, kvm.vectorHashing());
        Vcpu[] vmVcpus = new Vcpu[perVm];
        VmBus bus = new VmBus(m);
        Ioapic ioapic = new Ioapic(bus);
        IpiTracker tracker = new IpiTracker(perVm, kvm.ipiTrackingEnabled(), kvm.ipiWindowNs(), kvm.ipiEoiClearMode());
        Vm vm = new Vm(m, vmVcpus, lapics, map, delivery, ioapic, tracker, bus);
        for (int i = 0; i < perVm; i++) {
            int id = m * perVm + i;
            Vcpu v = new Vcpu(id, i, vm, lapics[i], streams.stream(RS_VCPU, m, i));
            v.ple = new PleWindow(scenario.ple());
            v.haltPoll = new HaltPoll(scenario.haltPoll());
            vmVcpus[i] = v;
            vcpus[id] = v;
        }
        VmView view = new VmView(vm);
        vm.view = view;
        vm.directedYield = new DirectedYield(perVm, scenario.directedYield(), view, tracker::isIpiReceiver);
        vm.schedYield = new KvmSchedYield(perVm, view, apicId -> apicId < perVm ? (int) apicId : -1);
        return vm;
    }

    /** One VM's side of the IOAPIC and of {@code kvm_irq_delivery_to_apic}'s acceptance callback. */
    private final class VmBus implements Ioapic.Bus, ApicDelivery.Acceptor {
        private final int vm;

        VmBus(int vm) {
            this.vm = vm;
        }

        @Override
        public boolean accept(int vcpu, long irq) {
            return HostSimulation.this.accept(vcpu, vms[vm], irq);
        }

        @Override
        public int deliver(long irq) {
            return vms[vm].delivery.deliver(-1, irq, this);
        }

        @Override
        public void requestScan(int vcpu) {
            HostSimulation.this.requestScan(vms[vm].vcpus[vcpu]);
        }

        @Override
        public void scheduleEoiInject(long delayNs) {
            queue.schedule(now + delayNs, EV_EOI_INJECT, vm, 0);
        }
    }

    // ======================================================================================
    // Set-up and the event loop
    // ======================================================================================

    /** Runs the scenario to its end and returns the engine's event count. */
    public long run() {
        setUp();
        long end = scenario.durationNs();
        while (queue.pollUntil(end)) {
            now = queue.polledTime();
            eventsProcessed++;
            dispatch(queue.polledKind(), queue.polledTarget(), queue.polledArg());
        }
        now = end;
        return eventsProcessed;
    }

    private void setUp() {
        recording = scenario.warmupNs() == 0;
        if (!recording) {
            queue.schedule(scenario.warmupNs(), EV_WARMUP_END, 0, 0);
        }
        for (Vm vm : vms) {
            programIoapic(vm);
            for (Vcpu v : vm.vcpus) {
                setUpVcpu(v);
            }
            for (int d = 0; d < msis.length; d++) {
                queue.schedule(msis[d].startNs(), EV_MSI_START, vm.index * msis.length + d, 0);
            }
            for (int w = 0; w < scenario.ioapicWrites().size(); w++) {
                queue.schedule(scenario.ioapicWrites().get(w).atNs(), EV_IOAPIC_WRITE, vm.index, w);
            }
        }
        int[] slot = placement();
        for (Vcpu v : vcpus) {
            // Boot-time vcpu_scan_ioapic; the guest starts when its thread first runs.
            scanIoapic(v);
            startBusyPeriod(v);
            if (workload != null) {
                workload.start(v);
            }
            Pcpu p = pcpus[slot[v.id]];
            v.pcpu = p.id;
            v.entity = p.addVcpu(v);
            v.state = Vcpu.RUNNABLE;
            v.runnableSinceNs = 0;
            p.rq.enqueue(v.entity, 0, false);
        }
        for (Pcpu p : pcpus) {
            schedule(p);
        }
    }

    /** The pCPU of each vCPU thread (no migration is modelled). */
    private int[] placement() {
        int[] slot = new int[vcpus.length];
        for (int g = 0; g < slot.length; g++) {
            slot[g] = g % pcpus.length;
        }
        if (scenario.host().placement() == HostConfig.Placement.RANDOM) {
            SplittableRandom r = new RandomStreams(scenario.seed()).stream(RS_PLACEMENT, 0, 0);
            for (int i = slot.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = slot[i];
                slot[i] = slot[j];
                slot[j] = t;
            }
        }
        return slot;
    }

    private void programIoapic(Vm vm) {
        for (int d = 0; d < devices.length; d++) {
            DeviceSource dev = devices[d];
            int dm = dev.lowestPriority() ? Icr.DM_LOWEST : Icr.DM_FIXED;
            int dmode = dev.logical() ? Icr.DEST_LOGICAL : Icr.DEST_PHYSICAL;
            vm.ioapic.writeEntry(dev.pin(), dev.vector(), dm, dmode, dev.destApicId(), dev.level(), false, vm.lapics);
            installDeviceHandler(vm, d, dev.destApicId(), dmode);
            SplittableRandom r = deviceRandom[vm.index * devices.length + d];
            queue.schedule(
                    dev.startNs() + RandomStreams.exponentialNs(r, 1e9 / dev.ratePerSec()),
                    EV_DEVICE_FIRE,
                    vm.index * devices.length + d,
                    0);
        }
    }

    private void installDeviceHandler(Vm vm, int d, long dest, int dmode) {
        DeviceSource dev = devices[d];
        for (Vcpu v : vm.vcpus) {
            if (v.lapic.matchDest(false, Icr.SHORTHAND_NONE, dest, dmode)) {
                v.vectorOwner[dev.vector()] = VectorOwner.of(VectorOwner.DEVICE, d);
                v.vectorHandlerNs[dev.vector()] = dev.handlerNs();
            }
        }
    }

    private void setUpVcpu(Vcpu v) {
        int perVm = v.vm.vcpus.length;
        v.vectorOwner[LOCAL_TIMER_VECTOR] = VectorOwner.of(VectorOwner.TIMER, 0);
        v.vectorHandlerNs[LOCAL_TIMER_VECTOR] = guest.timerHandlerNs();
        int n = 0;
        int[] mine = new int[ipiSources.length];
        for (int s = 0; s < ipiSources.length; s++) {
            IpiSource src = ipiSources[s];
            // Every vCPU can receive every source's vector.
            v.vectorOwner[src.vector()] = VectorOwner.of(VectorOwner.IPI, s);
            v.vectorHandlerNs[src.vector()] = src.handlerNs();
            if (src.ratePerSec() > 0
                    && (src.senders().isEmpty() || src.senders().contains(v.index))) {
                mine[n++] = s;
            }
        }
        v.sendSources = java.util.Arrays.copyOf(mine, n);
        v.nextSendBusyNs = new long[n];
        v.sendRandom = new SplittableRandom[n];
        RandomStreams streams = new RandomStreams(scenario.seed());
        for (int k = 0; k < n; k++) {
            int s = v.sendSources[k];
            v.sendRandom[k] = streams.stream(RS_SEND, v.vm.index * 65_536 + s, v.index);
            v.nextSendBusyNs[k] = RandomStreams.exponentialNs(v.sendRandom[k], 1e9 / ipiSources[s].ratePerSec());
        }
        if (perVm == 0) {
            throw new IllegalStateException("a VM without vCPUs");
        }
    }

    private void dispatch(int kind, int target, long arg) {
        switch (kind) {
            case EV_SEGMENT_END:
                onSegmentEnd(vcpus[target], (int) arg);
                break;
            case EV_EXIT_END:
                onExitEnd(vcpus[target], (int) arg);
                break;
            case EV_PI_NOTIFY:
                onPostedInterruptNotification(vcpus[target]);
                break;
            case EV_KICK:
                onKick(vcpus[target]);
                break;
            case EV_DEVICE_FIRE:
                onDeviceFire(target);
                break;
            case EV_MSI_START:
                onMsiStart(target);
                break;
            case EV_MSI_FIRE:
                onMsiFire(target);
                break;
            case EV_IOAPIC_WRITE:
                onIoapicWrite(vms[target], (int) arg);
                break;
            case EV_EOI_INJECT:
                deliveryOriginNs = now; // a re-injection's latency counts from the re-injection
                vms[target].ioapic.eoiInjectWork();
                break;
            case EV_TIMER:
                onTimer(vcpus[target], (int) arg);
                break;
            case EV_WARMUP_END:
                recording = true;
                break;
            case EV_TICK:
                onTick(pcpus[target]);
                break;
            case EV_PLE:
                onPauseLoopExit(vcpus[target], (int) arg);
                break;
            case EV_SPIN_BUDGET:
                onSpinBudgetSpent(vcpus[target], (int) arg);
                break;
            case EV_POLL_END:
                onPollEnd(vcpus[target], (int) arg);
                break;
            case EV_PCPU_WAKE:
                pcpus[target].wakePending = false;
                if (pcpus[target].running == null) {
                    schedule(pcpus[target]);
                }
                break;
            default:
                throw new IllegalStateException("unknown event kind " + kind);
        }
    }

    // ======================================================================================
    // Guest execution: segments of work, handlers and idle, paused by exits and interrupts
    // ======================================================================================

    /** Starts (or restarts) the current guest activity of a vCPU that is in guest mode. */
    private void runGuest(Vcpu v) {
        if (v.handlerVector == Vcpu.NO_HANDLER && v.base == Vcpu.BASE_SPIN && v.spinSatisfied) {
            // The lock or the acks arrived while this vCPU was not running: go on with the program.
            v.spinSatisfied = false;
            v.pvHalted = false;
            v.base = Vcpu.BASE_WORK;
            workload.advance(v);
            if (v.state != Vcpu.GUEST) {
                return;
            }
        }
        v.running = true;
        v.segmentStartNs = now;
        if (v.handlerVector != Vcpu.NO_HANDLER) {
            scheduleEpochEvent(v, now + v.handlerRemainingNs, EV_SEGMENT_END);
            return;
        }
        switch (v.base) {
            case Vcpu.BASE_WORK: {
                long next = nextActionBusyNs(v);
                if (next != Long.MAX_VALUE) {
                    scheduleEpochEvent(v, now + (next - v.busyClockNs), EV_SEGMENT_END);
                }
                return;
            }
            case Vcpu.BASE_SPIN:
                if (v.pvHalted) {
                    executeHlt(v); // a spurious wake of a pv-qspinlock waiter: kvm_wait halts again
                    return;
                }
                // A CPL0 PAUSE loop exits after the current PLE window (kvm-model §4.3).
                if (v.ple.exitsAtCpl(0)) {
                    long w = v.ple.spinNsBeforeExit(scenario.host().tscGhz(), guest.pauseLatencyCycles());
                    scheduleEpochEvent(v, now + Math.max(1, w), EV_PLE);
                }
                if (v.spinBudgetNs != Long.MAX_VALUE) {
                    scheduleEpochEvent(v, now + Math.max(0, v.spinBudgetNs), EV_SPIN_BUDGET);
                }
                return;
            default:
                if (guest.idle() == GuestConfig.IdleMode.HALT) {
                    executeHlt(v);
                }
        }
    }

    /** Schedules an event of {@code v} that is valid only in its current epoch (segment end, PLE, exit end, ...). */
    private void scheduleEpochEvent(Vcpu v, long atNs, int kind) {
        long h = queue.schedule(atNs, kind, v.id, v.epoch);
        if (!queue.isPending(v.epochEvent)) {
            v.epochEvent = h;
        } else {
            v.epochEvent2 = h;
        }
    }

    /** Makes every event scheduled in {@code v}'s current epoch stale, and takes them out of the queue. */
    private void bumpEpoch(Vcpu v) {
        v.epoch++;
        if (v.epochEvent >= 0) {
            queue.cancel(v.epochEvent);
            v.epochEvent = -1;
        }
        if (v.epochEvent2 >= 0) {
            queue.cancel(v.epochEvent2);
            v.epochEvent2 = -1;
        }
    }

    /** Stops the guest's clock: the vCPU leaves guest mode or takes an interrupt. Idempotent. */
    private void pauseGuest(Vcpu v) {
        if (!v.running) {
            return;
        }
        v.running = false;
        long ran = now - v.segmentStartNs;
        if (v.handlerVector != Vcpu.NO_HANDLER) {
            v.handlerRemainingNs -= ran;
        } else if (v.base == Vcpu.BASE_WORK) {
            v.busyClockNs += ran;
        } else if (v.base == Vcpu.BASE_SPIN) {
            if (v.spinBudgetNs != Long.MAX_VALUE) {
                v.spinBudgetNs -= ran;
            }
            if (recording) {
                spinNs[v.vm.index] += ran;
            }
        }
        bumpEpoch(v);
    }

    private long nextActionBusyNs(Vcpu v) {
        long next = Math.min(v.busyEndNs, v.stepEndBusyNs);
        for (long t : v.nextSendBusyNs) {
            if (t < next) {
                next = t;
            }
        }
        return next;
    }

    private void startBusyPeriod(Vcpu v) {
        v.base = Vcpu.BASE_WORK;
        v.busyEndNs = guest.idleNsMean() == 0 || workload != null
                ? Long.MAX_VALUE
                : v.busyClockNs + RandomStreams.exponentialNs(v.random, guest.busyNsMean());
    }

    private void onSegmentEnd(Vcpu v, int epoch) {
        if (epoch != v.epoch || v.state != Vcpu.GUEST || !v.running) {
            return; // stale: the segment was paused after this event was scheduled
        }
        pauseGuest(v);
        if (v.handlerVector != Vcpu.NO_HANDLER) {
            handlerBodyDone(v);
            return;
        }
        // Base work reached its next action.
        int due = -1;
        long dueAt = v.busyEndNs;
        for (int k = 0; k < v.nextSendBusyNs.length; k++) {
            if (v.nextSendBusyNs[k] <= v.busyClockNs && v.nextSendBusyNs[k] < dueAt) {
                due = k;
                dueAt = v.nextSendBusyNs[k];
            }
        }
        if (due >= 0) {
            int s = v.sendSources[due];
            v.nextSendBusyNs[due] += RandomStreams.exponentialNs(v.sendRandom[due], 1e9 / ipiSources[s].ratePerSec());
            sendIpi(v, ipiSources[s]);
            if (v.state == Vcpu.GUEST) {
                runGuest(v);
            }
            return;
        }
        if (v.busyClockNs >= v.stepEndBusyNs) {
            v.stepEndBusyNs = Long.MAX_VALUE;
            workload.onComputeDone(v);
            if (v.state == Vcpu.GUEST) {
                runGuest(v);
            }
            return;
        }
        if (v.busyClockNs >= v.busyEndNs) {
            goIdle(v);
            return;
        }
        runGuest(v);
    }

    /** The busy period ended: arm the LAPIC timer for the idle period (a TSC-deadline write), then idle. */
    private void goIdle(Vcpu v) {
        v.base = Vcpu.BASE_IDLE;
        v.busyEndNs = Long.MAX_VALUE;
        long idle = RandomStreams.exponentialNs(v.random, guest.idleNsMean());
        // WRMSR TSC_DEADLINE is fastpath-eligible (kvm-model §3.2).
        long cost = sample(v, costs.msrWriteFastpath());
        v.timerEpoch++;
        queue.schedule(now + cost + idle, EV_TIMER, v.id, v.timerEpoch);
        startExit(v, ExitReason.MSR_WRITE, cost);
    }

    private void onTimer(Vcpu v, int timerEpoch) {
        if (timerEpoch != v.timerEpoch) {
            return;
        }
        // apic_timer_expired -> kvm_apic_local_deliver: a fixed interrupt from the vCPU's own LAPIC.
        deliveryOriginNs = now;
        accept(v.index, v.vm, Icr.fixedPhysical(LOCAL_TIMER_VECTOR, v.lapic.apicId()));
    }

    // ======================================================================================
    // Interrupt acceptance (__apic_accept_irq + vendor delivery hook) and its effect on the target
    // ======================================================================================

    private boolean accept(int vcpuIndex, Vm vm, long irq) {
        Vcpu t = vm.vcpus[vcpuIndex];
        if (!t.lapic.accept(irq)) {
            return false;
        }
        int dm = Icr.deliveryMode(irq);
        if (dm == Icr.DM_NMI) {
            count(vm, KvmStat.NMI_INJECTIONS);
            kick(t);
            return true;
        }
        if (dm != Icr.DM_FIXED && dm != Icr.DM_LOWEST) {
            kick(t);
            return true;
        }
        int v = Icr.vector(irq);
        boolean alreadyPending = t.lapic.irrContains(v) || t.pid.pirContains(v);
        if (!alreadyPending) {
            t.pendingSinceNs[v] = deliveryOriginNs;
        } else {
            count(vm, KvmStat.INTERRUPTS_COALESCED);
        }
        if (apicv) {
            count(vm, KvmStat.POSTED_INTERRUPTS);
            if (t.pid.post(v)) {
                notifyPosted(t);
            }
        } else {
            t.lapic.setIrr(v);
            kick(t);
        }
        return true;
    }

    /** APICv: the posted-interrupt notification (or the wakeup vector for a blocked vCPU), kvm-model §1.10. */
    private void notifyPosted(Vcpu t) {
        // In the host the PIR is synced at the next entry; a preempted vCPU's SN kept the post silent.
        signal(t, EV_PI_NOTIFY, costs.postedIntrLatencyNs());
    }

    /** {@code kvm_vcpu_kick}: a host IPI if the target is in guest mode, a wake-up if it is blocked. */
    private void kick(Vcpu t) {
        signal(t, EV_KICK, costs.hostKickLatencyNs());
    }

    /** A vCPU in guest mode gets {@code guestEvent} after the latency; a halted one is woken; others need nothing. */
    private void signal(Vcpu t, int guestEvent, long latencyNs) {
        switch (t.state) {
            case Vcpu.GUEST:
                queue.schedule(now + deliveryDelayNs + latencyNs, guestEvent, t.id, 0);
                break;
            case Vcpu.BLOCKED:
                wake(t);
                break;
            case Vcpu.POLLING:
                endPoll(t);
                break;
            default:
                break;
        }
    }

    private void onPostedInterruptNotification(Vcpu t) {
        if (t.state != Vcpu.GUEST) {
            return;
        }
        // The CPU merges PIR into the virtual IRR and evaluates it: no exit (virtual-interrupt delivery).
        t.pid.syncTo(t.lapic);
        if (t.interruptsEnabled() && hasDeliverable(t)) {
            pauseGuest(t);
            takeInterrupt(t);
            runGuest(t);
        }
    }

    private void onKick(Vcpu t) {
        if (t.state != Vcpu.GUEST) {
            return;
        }
        startExit(t, ExitReason.EXTERNAL_INTERRUPT, sample(t, costs.externalInterrupt()));
    }

    private boolean hasDeliverable(Vcpu v) {
        return v.lapic.nmiPending() || v.lapic.highestDeliverable() >= 0;
    }

    /** The guest takes the highest-priority pending interrupt (NMI first) and starts its handler. Guest is paused. */
    private void takeInterrupt(Vcpu v) {
        Vm vm = v.vm;
        if (v.lapic.takeNmi()) {
            v.handlerVector = Vcpu.NMI_HANDLER;
            v.handlerRemainingNs = guest.timerHandlerNs();
            return;
        }
        int vec = v.lapic.ack();
        if (vec < 0) {
            return;
        }
        if (!apicv) {
            count(vm, KvmStat.IRQ_INJECTIONS);
        }
        long latency = now - v.pendingSinceNs[vec];
        int owner = v.vectorOwner[vec];
        int kind = VectorOwner.kind(owner);
        if (recording) {
            if (kind == VectorOwner.IPI || kind == VectorOwner.CALL_FUNCTION || kind == VectorOwner.RESCHEDULE) {
                ipiLatency.recordValue(Math.max(0, latency));
            } else if (kind == VectorOwner.DEVICE || kind == VectorOwner.MSI) {
                deviceLatency.recordValue(Math.max(0, latency));
            }
        }
        if (v.base == Vcpu.BASE_IDLE && kind == VectorOwner.IPI && guest.ipiEndsIdle()) {
            // A reschedule/call-function IPI gives an idle CPU work: the idle period ends.
            v.timerEpoch++;
            startBusyPeriod(v);
        }
        v.handlerVector = vec;
        v.handlerRemainingNs = v.vectorHandlerNs[vec] > 0 ? v.vectorHandlerNs[vec] : guest.timerHandlerNs();
    }

    /** The handler's body is done: the driver acks its device, then the guest writes EOI and returns with IRET. */
    private void handlerBodyDone(Vcpu v) {
        int vec = v.handlerVector;
        if (vec == Vcpu.NMI_HANDLER) {
            v.handlerVector = Vcpu.NO_HANDLER;
            completeIret(v);
            return;
        }
        int owner = v.vectorOwner[vec];
        switch (VectorOwner.kind(owner)) {
            case VectorOwner.DEVICE:
                DeviceSource dev = devices[VectorOwner.index(owner)];
                if (dev.level() && dev.deassertInHandler()) {
                    v.vm.ioapic.setIrq(dev.pin(), false);
                }
                break;
            case VectorOwner.TIMER:
                if (v.base == Vcpu.BASE_IDLE && workload == null) {
                    startBusyPeriod(v);
                }
                break;
            case VectorOwner.CALL_FUNCTION:
                workload.onCallFunctionHandled(v);
                break;
            default:
                break;
        }
        v.pendingIret = true;
        if (apicv) {
            // EOI virtualization retires the vector in hardware; it exits only for vectors in the EOI-exit bitmap.
            v.lapic.eoiAccelerated(vec);
            if (v.eoiExitBitmapContains(vec)) {
                count(v.vm, KvmStat.EOIS_TRAPPED);
                trackEoi(v, vec);
                sendEoiToIoapic(v, vec);
                startExit(v, ExitReason.EOI_INDUCED, sample(v, costs.eoiInduced()));
                return;
            }
            completeIret(v);
            return;
        }
        // Without APICv every EOI write exits: MSR 0x80B in x2APIC, an MMIO access in xAPIC (§1.11).
        int retired = v.lapic.eoi();
        count(v.vm, KvmStat.EOIS_TRAPPED);
        if (retired >= 0) {
            trackEoi(v, retired);
            sendEoiToIoapic(v, retired);
        }
        if (x2apic) {
            startExit(v, ExitReason.MSR_WRITE, sample(v, costs.msrWriteSlow()));
        } else {
            startExit(v, ExitReason.APIC_ACCESS, sample(v, costs.apicAccess()));
        }
    }

    /** Patch 08: an EOI that KVM sees clears the IPI-tracking context. */
    private void trackEoi(Vcpu v, int vec) {
        if (v.vm.ipiTracker.onEoi(v.index, vec, now)) {
            count(v.vm, KvmStat.IPI_TRACKING_EOI_CLEARS);
        }
    }

    /** IRET: interrupts are enabled again; take the next pending one, or resume what was interrupted. */
    private void completeIret(Vcpu v) {
        v.handlerVector = Vcpu.NO_HANDLER;
        v.pendingIret = false;
        if (workload != null && v.base == Vcpu.BASE_IDLE) {
            workload.resumeIfWorkArrived(v);
        }
        if (apicv) {
            if (hasDeliverable(v)) {
                takeInterrupt(v);
            }
        } else if (v.irqWindowArmed) {
            v.irqWindowArmed = false;
            startExit(v, ExitReason.INTERRUPT_WINDOW, sample(v, costs.interruptWindow()));
            return;
        }
        runGuest(v);
    }

    /** {@code kvm_ioapic_send_eoi} with the v5 stale-vector rescan (kvm-model §2.5). */
    private void sendEoiToIoapic(Vcpu v, int vec) {
        if (!v.eoiExitBitmapContains(vec)) {
            return;
        }
        if (kvm.ioapicEoiFix() && v.highestStalePendingIoapicEoi == vec) {
            requestScan(v);
        }
        count(v.vm, KvmStat.IOAPIC_EOIS);
        deliveryOriginNs = now; // a re-injection's latency counts from the EOI that re-injects it
        v.vm.ioapic.updateEoi(vec, v.lapic.tmrContains(vec));
    }

    // ======================================================================================
    // Exits, entries, HLT
    // ======================================================================================

    private void startExit(Vcpu v, ExitReason reason, long durationNs) {
        pauseGuest(v);
        v.state = Vcpu.HOST;
        v.exitReason = reason;
        v.exitStartNs = now;
        recordExit(v, reason, durationNs);
        scheduleEpochEvent(v, now + durationNs, EV_EXIT_END);
    }

    /** Exits that follow each other back to back (several ICR writes of one send): one host period, N records. */
    private void startExits(Vcpu v, long totalNs) {
        pauseGuest(v);
        v.state = Vcpu.HOST;
        v.exitStartNs = now;
        scheduleEpochEvent(v, now + totalNs, EV_EXIT_END);
    }

    private void recordExit(Vcpu v, ExitReason reason, long durationNs) {
        if (!recording) {
            return;
        }
        Vm vm = v.vm;
        vm.exitStats.record(reason, durationNs);
        count(vm, KvmStat.EXITS);
        if (reason == ExitReason.EXTERNAL_INTERRUPT) {
            count(vm, KvmStat.IRQ_EXITS);
        } else if (reason == ExitReason.INTERRUPT_WINDOW) {
            count(vm, KvmStat.IRQ_WINDOW_EXITS);
        } else if (reason == ExitReason.HLT) {
            count(vm, KvmStat.HALT_EXITS);
        }
        sink.onExit(now, vm.index, v.index, reason, durationNs);
    }

    private void onExitEnd(Vcpu v, int epoch) {
        if (epoch != v.epoch || v.state != Vcpu.HOST) {
            return;
        }
        if (v.needResched) {
            // Exit-to-guest work: need_resched set, so schedule() before re-entering (xfer_to_guest_mode_work).
            v.needResched = false;
            Pcpu p = pcpus[v.pcpu];
            if (p.rq.nrQueued() > 1 || !p.rq.isQueued(v.entity)) {
                schedule(p);
                return;
            }
        }
        enterGuest(v);
    }

    /** {@code vcpu_enter_guest}: process requests, sync PIR, inject or arm the interrupt window, enter. */
    private void enterGuest(Vcpu v) {
        v.state = Vcpu.GUEST;
        if (v.exitReason == ExitReason.HLT && v.haltStartNs >= 0) {
            // perf kvm stat charges the time blocked (and polled) to the HLT exit.
            long savedNow = now;
            now = v.haltStartNs;
            recordExit(v, ExitReason.HLT, savedNow - v.haltStartNs);
            now = savedNow;
            v.haltStartNs = -1;
        }
        if (v.lapic.initPending()) {
            // INIT (kvm_vcpu_reset): the LAPIC and, with the series, the IPI context are reset (SEED-06).
            v.lapic.reset();
            v.vm.ipiTracker.resetOnInit(v.index);
        }
        if (v.scanIoapicRequested) {
            v.scanIoapicRequested = false;
            scanIoapic(v);
        }
        if (apicv) {
            v.pid.syncTo(v.lapic);
        }
        if (hasDeliverable(v)) {
            if (v.interruptsEnabled()) {
                takeInterrupt(v);
            } else if (!apicv) {
                v.irqWindowArmed = true;
            }
        }
        if (v.pendingIret) {
            completeIret(v);
            return;
        }
        runGuest(v);
    }

    /** The guest executes HLT ({@code kvm_vcpu_halt}, §3.4): blocks unless an event is already pending. */
    private void executeHlt(Vcpu v) {
        pauseGuest(v);
        if (apicv) {
            v.pid.syncTo(v.lapic);
        }
        if (hasDeliverable(v) || v.lapic.pvUnhalted()) {
            v.lapic.clearPvUnhalted();
            startExit(v, ExitReason.HLT, sample(v, costs.hlt()));
            return;
        }
        v.state = Vcpu.HOST;
        v.exitReason = ExitReason.HLT;
        v.exitStartNs = now;
        v.haltStartNs = now;
        bumpEpoch(v);
        Pcpu p = pcpus[v.pcpu];
        // kvm_vcpu_halt: poll only while this vCPU's thread is the pCPU's only runnable task (kvm-model §3.4).
        if (v.haltPoll.shouldPoll(p.rq.nrQueued() == 1) && v.haltPoll.pollWindowNs() > 0) {
            count(v.vm, KvmStat.HALT_ATTEMPTED_POLL);
            v.state = Vcpu.POLLING;
            scheduleEpochEvent(v, now + v.haltPoll.pollWindowNs(), EV_POLL_END);
            return;
        }
        block(v);
    }

    /** A wake event arrived while polling: no block, back into the guest (halt_successful_poll). */
    private void endPoll(Vcpu v) {
        count(v.vm, KvmStat.HALT_SUCCESSFUL_POLL);
        v.haltPoll.onWakeup(now - v.haltStartNs, true);
        v.state = Vcpu.HOST;
        bumpEpoch(v);
        scheduleEpochEvent(v, now + deliveryDelayNs + sample(v, costs.hlt()), EV_EXIT_END);
    }

    private void onPollEnd(Vcpu v, int epoch) {
        if (epoch != v.epoch || v.state != Vcpu.POLLING) {
            return;
        }
        block(v);
    }

    /** {@code kvm_vcpu_block}: the thread sleeps; its pCPU runs something else. */
    private void block(Vcpu v) {
        v.state = Vcpu.BLOCKED;
        bumpEpoch(v);
        Pcpu p = pcpus[v.pcpu];
        p.rq.dequeue(v.entity, now, true);
        schedule(p);
    }

    /**
     * {@code kvm_vcpu_wake_up}: the blocked thread becomes runnable ({@code ready}, a directed-yield candidate) and is
     * enqueued with wake-up placement; an idle pCPU picks it after the wake-up latency, a busy one only if the wakee
     * preempts the running thread (kvm-model §3.4, §6.2).
     */
    private void wake(Vcpu v) {
        if (v.state != Vcpu.BLOCKED) {
            return;
        }
        count(v.vm, KvmStat.HALT_WAKEUP);
        v.haltPoll.onWakeup(now - v.haltStartNs, true);
        v.state = Vcpu.RUNNABLE;
        v.ready = true;
        v.runnableSinceNs = now;
        Pcpu p = pcpus[v.pcpu];
        boolean resched = p.rq.enqueue(v.entity, now, true);
        if (p.running == null) {
            if (!p.wakePending) {
                p.wakePending = true;
                queue.schedule(
                        now + deliveryDelayNs + costs.wakeupLatencyNs() + sample(v, costs.hlt()),
                        EV_PCPU_WAKE,
                        p.id,
                        0);
            }
        } else if (resched) {
            requestResched(p.running);
        }
        armTick(p);
    }

    // ======================================================================================
    // Host scheduler: kvm_sched_out / kvm_sched_in around EEVDF picks (kvm-model §5.1, §6)
    // ======================================================================================

    /** {@code schedule()} on one pCPU: pick, then switch if the pick is another thread. */
    private void schedule(Pcpu p) {
        Vcpu prev = p.running;
        int e = p.rq.pick(now);
        Vcpu next = e < 0 ? null : p.byEntity[e];
        if (next == prev && prev != null) {
            if (prev.state == Vcpu.HOST) {
                enterGuest(prev);
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
        kvmSchedIn(next);
        count(next.vm, KvmStat.CONTEXT_SWITCHES);
        // The switch and vcpu_load take host time before the entry.
        next.state = Vcpu.HOST;
        bumpEpoch(next);
        long cost = prev == null ? 0 : scenario.host().contextSwitchNs();
        scheduleEpochEvent(next, now + cost, EV_EXIT_END);
        armTick(p);
    }

    /** {@code kvm_sched_out}: the preempt notifier sets preempted/ready if the thread is still runnable (§5.1). */
    private void kvmSchedOut(Vcpu v) {
        pauseGuest(v);
        v.scheduledOut = true;
        if (v.state == Vcpu.BLOCKED) {
            v.preempted = false;
            return;
        }
        v.state = Vcpu.RUNNABLE;
        v.preempted = true;
        v.ready = true;
        v.preemptedInKernel = v.cpl == 0;
        v.runnableSinceNs = now;
        // vmx_vcpu_pi_put: a preempted vCPU's PID suppresses notifications (§1.10).
        v.pid.setSuppressNotification(true);
        count(v.vm, KvmStat.PREEMPTIONS);
    }

    /** {@code kvm_sched_in} + {@code vcpu_load}: flags cleared, PID live again, PLE window shrunk (§4.2, §5.1). */
    private void kvmSchedIn(Vcpu v) {
        if (v.state == Vcpu.RUNNABLE) {
            long waited = now - v.runnableSinceNs;
            if (recording) {
                v.stealNs += waited;
                stealTotalNs += waited;
            }
        }
        v.preempted = false;
        v.ready = false;
        v.pid.setSuppressNotification(false);
        v.ple.onVcpuLoad(v.scheduledOut);
        v.scheduledOut = false;
        if (v.vm.directedYield.inSpinLoop(v.index)) {
            v.vm.directedYield.finishSpin(v.index);
        }
    }

    /** Makes the running vCPU schedule at its next exit, forcing an exit if it is in guest mode (resched IPI). */
    private void requestResched(Vcpu v) {
        boolean alreadySet = v.needResched;
        v.needResched = true;
        switch (v.state) {
            case Vcpu.GUEST:
                // resched_curr() sends no IPI when TIF_NEED_RESCHED is already set: the kick in flight will do.
                if (!alreadySet) {
                    queue.schedule(now + costs.hostKickLatencyNs(), EV_KICK, v.id, 0);
                }
                break;
            case Vcpu.POLLING:
                // need_resched ends the poll; the vCPU blocks.
                bumpEpoch(v);
                block(v);
                break;
            default:
                break;
        }
    }

    /** Ticks run while more than one thread is runnable on the pCPU (NO_HZ otherwise). */
    private void armTick(Pcpu p) {
        if (!p.tickArmed && p.rq.nrQueued() > 1) {
            p.tickArmed = true;
            queue.schedule(now + scenario.sched().tickNs(), EV_TICK, p.id, 0);
        }
    }

    /** The host timer tick (HZ=1000): update_curr; a resched wish preempts the running vCPU at its next exit. */
    private void onTick(Pcpu p) {
        p.tickArmed = false;
        Vcpu v = p.running;
        if (v != null && p.rq.updateCurr(now)) {
            requestResched(v);
        }
        armTick(p);
    }

    // ======================================================================================
    // Pause-loop exits and directed yield (kvm-model §4, §5)
    // ======================================================================================

    /** The spin reached the PLE window: PAUSE exit, grow the window, {@code kvm_vcpu_on_spin}. */
    private void onPauseLoopExit(Vcpu v, int epoch) {
        if (epoch != v.epoch || v.state != Vcpu.GUEST || v.base != Vcpu.BASE_SPIN || v.handlerVector >= 0) {
            return;
        }
        pauseGuest(v);
        v.ple.onPleExit();
        count(v.vm, KvmStat.PLE_EXITS);
        Vm vm = v.vm;
        vm.view.me = v;
        SpinResult r = vm.directedYield.onSpin(v.index, true, now);
        vm.view.me = null;
        if (r.failure() != SpinFailure.TOO_FEW_VCPUS) {
            count(vm, KvmStat.SPIN_YIELD_ATTEMPTED);
            if (recording) {
                vm.counters[KvmStat.SPIN_YIELD_ESRCH.ordinal()] += r.esrch();
                sink.onYield(now, vm.index, v.index, r.target(), r.cause(), r.failure());
            }
        }
        if (r.boosted()) {
            count(vm, KvmStat.SPIN_YIELD_SUCCESSFUL);
            switch (r.cause()) {
                case IPI_RECEIVER:
                    count(vm, KvmStat.SPIN_YIELD_IPI_RECEIVER);
                    break;
                case PENDING_INTERRUPT:
                    count(vm, KvmStat.SPIN_YIELD_PENDING_INTERRUPT);
                    break;
                case RELAXED_FALLBACK:
                    count(vm, KvmStat.SPIN_YIELD_RELAXED);
                    break;
                default:
                    count(vm, KvmStat.SPIN_YIELD_PLAIN);
                    break;
            }
            // The yielder calls schedule() on its way out.
            v.needResched = true;
        }
        startExit(v, ExitReason.PAUSE_INSTRUCTION, sample(v, costs.pause()));
    }

    /** A pv-qspinlock waiter spun SPIN_THRESHOLD times: {@code kvm_wait} halts until the unlocker kicks (§7.1). */
    private void onSpinBudgetSpent(Vcpu v, int epoch) {
        if (epoch != v.epoch || v.state != Vcpu.GUEST || v.base != Vcpu.BASE_SPIN || v.handlerVector >= 0) {
            return;
        }
        pauseGuest(v);
        v.pvHalted = true;
        v.spinBudgetNs = Long.MAX_VALUE;
        executeHlt(v);
    }

    /** {@code kvm_vcpu_yield_to} from the current spinner to a vCPU of the same VM (§5.3, §5.4). */
    private int yieldTo(Vcpu me, Vcpu target) {
        Pcpu mp = pcpus[me.pcpu];
        Pcpu tp = pcpus[target.pcpu];
        if (mp.running != me) {
            return 0;
        }
        int r = Eevdf.yieldTo(mp.rq, me.entity, tp.rq, target.entity, now, true, aloneInVmGroup(me, mp));
        if (r > 0 && tp != mp && tp.running != null) {
            // resched_curr(p_rq): the target's pCPU reconsiders at once.
            requestResched(tp.running);
        }
        return r;
    }

    /** With per-VM cgroups: whether {@code me} is its VM's only runnable thread on its pCPU's run queue. */
    private boolean aloneInVmGroup(Vcpu me, Pcpu p) {
        if (!scenario.host().vmCgroups()) {
            return false;
        }
        for (int e = 0; e < p.rq.entityCount(); e++) {
            Vcpu other = p.byEntity[e];
            if (other != me && other.vm == me.vm && p.rq.isQueued(e) && !p.rq.isDelayed(e)) {
                return false;
            }
        }
        return true;
    }

    /** What {@code kvm_vcpu_on_spin} and {@code kvm_sched_yield} read from one VM's vCPUs (§5.1). */
    final class VmView implements VcpuView {
        private final Vm vm;
        /** The spinning or yielding vCPU while a directed-yield unit runs. */
        Vcpu me;

        VmView(Vm vm) {
            this.vm = vm;
        }

        @Override
        public int vcpuCount() {
            return vm.vcpus.length;
        }

        @Override
        public boolean ready(int vcpu) {
            return vm.vcpus[vcpu].ready;
        }

        @Override
        public boolean preempted(int vcpu) {
            return vm.vcpus[vcpu].preempted;
        }

        @Override
        public boolean preemptedInKernel(int vcpu) {
            return vm.vcpus[vcpu].preemptedInKernel;
        }

        @Override
        public boolean blocking(int vcpu) {
            return vm.vcpus[vcpu].state == Vcpu.BLOCKED;
        }

        @Override
        public boolean dyRunnable(int vcpu) {
            Vcpu t = vm.vcpus[vcpu];
            // kvm_arch_dy_runnable: pv_unhalted, a pending NMI or event request, or a pending posted interrupt.
            return t.lapic.pvUnhalted()
                    || t.lapic.nmiPending()
                    || (!apicv && t.lapic.highestIrr() >= 0)
                    || (apicv && t.pid.hasPendingInterrupt());
        }

        @Override
        public boolean hasPendingPostedInterrupt(int vcpu) {
            return apicv && vm.vcpus[vcpu].pid.hasPendingInterrupt();
        }

        @Override
        public int yieldTo(int target) {
            return HostSimulation.this.yieldTo(me, vm.vcpus[target]);
        }
    }

    // ======================================================================================
    // What the guest workload asks of the host (GuestWorkload)
    // ======================================================================================

    long now() {
        return now;
    }

    /** The guest computes for {@code ns} of busy time at the given privilege level. */
    void startCompute(Vcpu v, long ns, int cpl) {
        v.base = Vcpu.BASE_WORK;
        v.cpl = cpl;
        v.stepEndBusyNs = v.busyClockNs + ns;
    }

    /** The guest starts a CPL0 PAUSE loop; {@code budgetNs} of spinning before a pv-qspinlock waiter halts. */
    void startSpin(Vcpu v, int kind, long budgetNs) {
        v.base = Vcpu.BASE_SPIN;
        v.cpl = 0;
        v.spinKind = kind;
        v.spinSatisfied = false;
        v.pvHalted = false;
        v.spinStartNs = now;
        v.spinBudgetNs = budgetNs;
    }

    /** The guest has nothing to do until work arrives: the idle loop. */
    void idleForWork(Vcpu v) {
        v.base = Vcpu.BASE_IDLE;
        v.cpl = 0;
    }

    /** The condition a spinning vCPU waits for became true. */
    void spinDone(Vcpu v) {
        if (v.state == Vcpu.GUEST && v.running && v.base == Vcpu.BASE_SPIN && v.handlerVector == Vcpu.NO_HANDLER) {
            pauseGuest(v);
            v.base = Vcpu.BASE_WORK;
            workload.advance(v);
            if (v.state == Vcpu.GUEST) {
                runGuest(v);
            }
        } else {
            v.spinSatisfied = true;
        }
    }

    /** Whether the guest sees the target as preempted (the steal-time {@code preempted} flag). */
    boolean preemptedNow(Vcpu t) {
        return t.state == Vcpu.RUNNABLE && t.preempted;
    }

    /** The guest sends one IPI vector to the given vCPUs, through the configured send path. */
    void sendIpis(Vcpu v, int vector, int[] targets, int n) {
        System.arraycopy(targets, 0, targetScratch, 0, n);
        long cost =
                n == 1 ? sendPhysical(v, vector, Icr.DM_FIXED, targetScratch, 1) : sendMask(v, vector, Icr.DM_FIXED, n);
        if (recording) {
            ipiSendCost.recordValue(cost);
        }
    }

    /** {@code KVM_HC_KICK_CPU}: unhalt the target (REMRD delivery, §1.3), then {@code kvm_sched_yield} to it (§5.5). */
    void pvKick(Vcpu from, Vcpu target) {
        count(from.vm, KvmStat.HYPERCALLS);
        deliveryOriginNs = now;
        accept(target.index, target.vm, Icr.encode(0, Icr.DM_REMRD, Icr.DEST_PHYSICAL, true, false, 0, target.index));
        kvmSchedYield(from, target);
        startExit(from, ExitReason.VMCALL, sample(from, costs.vmcall()));
    }

    /** {@code KVM_HC_SCHED_YIELD} toward a preempted target (§5.5, §7.2). */
    void pvSchedYield(Vcpu from, Vcpu target) {
        count(from.vm, KvmStat.HYPERCALLS);
        kvmSchedYield(from, target);
        startExit(from, ExitReason.VMCALL, sample(from, costs.vmcall()));
    }

    private void kvmSchedYield(Vcpu from, Vcpu target) {
        Vm vm = from.vm;
        vm.view.me = from;
        KvmSchedYield.Outcome o =
                vm.schedYield.schedYield(from.index, target.index, pcpus[from.pcpu].rq.nrQueued() == 1);
        vm.view.me = null;
        count(vm, KvmStat.DIRECTED_YIELD_ATTEMPTED);
        if (o == KvmSchedYield.Outcome.YIELDED) {
            count(vm, KvmStat.DIRECTED_YIELD_SUCCESSFUL);
            from.needResched = true;
        }
    }

    void countLockContended(Vcpu v) {
        count(v.vm, KvmStat.LOCK_CONTENDED);
    }

    void iterationDone(Vcpu v, long latencyNs) {
        count(v.vm, KvmStat.WORKLOAD_ITERATIONS);
        if (recording) {
            iterationLatency.recordValue(Math.max(0, latencyNs));
        }
    }

    // ======================================================================================
    // IPI sending: the ICR write paths of kvm-model §1.6, §1.12, §1.13, §3.2, §7.4
    // ======================================================================================

    private void sendIpi(Vcpu v, IpiSource src) {
        Vm vm = v.vm;
        int dm = deliveryModeOf(src);
        long cost;
        switch (src.pattern()) {
            case UNICAST: {
                int t = pickOther(v, src);
                if (t < 0) {
                    return;
                }
                targetScratch[0] = t;
                cost = sendPhysical(v, src.vector(), dm, targetScratch, 1);
                break;
            }
            case MULTICAST: {
                int n = pickMany(v, src);
                if (n == 0) {
                    return;
                }
                cost = sendMask(v, src.vector(), dm, n);
                break;
            }
            case BROADCAST: {
                int n = 0;
                for (int i = 0; i < vm.vcpus.length; i++) {
                    if (i != v.index) {
                        targetScratch[n++] = i;
                    }
                }
                if (n == 0) {
                    return;
                }
                if (kvm.pvSendIpi() && dm == Icr.DM_FIXED) {
                    // The PV guest replaces send_IPI_allbutself with the hypercall.
                    cost = sendPv(v, src.vector(), n);
                } else if (guest.broadcastShorthand()) {
                    long irq = Icr.encode(
                            src.vector(), dm, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_ALL_EXCLUDING_SELF, 0);
                    writeScratch[0] = irq;
                    cost = icrWrites(v, writeScratch, 1);
                } else {
                    cost = sendMask(v, src.vector(), dm, n);
                }
                break;
            }
            case SELF:
                cost = sendSelf(v, src.vector(), dm);
                break;
            default:
                throw new IllegalStateException("unknown IPI pattern " + src.pattern());
        }
        if (recording) {
            ipiSendCost.recordValue(cost);
        }
    }

    private static int deliveryModeOf(IpiSource src) {
        switch (src.delivery()) {
            case LOWEST:
                return Icr.DM_LOWEST;
            case NMI:
                return Icr.DM_NMI;
            default:
                return Icr.DM_FIXED;
        }
    }

    private int pickOther(Vcpu v, IpiSource src) {
        int n = candidates(v, src);
        return n == 0 ? -1 : targetScratch[v.random.nextInt(n)];
    }

    /** Fills targetScratch with the source's possible targets other than the sender; returns how many. */
    private int candidates(Vcpu v, IpiSource src) {
        int n = 0;
        int per = v.vm.vcpus.length;
        if (src.targets().isEmpty()) {
            for (int i = 0; i < per; i++) {
                if (i != v.index) {
                    targetScratch[n++] = i;
                }
            }
        } else {
            for (int i = 0; i < src.targets().size(); i++) {
                int t = src.targets().get(i);
                if (t != v.index && t < per) {
                    targetScratch[n++] = t;
                }
            }
        }
        return n;
    }

    /** Multicast: a random subset of {@code fanout} candidates, kept in index order in targetScratch. */
    private int pickMany(Vcpu v, IpiSource src) {
        int n = candidates(v, src);
        int k = src.fanout() <= 0 ? n : Math.min(src.fanout(), n);
        // Partial Fisher-Yates, then sort the chosen prefix so sends go out in APIC-ID order.
        for (int i = 0; i < k; i++) {
            int j = i + v.random.nextInt(n - i);
            int tmp = targetScratch[i];
            targetScratch[i] = targetScratch[j];
            targetScratch[j] = tmp;
        }
        java.util.Arrays.sort(targetScratch, 0, k);
        return k;
    }

    /** {@code send_IPI_mask} in the guest: PV hypercall, one write per target, per cluster, or one flat mask. */
    private long sendMask(Vcpu v, int vector, int dm, int n) {
        if (kvm.pvSendIpi() && dm == Icr.DM_FIXED) {
            return sendPv(v, vector, n);
        }
        switch (guest.apicAddressing()) {
            case CLUSTER: {
                long[] writes = writeScratch;
                int w = 0;
                int i = 0;
                while (i < n) {
                    int cluster = targetScratch[i] >>> 4;
                    int mask = 0;
                    while (i < n && (targetScratch[i] >>> 4) == cluster) {
                        mask |= 1 << (targetScratch[i] & 0xF);
                        i++;
                    }
                    writes[w++] = Icr.encode(
                            vector,
                            dm,
                            Icr.DEST_LOGICAL,
                            true,
                            false,
                            Icr.SHORTHAND_NONE,
                            ((long) cluster << 16) | mask);
                }
                return icrWrites(v, writes, w);
            }
            case FLAT: {
                int mask = 0;
                for (int i = 0; i < n; i++) {
                    mask |= 1 << targetScratch[i];
                }
                writeScratch[0] = Icr.encode(vector, dm, Icr.DEST_LOGICAL, true, false, Icr.SHORTHAND_NONE, mask);
                return icrWrites(v, writeScratch, 1);
            }
            default:
                return sendPhysical(v, vector, dm, targetScratch, n);
        }
    }

    private long sendPhysical(Vcpu v, int vector, int dm, int[] targets, int n) {
        long[] writes = writeScratch;
        for (int i = 0; i < n; i++) {
            writes[i] = Icr.encode(
                    vector, dm, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_NONE, v.vm.lapics[targets[i]].apicId());
        }
        return icrWrites(v, writes, n);
    }

    /**
     * The guest writes the ICR {@code n} times in a row. Each write is virtualized by IPIv (unicast physical fixed),
     * or exits: MSR_WRITE in x2APIC (fastpath if the APIC map can deliver it), APIC_WRITE with APICv in xAPIC, or two
     * APIC_ACCESS exits (ICR2, ICR) in xAPIC without APICv (kvm-model §1.13).
     *
     * @return the sender's time for the whole operation
     */
    private long icrWrites(Vcpu v, long[] writes, int n) {
        Vm vm = v.vm;
        long offset = 0;
        boolean exited = false;
        for (int i = 0; i < n; i++) {
            long irq = writes[i];
            count(vm, KvmStat.IPIS_SENT);
            boolean virtualizable = Icr.deliveryMode(irq) == Icr.DM_FIXED
                    && Icr.destMode(irq) == Icr.DEST_PHYSICAL
                    && Icr.shorthand(irq) == Icr.SHORTHAND_NONE
                    && Icr.dest(irq) != (x2apic ? Icr.X2APIC_BROADCAST : Icr.XAPIC_BROADCAST);
            if (ipiv && virtualizable) {
                // IPIv: the CPU posts through the PID-pointer table; KVM never sees it (no tracking, §1.12).
                offset += costs.ipivSendNs();
                int t = vm.apicMap.destinations(v.index, irq, kvm.vectorHashing(), hardwareTargets);
                deliveryDelayNs = offset;
                deliveryOriginNs = now;
                for (int k = 0; k < t; k++) {
                    accept(hardwareTargets[k], vm, irq);
                }
                deliveryDelayNs = 0;
                continue;
            }
            ExitReason reason;
            long base;
            if (ipiv) {
                // IPIv traps what it cannot virtualize as an APIC-write exit (logical, shorthand, non-fixed).
                reason = ExitReason.APIC_WRITE;
                base = sample(v, costs.apicWrite());
            } else if (x2apic) {
                reason = ExitReason.MSR_WRITE;
                boolean fast = kvm.ipiFastpath() && vm.delivery.fastPathCanDeliver(v.index, irq);
                if (fast) {
                    count(vm, KvmStat.ICR_FASTPATH);
                }
                base = sample(v, fast ? costs.msrWriteFastpath() : costs.msrWriteSlow());
            } else if (apicv) {
                reason = ExitReason.APIC_WRITE;
                base = sample(v, costs.apicWrite());
            } else {
                // xAPIC without APICv: the ICR2 write exits first.
                long icr2 = sample(v, costs.apicAccess());
                exitAt(v, ExitReason.APIC_ACCESS, offset, icr2);
                offset += icr2;
                reason = ExitReason.APIC_ACCESS;
                base = sample(v, costs.apicAccess());
            }
            deliveryDelayNs = offset + base;
            deliveryOriginNs = now;
            int accepted = deliverFrom(v, irq);
            deliveryDelayNs = 0;
            long extra = Math.max(0, accepted - 1) * costs.kvmDeliverPerTargetNs();
            if (vm.delivery.lastUsedSlowPath()) {
                extra += vm.vcpus.length * costs.apicSlowPathPerVcpuNs();
            }
            exitAt(v, reason, offset, base + extra);
            offset += base + extra;
            exited = true;
        }
        if (exited) {
            startExits(v, offset);
        }
        return offset;
    }

    /** Records one exit of a back-to-back series, at its start offset. */
    private void exitAt(Vcpu v, ExitReason reason, long offsetNs, long durationNs) {
        long saved = now;
        now = saved + offsetNs;
        recordExit(v, reason, durationNs);
        now = saved;
    }

    /** {@code kvm_irq_delivery_to_apic} from a vCPU's LAPIC, then patch 07's recording. */
    private int deliverFrom(Vcpu v, long irq) {
        Vm vm = v.vm;
        int r = vm.delivery.deliver(v.index, irq, vm.acceptor);
        if (vm.delivery.lastUsedSlowPath()) {
            count(vm, KvmStat.APIC_SLOW_PATH_DELIVERIES);
        }
        if (vm.ipiTracker.onDelivered(
                v.index, irq, vm.delivery.lastAcceptedCount(), vm.delivery.lastSingleTarget(), now)) {
            count(vm, KvmStat.IPI_TRACKING_RECORDS);
        }
        return r;
    }

    /**
     * {@code KVM_HC_SEND_IPI}: one VMCALL per 128-APIC-ID window; KVM accepts on each target directly
     * ({@code __pv_send_ipi} calls {@code kvm_apic_set_irq}, not the tracked delivery path), kvm-model §7.4.
     */
    private long sendPv(Vcpu v, int vector, int n) {
        Vm vm = v.vm;
        long irq = Icr.fixedPhysical(vector, 0);
        long offset = 0;
        int i = 0;
        while (i < n) {
            int min = vm.lapics[targetScratch[i]].apicId();
            int j = i;
            while (j < n && vm.lapics[targetScratch[j]].apicId() < min + PV_IPI_WINDOW) {
                j++;
            }
            long cost = sample(v, costs.vmcall()) + Math.max(0, j - i - 1) * costs.kvmDeliverPerTargetNs();
            deliveryDelayNs = offset + cost;
            deliveryOriginNs = now;
            for (int k = i; k < j; k++) {
                count(vm, KvmStat.IPIS_SENT);
                accept(targetScratch[k], vm, irq);
            }
            deliveryDelayNs = 0;
            exitAt(v, ExitReason.VMCALL, offset, cost);
            offset += cost;
            i = j;
        }
        startExits(v, offset);
        return offset;
    }

    /** A self-IPI: the x2APIC SELF_IPI MSR (virtualized with APICv), or the ICR with the self shorthand. */
    private long sendSelf(Vcpu v, int vector, int dm) {
        Vm vm = v.vm;
        if (x2apic && dm == Icr.DM_FIXED) {
            count(vm, KvmStat.IPIS_SENT);
            long irq = Icr.encode(vector, Icr.DM_FIXED, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_SELF, 0);
            if (apicv) {
                // Virtual-interrupt delivery virtualizes the SELF IPI MSR: vIRR is set, no exit.
                deliveryOriginNs = now;
                accept(v.index, vm, irq);
                v.pid.syncTo(v.lapic);
                if (v.interruptsEnabled() && hasDeliverable(v)) {
                    takeInterrupt(v);
                }
                return 0;
            }
            long cost = sample(v, costs.msrWriteSlow());
            deliveryOriginNs = now;
            deliverFrom(v, irq);
            startExit(v, ExitReason.MSR_WRITE, cost);
            return cost;
        }
        writeScratch[0] = Icr.encode(vector, dm, Icr.DEST_PHYSICAL, true, false, Icr.SHORTHAND_SELF, 0);
        return icrWrites(v, writeScratch, 1);
    }

    // ======================================================================================
    // Devices, MSIs and IOAPIC reprogramming
    // ======================================================================================

    private void onDeviceFire(int globalIndex) {
        int d = globalIndex % devices.length;
        Vm vm = vms[globalIndex / devices.length];
        DeviceSource dev = devices[d];
        deliveryOriginNs = now;
        // A level device whose line is still high has nothing new to signal.
        if (!(dev.level() && vm.ioapic.lineAsserted(dev.pin()))) {
            vm.ioapic.setIrq(dev.pin(), true);
        }
        if (!dev.level()) {
            // An edge is a pulse: irqfd asserts and deasserts at once.
            vm.ioapic.setIrq(dev.pin(), false);
        }
        queue.schedule(
                now + RandomStreams.exponentialNs(deviceRandom[globalIndex], 1e9 / dev.ratePerSec()),
                EV_DEVICE_FIRE,
                globalIndex,
                0);
    }

    private void onMsiStart(int globalIndex) {
        int d = globalIndex % msis.length;
        Vm vm = vms[globalIndex / msis.length];
        MsiSource msi = msis[d];
        // The guest assigns the MSI's vector on its destination CPU from now on.
        for (Vcpu v : vm.vcpus) {
            if (v.lapic.apicId() == msi.destApicId()) {
                v.vectorOwner[msi.vector()] = VectorOwner.of(VectorOwner.MSI, d);
                v.vectorHandlerNs[msi.vector()] = msi.handlerNs();
            }
        }
        queue.schedule(
                now + RandomStreams.exponentialNs(msiRandom[globalIndex], 1e9 / msi.ratePerSec()),
                EV_MSI_FIRE,
                globalIndex,
                0);
    }

    private void onMsiFire(int globalIndex) {
        int d = globalIndex % msis.length;
        Vm vm = vms[globalIndex / msis.length];
        MsiSource msi = msis[d];
        deliveryOriginNs = now;
        vm.delivery.deliver(-1, Icr.fixedPhysical(msi.vector(), msi.destApicId()), vm.acceptor);
        queue.schedule(
                now + RandomStreams.exponentialNs(msiRandom[globalIndex], 1e9 / msi.ratePerSec()),
                EV_MSI_FIRE,
                globalIndex,
                0);
    }

    private void onIoapicWrite(Vm vm, int w) {
        IoapicWrite write = scenario.ioapicWrites().get(w);
        deliveryOriginNs = now;
        vm.ioapic.retarget(write.pin(), write.destApicId(), vm.lapics);
        for (int d = 0; d < devices.length; d++) {
            if (devices[d].pin() == write.pin()) {
                installDeviceHandler(vm, d, write.destApicId(), Icr.DEST_PHYSICAL);
            }
        }
    }

    /** {@code KVM_REQ_SCAN_IOAPIC}: processed at the vCPU's next entry; a running vCPU is kicked out for it. */
    private void requestScan(Vcpu v) {
        v.scanIoapicRequested = true;
        if (v.state == Vcpu.GUEST) {
            queue.schedule(now + costs.hostKickLatencyNs(), EV_KICK, v.id, 0);
        } else if (v.state == Vcpu.BLOCKED) {
            wake(v);
        }
    }

    /** {@code vcpu_scan_ioapic}: rebuild {@code ioapic_handled_vectors} (= the EOI-exit bitmap), §2.4. */
    private void scanIoapic(Vcpu v) {
        if (apicv) {
            v.pid.syncTo(v.lapic);
        }
        java.util.Arrays.fill(v.ioapicHandledVectors, 0L);
        v.highestStalePendingIoapicEoi = v.vm.ioapic.scanEntry(v.lapic, v.ioapicHandledVectors);
        if (recording) {
            count(v.vm, KvmStat.IOAPIC_SCANS);
        }
    }

    // ======================================================================================
    // Costs and statistics
    // ======================================================================================

    /** A handling time: the floor plus an exponential tail with the right mean (kvm-model §3.3). */
    private static long sample(Vcpu v, CostDist cost) {
        long tail = cost.meanNs() - cost.minNs();
        return tail <= 0 ? cost.minNs() : cost.minNs() + RandomStreams.exponentialNs(v.random, tail);
    }

    private void count(Vm vm, KvmStat stat) {
        if (recording) {
            vm.counters[stat.ordinal()]++;
        }
    }

    // ---- read-out, for the result builder ----

    Vm[] vms() {
        return vms;
    }

    Histogram ipiLatency() {
        return ipiLatency;
    }

    Histogram deviceLatency() {
        return deviceLatency;
    }

    Histogram ipiSendCost() {
        return ipiSendCost;
    }

    long eventsProcessed() {
        return eventsProcessed;
    }

    Histogram iterationLatency() {
        return iterationLatency;
    }

    long spinNs() {
        long t = 0;
        for (long x : spinNs) {
            t += x;
        }
        return t;
    }

    long stealTotalNs() {
        return stealTotalNs;
    }

    Vcpu[] vcpus() {
        return vcpus;
    }

    boolean hasWorkload() {
        return workload != null;
    }

    Scenario scenario() {
        return scenario;
    }
}
