package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.engine.RandomStreams;
import dev.kvmfleetsim.hostsim.model.lapic.Icr;
import dev.kvmfleetsim.hostsim.model.scenario.DeviceSource;
import dev.kvmfleetsim.hostsim.model.scenario.IoapicWrite;
import dev.kvmfleetsim.hostsim.model.scenario.IpiSource;
import dev.kvmfleetsim.hostsim.model.scenario.MsiSource;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import java.util.SplittableRandom;

/**
 * The interrupt sources of the scenario and the guest's vector assignments: devices behind the IOAPIC (irqfd),
 * MSIs, the guest reprogramming IOAPIC entries, the IPI sources each vCPU sends from, and
 * {@code KVM_REQ_SCAN_IOAPIC} / {@code vcpu_scan_ioapic} (ioapic.c, irq_comm.c; kvm-model §2).
 */
final class IrqSources {
    // Random stream domains (RandomStreams): stable ids so that streams do not depend on construction order.
    static final int RS_SEND = 2;
    static final int RS_DEVICE = 3;
    static final int RS_MSI = 4;

    private final HostContext ctx;
    private final IpiSource[] ipiSources;
    private final DeviceSource[] devices;
    private final MsiSource[] msis;
    private final SplittableRandom[] deviceRandom;
    private final SplittableRandom[] msiRandom;
    private Vm[] vms;
    private VcpuHalt halt;

    IrqSources(HostContext ctx, int vmCount, RandomStreams streams) {
        this.ctx = ctx;
        Scenario sc = ctx.scenario;
        this.ipiSources = sc.ipis().toArray(new IpiSource[0]);
        this.devices = sc.devices().toArray(new DeviceSource[0]);
        this.msis = sc.msis().toArray(new MsiSource[0]);
        this.deviceRandom = new SplittableRandom[vmCount * devices.length];
        this.msiRandom = new SplittableRandom[vmCount * msis.length];
        for (int m = 0; m < vmCount; m++) {
            for (int d = 0; d < devices.length; d++) {
                deviceRandom[m * devices.length + d] = streams.stream(RS_DEVICE, m, d);
            }
            for (int d = 0; d < msis.length; d++) {
                msiRandom[m * msis.length + d] = streams.stream(RS_MSI, m, d);
            }
        }
    }

    void link(HostParts p) {
        this.vms = p.vms;
        this.halt = p.halt;
    }

    /** Boot: program each device's IOAPIC entry and schedule its first fire, the MSIs' start and the IOAPIC writes. */
    void setUpVm(Vm vm) {
        for (int d = 0; d < devices.length; d++) {
            DeviceSource dev = devices[d];
            int dm = dev.lowestPriority() ? Icr.DM_LOWEST : Icr.DM_FIXED;
            int dmode = dev.logical() ? Icr.DEST_LOGICAL : Icr.DEST_PHYSICAL;
            vm.ioapic.writeEntry(dev.pin(), dev.vector(), dm, dmode, dev.destApicId(), dev.level(), false, vm.lapics);
            installDeviceHandler(vm, d, dev.destApicId(), dmode);
            SplittableRandom r = deviceRandom[vm.index * devices.length + d];
            ctx.queue.schedule(
                    dev.startNs() + RandomStreams.exponentialNs(r, 1e9 / dev.ratePerSec()),
                    EventKind.DEVICE_FIRE,
                    vm.index * devices.length + d,
                    0);
        }
    }

    /** Boot, after {@link #setUpVm}: the MSIs' start and the scenario's IOAPIC writes. */
    void scheduleGuestEvents(Vm vm) {
        for (int d = 0; d < msis.length; d++) {
            ctx.queue.schedule(msis[d].startNs(), EventKind.MSI_START, vm.index * msis.length + d, 0);
        }
        for (int w = 0; w < ctx.scenario.ioapicWrites().size(); w++) {
            ctx.queue.schedule(ctx.scenario.ioapicWrites().get(w).atNs(), EventKind.IOAPIC_WRITE, vm.index, w);
        }
    }

    private void installDeviceHandler(Vm vm, int d, long dest, int dmode) {
        DeviceSource dev = devices[d];
        for (Vcpu v : vm.vcpus) {
            if (v.lapic.matchDest(false, Icr.SHORTHAND_NONE, dest, dmode)) {
                v.vectors.install(dev.vector(), VectorTable.Kind.DEVICE, d, dev.handlerNs());
            }
        }
    }

    /** Boot: the local timer's and the IPI sources' handlers, and the sources this vCPU sends from with their streams. */
    void setUpVcpu(Vcpu v, RandomStreams streams) {
        GuestState g = v.guest;
        v.vectors.install(GuestCpu.LOCAL_TIMER_VECTOR, VectorTable.Kind.TIMER, 0, ctx.guest.timerHandlerNs());
        int n = 0;
        int[] mine = new int[ipiSources.length];
        for (int s = 0; s < ipiSources.length; s++) {
            IpiSource src = ipiSources[s];
            // Every vCPU can receive every source's vector.
            v.vectors.install(src.vector(), VectorTable.Kind.IPI, s, src.handlerNs());
            if (src.ratePerSec() > 0
                    && (src.senders().isEmpty() || src.senders().contains(v.index))) {
                mine[n++] = s;
            }
        }
        g.sendSources = java.util.Arrays.copyOf(mine, n);
        g.nextSendBusyNs = new long[n];
        g.sendRandom = new SplittableRandom[n];
        for (int k = 0; k < n; k++) {
            int s = g.sendSources[k];
            g.sendRandom[k] = streams.stream(RS_SEND, v.vm.index * 65_536 + s, v.index);
            g.nextSendBusyNs[k] = RandomStreams.exponentialNs(g.sendRandom[k], 1e9 / ipiSources[s].ratePerSec());
        }
    }

