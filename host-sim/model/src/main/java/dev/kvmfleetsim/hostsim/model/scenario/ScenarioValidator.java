package dev.kvmfleetsim.hostsim.model.scenario;

import dev.kvmfleetsim.hostsim.model.ioapic.Ioapic;
import dev.kvmfleetsim.hostsim.model.ple.PleParams;
import dev.kvmfleetsim.hostsim.model.ple.Vendor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a {@link Scenario} against the rules the model needs, and reports every problem at once, each naming the
 * field in the scenario file's spelling (for example {@code ipis[0].vector}).
 */
public final class ScenarioValidator {
    /** Vectors 0 to 15 are illegal for fixed interrupts (kvm-model §1.1). */
    public static final int FIRST_LEGAL_VECTOR = 16;

    /**
     * One problem.
     *
     * @param field the field's path in the file
     * @param reason what is wrong with it
     */
    public record Violation(String field, String reason) {
        @Override
        public String toString() {
            return field + ": " + reason;
        }
    }

    private final List<Violation> out = new ArrayList<>();

    private ScenarioValidator() {}

    /** All problems of a scenario; empty if it can run. */
    public static List<Violation> validate(Scenario s) {
        ScenarioValidator v = new ScenarioValidator();
        v.check(s);
        return List.copyOf(v.out);
    }

    private void fail(String field, String reason) {
        out.add(new Violation(field, reason));
    }

    private void positive(String field, long value) {
        if (value <= 0) {
            fail(field, "must be > 0, was " + value);
        }
    }

    private void nonNegative(String field, long value) {
        if (value < 0) {
            fail(field, "must be >= 0, was " + value);
        }
    }

    private void vector(String field, int v) {
        if (v < FIRST_LEGAL_VECTOR || v > 255) {
            fail(field, "must be a vector in 16..255 (0..15 are illegal for fixed interrupts), was " + v);
        }
    }

    private void rate(String field, double r, boolean zeroAllowed) {
        if (Double.isNaN(r) || Double.isInfinite(r) || r < 0 || (!zeroAllowed && r == 0)) {
            fail(field, "must be a finite number " + (zeroAllowed ? ">= 0" : "> 0") + ", was " + r);
        }
    }

