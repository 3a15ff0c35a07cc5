package dev.kvmfleetsim.hostsim.model.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.scenario.GuestConfig.ApicAddressing;
import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link ScenarioValidator}: each rule names its field, and every problem is reported at once. */
class ScenarioValidatorTest {

    /** The default scenario with the fields these tests vary. */
    private static Scenario scenario(
            long durationNs,
            long warmupNs,
            int vcpus,
            boolean x2apic,
            ApicAddressing addressing,
            List<IpiSource> ipis,
            List<DeviceSource> devices,
            List<IoapicWrite> writes) {
        Scenario d = Scenario.defaults();
        KvmParams k = d.kvm();
        GuestConfig g = d.guest();
        return new Scenario(
                d.name(),
                d.seed(),
                durationNs,
                warmupNs,
                d.host(),
                new VmConfig(d.vms().count(), vcpus),
                new KvmParams(
                        k.enableApicv(),
                        k.enableIpiv(),
                        x2apic,
                        k.pvSendIpi(),
                        k.ipiFastpath(),
                        k.ioapicEoiFix(),
                        k.vectorHashing(),
                        k.ipiTrackingEnabled(),
                        k.ipiWindowNs(),
                        k.ipiEoiClearMode()),
                d.costs(),
                new GuestConfig(
                        addressing,
                        g.broadcastShorthand(),
                        g.idle(),
                        g.busyNsMean(),
                        g.idleNsMean(),
                        g.timerHandlerNs(),
                        g.ipiEndsIdle(),
                        g.pvSpinlock(),
                        g.spinThresholdNs(),
                        g.pvTlbFlush(),
                        g.pvSchedYield(),
                        g.pvEoi(),
                        g.pauseLatencyCycles()),
                ipis,
                devices,
                d.msis(),
                writes,
                d.sched(),
                d.ple(),
                d.haltPoll(),
                d.directedYield(),
                d.workload());
    }

    private static Scenario addressing(int vcpus, boolean x2apic, ApicAddressing a) {
        return scenario(100_000_000L, 0, vcpus, x2apic, a, List.of(), List.of(), List.of());
    }

    private static Scenario withIpis(IpiSource... ipis) {
        return scenario(100_000_000L, 0, 4, true, ApicAddressing.PHYSICAL, List.of(ipis), List.of(), List.of());
    }

    private static Scenario withDevices(List<DeviceSource> devices, List<IoapicWrite> writes) {
        return scenario(100_000_000L, 0, 4, true, ApicAddressing.PHYSICAL, List.of(), devices, writes);
    }

    private static IpiSource ipi(int vector, List<Integer> senders) {
        IpiSource d = IpiSource.defaults();
        return new IpiSource(
                d.pattern(), senders, d.targets(), d.fanout(), d.ratePerSec(), vector, d.handlerNs(), d.delivery());
    }

    private static DeviceSource device(int pin) {
        DeviceSource d = DeviceSource.defaults();
        return new DeviceSource(
                pin,
                d.vector(),
                d.level(),
                d.destApicId(),
                d.logical(),
                d.lowestPriority(),
                d.ratePerSec(),
                d.handlerNs(),
                d.startNs(),
                d.deassertInHandler());
    }

    private static List<String> fields(Scenario s) {
        return ScenarioValidator.validate(s).stream().map(Violation::field).toList();
    }

    @Test
    void defaultScenarioIsValid() {
        assertThat(ScenarioValidator.validate(Scenario.defaults())).isEmpty();
    }

    @Test
    void vectorsBelowSixteenAreIllegal() {
        assertThat(fields(withIpis(ipi(15, List.of())))).containsExactly("ipis[0].vector");
        assertThat(fields(withIpis(ipi(0, List.of())))).containsExactly("ipis[0].vector");
        assertThat(fields(withIpis(ipi(16, List.of())))).isEmpty();
        assertThat(fields(withIpis(ipi(255, List.of())))).isEmpty();
        assertThat(fields(withIpis(ipi(256, List.of())))).containsExactly("ipis[0].vector");
    }

    @Test
    void vectorViolationExplainsTheRule() {
        List<Violation> v = ScenarioValidator.validate(withIpis(ipi(0xF, List.of())));
        assertThat(v)
                .singleElement()
                .satisfies(x -> assertThat(x.reason()).contains("16..255").contains("was 15"));
    }