    /** {@link EventKind#DEVICE_FIRE}: irqfd asserts the device's pin (and deasserts at once for an edge). */
    void onDeviceFire(int globalIndex) {
        int d = globalIndex % devices.length;
        Vm vm = vms[globalIndex / devices.length];
        DeviceSource dev = devices[d];
        long now = ctx.now;
        // A level device whose line is still high has nothing new to signal.
        if (!(dev.level() && vm.ioapic.lineAsserted(dev.pin()))) {
            vm.bus.setIrq(dev.pin(), true, now);
        }
        if (!dev.level()) {
            vm.bus.setIrq(dev.pin(), false, now);
        }
        ctx.queue.schedule(
                now + RandomStreams.exponentialNs(deviceRandom[globalIndex], 1e9 / dev.ratePerSec()),
                EventKind.DEVICE_FIRE,
                globalIndex,
                0);
    }

    /** The device's driver acked it in its handler: a level line drops if the driver deasserts it there. */
    void deviceHandled(Vm vm, int device) {
        DeviceSource dev = devices[device];
        if (dev.level() && dev.deassertInHandler()) {
            vm.bus.setIrq(dev.pin(), false, ctx.now);
        }
    }

    /** {@link EventKind#MSI_START}: the guest assigns the MSI's vector on its destination CPU from now on. */
    void onMsiStart(int globalIndex) {
        int d = globalIndex % msis.length;
        Vm vm = vms[globalIndex / msis.length];
        MsiSource msi = msis[d];
        for (Vcpu v : vm.vcpus) {
            if (v.lapic.apicId() == msi.destApicId()) {
                v.vectors.install(msi.vector(), VectorTable.Kind.MSI, d, msi.handlerNs());
            }
        }
        scheduleMsi(globalIndex, msi);
    }

    /** {@link EventKind#MSI_FIRE}: {@code kvm_set_msi} -> {@code kvm_irq_delivery_to_apic}. */
    void onMsiFire(int globalIndex) {
        int d = globalIndex % msis.length;
        Vm vm = vms[globalIndex / msis.length];
        MsiSource msi = msis[d];
        vm.bus.deliver(-1, Icr.fixedPhysical(msi.vector(), msi.destApicId()), ctx.now, 0);
        scheduleMsi(globalIndex, msi);
    }

    private void scheduleMsi(int globalIndex, MsiSource msi) {
        ctx.queue.schedule(
                ctx.now + RandomStreams.exponentialNs(msiRandom[globalIndex], 1e9 / msi.ratePerSec()),
                EventKind.MSI_FIRE,
                globalIndex,
                0);
    }

    /** {@link EventKind#IOAPIC_WRITE}: the guest retargets a pin; its device's handler moves with it. */
    void onIoapicWrite(Vm vm, int w) {
        IoapicWrite write = ctx.scenario.ioapicWrites().get(w);
        vm.bus.retarget(write.pin(), write.destApicId(), ctx.now);
        for (int d = 0; d < devices.length; d++) {
            if (devices[d].pin() == write.pin()) {
                installDeviceHandler(vm, d, write.destApicId(), Icr.DEST_PHYSICAL);
            }
        }
    }

    /** {@link EventKind#EOI_INJECT}: the IOAPIC's delayed re-injection, timed from now. */
    void onEoiInject(Vm vm) {
        vm.bus.eoiInjectWork(ctx.now);
    }

    /** {@code KVM_REQ_SCAN_IOAPIC}: processed at the vCPU's next entry; a running vCPU is kicked out for it. */
    void requestScan(Vcpu v) {
        v.scanIoapicRequested = true;
        if (v.mode == VcpuMode.GUEST) {
            ctx.queue.schedule(ctx.now + ctx.costs.hostKickLatencyNs(), EventKind.KICK, v.id, 0);
        } else if (v.mode == VcpuMode.BLOCKED) {
            halt.wake(v, 0);
        }
    }

    /** {@code vcpu_scan_ioapic}: rebuild {@code ioapic_handled_vectors} (= the EOI-exit bitmap), §2.4. */
    void scanIoapic(Vcpu v) {
        if (ctx.apicv) {
            v.pid.syncTo(v.lapic);
        }
        java.util.Arrays.fill(v.ioapicHandledVectors, 0L);
        v.highestStalePendingIoapicEoi = v.vm.ioapic.scanEntry(v.lapic, v.ioapicHandledVectors);
        ctx.count(v.vm, KvmStat.IOAPIC_SCANS);
    }
}