    private void check(Scenario s) {
        if (s.name() == null || s.name().isBlank()) {
            fail("name", "must not be empty");
        }
        positive("duration_ns", s.durationNs());
        nonNegative("warmup_ns", s.warmupNs());
        if (s.warmupNs() >= s.durationNs() && s.durationNs() > 0) {
            fail("warmup_ns", "must be shorter than duration_ns (" + s.durationNs() + ")");
        }
        positive("host.pcpus", s.host().pcpus());
        nonNegative("host.migration_ns", s.host().migrationNs());
        if (s.ple().vendor() == Vendor.AMD_SVM) {
            // The VMCB's pause filter count is 16 bits wide (svm.c: pause_filter_count_max defaults to USHRT_MAX).
            long max = PleParams.USHRT_MAX;
            if (s.ple().pleWindow() > max) {
                fail(
                        "ple.ple_window",
                        "must be <= 65535 on amd_svm (a 16-bit pause filter count), was "
                                + s.ple().pleWindow());
            }
            if (s.ple().pleWindowMax() > max) {
                fail(
                        "ple.ple_window_max",
                        "must be <= 65535 on amd_svm (a 16-bit pause filter count), was "
                                + s.ple().pleWindowMax());
            }
        }
        if (!(s.host().tscGhz() > 0) || Double.isInfinite(s.host().tscGhz())) {
            fail("host.tsc_ghz", "must be a finite number > 0, was " + s.host().tscGhz());
        }
        positive("vms.count", s.vms().count());
        positive("vms.vcpus", s.vms().vcpus());
        int vcpus = s.vms().vcpus();
        KvmParams k = s.kvm();
        if (!k.x2apic() && vcpus > 255) {
            fail("vms.vcpus", "xAPIC has 8-bit APIC IDs and 0xFF is broadcast: at most 255 vCPUs, was " + vcpus);
        }
        if (vcpus > 4096) {
            fail("vms.vcpus", "at most 4096 vCPUs per VM (KVM_MAX_VCPUS), was " + vcpus);
        }
        nonNegative("kvm.ipi_window_ns", k.ipiWindowNs());
        checkCosts(s.costs());
        checkWorkload(s);
        GuestConfig g = s.guest();
        nonNegative("guest.idle_ns_mean", g.idleNsMean());
        if (g.idleNsMean() > 0) {
            positive("guest.busy_ns_mean", g.busyNsMean());
        }
        positive("guest.timer_handler_ns", g.timerHandlerNs());
        if (g.apicAddressing() == GuestConfig.ApicAddressing.CLUSTER && !k.x2apic()) {
            fail("guest.apic_addressing", "cluster addressing is x2APIC's logical mode: needs kvm.x2apic = true");
        }
        if (g.apicAddressing() == GuestConfig.ApicAddressing.FLAT) {
            if (k.x2apic()) {
                fail("guest.apic_addressing", "flat addressing is xAPIC's logical mode: needs kvm.x2apic = false");
            }
            if (vcpus > 8) {
                fail("guest.apic_addressing", "flat logical mode addresses at most 8 vCPUs, the VM has " + vcpus);
            }
        }
        for (int i = 0; i < s.ipis().size(); i++) {
            checkIpi("ipis[" + i + "].", s.ipis().get(i), vcpus);
        }
        Set<Integer> pins = new HashSet<>();
        int maxIoapicDest = 0xFF;
        for (int i = 0; i < s.devices().size(); i++) {
            String p = "devices[" + i + "].";
            DeviceSource d = s.devices().get(i);
            if (d.pin() < 0 || d.pin() >= Ioapic.NUM_PINS) {
                fail(p + "pin", "must be an IOAPIC pin in 0..23, was " + d.pin());
            } else if (!pins.add(d.pin())) {
                fail(p + "pin", "pin " + d.pin() + " is used by another device");
            }
            vector(p + "vector", d.vector());
            rate(p + "rate_per_sec", d.ratePerSec(), false);
            positive(p + "handler_ns", d.handlerNs());
            nonNegative(p + "start_ns", d.startNs());
            if (d.destApicId() < 0 || d.destApicId() > maxIoapicDest) {
                fail(p + "dest_apic_id", "the redirection entry's destination is 8 bits, was " + d.destApicId());
            } else if (k.x2apic() && d.destApicId() == maxIoapicDest && !d.logical()) {
                // KVM's x2APIC broadcast quirk (kvm_apic_mda) would make 0xFF reach every vCPU: not modelled.
                fail(
                        p + "dest_apic_id",
                        "0xFF as an x2APIC physical destination (KVM's broadcast quirk) is not modelled");
            }
        }
        for (int i = 0; i < s.msis().size(); i++) {
            String p = "msis[" + i + "].";
            MsiSource m = s.msis().get(i);
            vector(p + "vector", m.vector());
            rate(p + "rate_per_sec", m.ratePerSec(), false);
            positive(p + "handler_ns", m.handlerNs());
            nonNegative(p + "start_ns", m.startNs());
            if (m.destApicId() < 0 || m.destApicId() >= vcpus) {
                fail(p + "dest_apic_id", "must name a vCPU in 0.." + (vcpus - 1) + ", was " + m.destApicId());
            }
        }
        for (int i = 0; i < s.ioapicWrites().size(); i++) {
            String p = "ioapic_writes[" + i + "].";
            IoapicWrite w = s.ioapicWrites().get(i);
            nonNegative(p + "at_ns", w.atNs());
            if (!pins.contains(w.pin())) {
                fail(p + "pin", "no device is wired to pin " + w.pin());
            }
            if (w.destApicId() < 0 || w.destApicId() > maxIoapicDest) {
                fail(p + "dest_apic_id", "the redirection entry's destination is 8 bits, was " + w.destApicId());
            }
        }
    }

