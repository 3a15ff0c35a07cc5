package dev.kvmfleetsim.hostsim.model.host;

/**
 * The parts of one host, built once by {@link HostSimulation} and handed to each part's {@code link} so that it can
 * keep the references it calls (the kernel's own cycles, entry and injection, halt and the scheduler, need this).
 */
final class HostParts {
    final Vm[] vms;
    final GuestCpu guestCpu;
    final VcpuRun run;
    final VcpuHalt halt;
    final IrqInjection injection;
    final IcrWrite icr;
    final GuestApicDriver apicDriver;
    final PcpuScheduler scheduler;
    final SpinExits spinExits;
    final IrqSources sources;
    /** The guest workload program, or null when the scenario runs none. */
    final GuestWorkload workload;

    HostParts(
            Vm[] vms,
            GuestCpu guestCpu,
            VcpuRun run,
            VcpuHalt halt,
            IrqInjection injection,
            IcrWrite icr,
            GuestApicDriver apicDriver,
            PcpuScheduler scheduler,
            SpinExits spinExits,
            IrqSources sources,
            GuestWorkload workload) {
        this.vms = vms;
        this.guestCpu = guestCpu;
        this.run = run;
        this.halt = halt;
        this.injection = injection;
        this.icr = icr;
        this.apicDriver = apicDriver;
        this.scheduler = scheduler;
        this.spinExits = spinExits;
        this.sources = sources;
        this.workload = workload;
    }

    /** Links every part (and each VM's bus) to the others. */
    void link() {
        guestCpu.link(this);
        run.link(this);
        halt.link(this);
        injection.link(this);
        icr.link(this);
        apicDriver.link(this);
        scheduler.link(this);
        spinExits.link(this);
        sources.link(this);
        for (Vm vm : vms) {
            vm.bus.link(vm, this);
        }
    }
}