    @Test
    void ipiSendersMustBeVcpuIndices() {
        assertThat(fields(withIpis(ipi(0xFB, List.of(0, 4, -1)))))
                .containsExactly("ipis[0].senders[1]", "ipis[0].senders[2]");
    }

    @Test
    void warmupMustBeShorterThanDuration() {
        List<Scenario> bad = List.of(
                scenario(1_000, 1_000, 4, true, ApicAddressing.PHYSICAL, List.of(), List.of(), List.of()),
                scenario(1_000, 2_000, 4, true, ApicAddressing.PHYSICAL, List.of(), List.of(), List.of()));
        for (Scenario s : bad) {
            assertThat(fields(s)).containsExactly("warmup_ns");
        }
        assertThat(fields(scenario(1_000, 999, 4, true, ApicAddressing.PHYSICAL, List.of(), List.of(), List.of())))
                .isEmpty();
    }

    @Test
    void durationMustBePositive() {
        assertThat(fields(scenario(0, 0, 4, true, ApicAddressing.PHYSICAL, List.of(), List.of(), List.of())))
                .containsExactly("duration_ns");
    }

    @Test
    void flatAddressingNeedsAtMostEightVcpus() {
        assertThat(fields(addressing(8, false, ApicAddressing.FLAT))).isEmpty();
        List<Violation> v = ScenarioValidator.validate(addressing(9, false, ApicAddressing.FLAT));
        assertThat(v).singleElement().satisfies(x -> {
            assertThat(x.field()).isEqualTo("guest.apic_addressing");
            assertThat(x.reason()).contains("8").contains("9");
        });
    }

    @Test
    void flatAddressingNeedsXapic() {
        assertThat(fields(addressing(4, true, ApicAddressing.FLAT))).containsExactly("guest.apic_addressing");
    }

    @Test
    void clusterAddressingNeedsX2apic() {
        assertThat(fields(addressing(4, false, ApicAddressing.CLUSTER))).containsExactly("guest.apic_addressing");
        assertThat(fields(addressing(64, true, ApicAddressing.CLUSTER))).isEmpty();
    }

    @Test
    void xapicAllowsAtMost255Vcpus() {
        assertThat(fields(addressing(255, false, ApicAddressing.PHYSICAL))).isEmpty();
        assertThat(fields(addressing(256, false, ApicAddressing.PHYSICAL))).containsExactly("vms.vcpus");
        assertThat(fields(addressing(256, true, ApicAddressing.PHYSICAL))).isEmpty();
    }

    @Test
    void devicePinMustBeAnIoapicPin() {
        assertThat(fields(withDevices(List.of(device(24)), List.of()))).containsExactly("devices[0].pin");
        assertThat(fields(withDevices(List.of(device(-1)), List.of()))).containsExactly("devices[0].pin");
        assertThat(fields(withDevices(List.of(device(0), device(23)), List.of())))
                .isEmpty();
    }

    @Test
    void twoDevicesCannotShareAPin() {
        List<Violation> v =
                ScenarioValidator.validate(withDevices(List.of(device(5), device(6), device(5)), List.of()));
        assertThat(v).singleElement().satisfies(x -> {
            assertThat(x.field()).isEqualTo("devices[2].pin");
            assertThat(x.reason()).contains("used by another device");
        });
    }

    @Test
    void ioapicWriteNeedsADeviceOnItsPin() {
        assertThat(fields(withDevices(List.of(device(5)), List.of(new IoapicWrite(0, 6, 1)))))
                .containsExactly("ioapic_writes[0].pin");
        assertThat(fields(withDevices(List.of(device(5)), List.of(new IoapicWrite(0, 5, 1)))))
                .isEmpty();
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Scenario s = scenario(
                1_000,
                5_000,
                9,
                false,
                ApicAddressing.FLAT,
                List.of(ipi(3, List.of())),
                List.of(device(30)),
                List.of(new IoapicWrite(-1, 30, 1)));
        assertThat(fields(s))
                .containsExactlyInAnyOrder(
                        "warmup_ns",
                        "guest.apic_addressing",
                        "ipis[0].vector",
                        "devices[0].pin",
                        "ioapic_writes[0].at_ns",
                        "ioapic_writes[0].pin");
    }

    @Test
    void violationPrintsAsFieldColonReason() {
        assertThat(new Violation("kvm.ipi_window_ns", "must be >= 0, was -1").toString())
                .isEqualTo("kvm.ipi_window_ns: must be >= 0, was -1");
    }
}