    private void checkIpi(String p, IpiSource src, int vcpus) {
        rate(p + "rate_per_sec", src.ratePerSec(), true);
        vector(p + "vector", src.vector());
        positive(p + "handler_ns", src.handlerNs());
        if (src.fanout() < 0) {
            fail(p + "fanout", "must be >= 0 (0 means all targets), was " + src.fanout());
        }
        for (int j = 0; j < src.senders().size(); j++) {
            int x = src.senders().get(j);
            if (x < 0 || x >= vcpus) {
                fail(p + "senders[" + j + "]", "must be a vCPU index in 0.." + (vcpus - 1) + ", was " + x);
            }
        }
        for (int j = 0; j < src.targets().size(); j++) {
            int x = src.targets().get(j);
            if (x < 0 || x >= vcpus) {
                fail(p + "targets[" + j + "]", "must be a vCPU index in 0.." + (vcpus - 1) + ", was " + x);
            }
        }
    }

    private void checkWorkload(Scenario s) {
        WorkloadConfig w = s.workload().resolved();
        if (!(w.blockProbability() >= 0 && w.blockProbability() <= 1)) {
            fail("workload.block_probability", "must be in [0, 1], was " + w.blockProbability());
        }
        nonNegative("workload.block_ns", w.blockNs());
        if (w.blockProbability() > 0 && w.blockWake() == WorkloadConfig.BlockWake.DEVICE) {
            int io = WorkloadConfig.IO_COMPLETION_VECTOR;
            String why = "must not be 0x22, the vector of the block-device MSI that workload.block_wake device uses";
            for (int i = 0; i < s.devices().size(); i++) {
                if (s.devices().get(i).vector() == io) {
                    fail("devices[" + i + "].vector", why);
                }
            }
            for (int i = 0; i < s.msis().size(); i++) {
                if (s.msis().get(i).vector() == io) {
                    fail("msis[" + i + "].vector", why);
                }
            }
            for (int i = 0; i < s.ipis().size(); i++) {
                if (s.ipis().get(i).vector() == io) {
                    fail("ipis[" + i + "].vector", why);
                }
            }
        }
    }

    private void checkCosts(ExitCosts c) {
        dist("costs.msr_write_fastpath", c.msrWriteFastpath());
        dist("costs.msr_write_slow", c.msrWriteSlow());
        dist("costs.external_interrupt", c.externalInterrupt());
        dist("costs.interrupt_window", c.interruptWindow());
        dist("costs.hlt", c.hlt());
        dist("costs.vmcall", c.vmcall());
        dist("costs.apic_access", c.apicAccess());
        dist("costs.apic_write", c.apicWrite());
        dist("costs.eoi_induced", c.eoiInduced());
        dist("costs.preemption_timer", c.preemptionTimer());
        dist("costs.pause", c.pause());
        dist("costs.ept_misconfig", c.eptMisconfig());
        nonNegative("costs.kvm_deliver_per_target_ns", c.kvmDeliverPerTargetNs());
        nonNegative("costs.apic_slow_path_per_vcpu_ns", c.apicSlowPathPerVcpuNs());
        nonNegative("costs.ipiv_send_ns", c.ipivSendNs());
        nonNegative("costs.posted_intr_latency_ns", c.postedIntrLatencyNs());
        nonNegative("costs.host_kick_latency_ns", c.hostKickLatencyNs());
        nonNegative("costs.wakeup_latency_ns", c.wakeupLatencyNs());
    }

    private void dist(String field, CostDist d) {
        nonNegative(field + ".min_ns", d.minNs());
        if (d.meanNs() < d.minNs()) {
            fail(field + ".mean_ns", "must be >= min_ns (" + d.minNs() + "), was " + d.meanNs());
        }
    }
}
