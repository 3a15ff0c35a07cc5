package dev.kvmfleetsim.hostsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import dev.kvmfleetsim.hostsim.model.halt.HaltPollParams;
import dev.kvmfleetsim.hostsim.model.ipi.EoiClearMode;
import dev.kvmfleetsim.hostsim.model.ple.PleParams;
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
import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator;
import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator.Violation;
import dev.kvmfleetsim.hostsim.model.scenario.VmConfig;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadConfig;
import dev.kvmfleetsim.hostsim.model.scenario.WorkloadMix;
import dev.kvmfleetsim.hostsim.model.sched.EevdfParams;
import dev.kvmfleetsim.hostsim.model.yield.DirectedYieldParams;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link ScenarioJson}: defaults, field-path error reporting, hex integers, YAML and round trips. */
class ScenarioJsonTest {

    private static Scenario json(String text) {
        return ScenarioJson.read(text, false);
    }

    private static InvalidScenarioException rejection(String text, boolean yaml) {
        try {
            ScenarioJson.read(text, yaml);
        } catch (InvalidScenarioException e) {
            return e;
        }
        return fail("expected the scenario to be rejected: " + text);
    }

    private static List<String> problems(String text, boolean yaml) {
        return rejection(text, yaml).violations().stream()
                .map(Violation::toString)
                .toList();
    }

    private static List<String> problems(String text) {
        return problems(text, false);
    }

    @Test
    void emptyObjectIsTheDefaultScenario() {
        assertThat(json("{}")).isEqualTo(Scenario.defaults());
    }

    @Test
    void missingNestedFieldsTakeTheirDefaults() {
        Scenario s = json("""
                {"name": "partial", "kvm": {"enable_apicv": false}, "vms": {"vcpus": 8}}
                """);
        KvmParams d = KvmParams.defaults();
        assertThat(s.name()).isEqualTo("partial");
        assertThat(s.kvm().enableApicv()).isFalse();
        assertThat(s.kvm())
                .usingRecursiveComparison()
                .ignoringFields("enableApicv")
                .isEqualTo(d);
        assertThat(s.vms()).isEqualTo(new VmConfig(VmConfig.defaults().count(), 8));
        assertThat(s.host()).isEqualTo(HostConfig.defaults());
        assertThat(s.costs()).isEqualTo(ExitCosts.defaults());
        assertThat(s.seed()).isEqualTo(Scenario.defaults().seed());
    }

    @Test
    void listElementsTakeElementDefaults() {
        Scenario s = json("""
                {"vms": {"vcpus": 4},
                 "ipis": [{"rate_per_sec": 5}],
                 "devices": [{"pin": 3}],
                 "msis": [{"vector": 100}],
                 "ioapic_writes": [{"pin": 3}]}
                """);
        IpiSource di = IpiSource.defaults();
        assertThat(s.ipis()).hasSize(1);
        assertThat(s.ipis().get(0).ratePerSec()).isEqualTo(5.0);
        assertThat(s.ipis().get(0).vector()).isEqualTo(di.vector());
        assertThat(s.ipis().get(0).pattern()).isEqualTo(di.pattern());
        assertThat(s.ipis().get(0).handlerNs()).isEqualTo(di.handlerNs());
        DeviceSource dd = DeviceSource.defaults();
        assertThat(s.devices().get(0))
                .isEqualTo(new DeviceSource(
                        3,
                        dd.vector(),
                        dd.level(),
                        dd.destApicId(),
                        dd.logical(),
                        dd.lowestPriority(),
                        dd.ratePerSec(),
                        dd.handlerNs(),
                        dd.startNs(),
                        dd.deassertInHandler()));
        assertThat(s.msis().get(0).vector()).isEqualTo(100);
        assertThat(s.msis().get(0).destApicId()).isEqualTo(MsiSource.defaults().destApicId());
        assertThat(s.ioapicWrites().get(0))
                .isEqualTo(new IoapicWrite(IoapicWrite.defaults().atNs(), 3, 1));
    }

    @Test
    void unknownNestedFieldIsReportedWithItsPath() {
        assertThat(problems("{\"kvm\": {\"enable_apcv\": true}}")).containsExactly("kvm.enable_apcv: unknown field");
    }

    @Test
    void theOldVmCgroupsSwitchIsRefusedNamingItsReplacement() {
        assertThat(problems("{\"host\": {\"vm_cgroups\": true}}"))
                .containsExactly("host.vm_cgroups: replaced by host.cgroup_layout (per_vcpu: libvirt, the default; "
                        + "per_vm; flat); choose one");
    }

    @Test
    void cgroupLayoutIsReadInLowerCase() {
        assertThat(json("{\"host\": {\"cgroup_layout\": \"per_vm\"}}").host().cgroupLayout())
                .isEqualTo(HostConfig.CgroupLayout.PER_VM);
        assertThat(Scenario.defaults().host().cgroupLayout()).isEqualTo(HostConfig.CgroupLayout.PER_VCPU);
    }

    @Test
    void unknownTopLevelFieldIsReported() {
        assertThat(problems("{\"durration_ns\": 5}")).containsExactly("durration_ns: unknown field");
    }

    @Test
    void unknownFieldInListElementIsReportedWithIndex() {
        assertThat(problems("{\"ipis\": [{}, {\"ratee\": 5}]}")).containsExactly("ipis[1].ratee: unknown field");
        assertThat(problems("{\"ipis\": [{\"ratee\": 5}]}")).containsExactly("ipis[0].ratee: unknown field");
    }

    @Test
    void wrongTypesAreNamed() {
        assertThat(problems("{\"kvm\": {\"ipi_window_ns\": \"soon\"}}"))
                .containsExactly("kvm.ipi_window_ns: must be an integer");
        assertThat(problems("{\"kvm\": {\"ipi_window_ns\": 1.5}}"))
                .containsExactly("kvm.ipi_window_ns: must be an integer");
        assertThat(problems("{\"kvm\": {\"x2apic\": 1}}")).containsExactly("kvm.x2apic: must be true or false");
        assertThat(problems("{\"kvm\": {\"x2apic\": \"true\"}}")).containsExactly("kvm.x2apic: must be true or false");
        assertThat(problems("{\"name\": 5}")).containsExactly("name: must be a string");
        assertThat(problems("{\"host\": {\"tsc_ghz\": \"fast\"}}")).containsExactly("host.tsc_ghz: must be a number");
        assertThat(problems("{\"kvm\": true}")).containsExactly("kvm: must be an object");
        assertThat(problems("{\"ipis\": {}}")).containsExactly("ipis: must be a list");
        assertThat(problems("{\"ipis\": [3]}")).containsExactly("ipis[0]: must be an object");
        assertThat(problems("{\"ipis\": [{\"senders\": [0, \"one\"]}]}"))
                .containsExactly("ipis[0].senders[1]: must be an integer");
    }

    @Test
    void integralFloatingPointValueIsAcceptedAsInteger() {
        assertThat(json("{\"seed\": 42.0}").seed()).isEqualTo(42L);
    }

    @Test
    void hexStringsAreAcceptedForIntegers() {
        Scenario s = json("""
                {"vms": {"vcpus": "0x4"},
                 "ipis": [{"vector": "0xfb", "senders": ["0x1"]}, {"vector": "0XFD"}]}
                """);
        assertThat(s.vms().vcpus()).isEqualTo(4);
        assertThat(s.ipis().get(0).vector()).isEqualTo(0xFB);
        assertThat(s.ipis().get(0).senders()).containsExactly(1);
        assertThat(s.ipis().get(1).vector()).isEqualTo(0xFD);
    }

    @Test
    void malformedHexStringIsReported() {
        assertThat(problems("{\"ipis\": [{\"vector\": \"0xzz\"}]}"))
                .containsExactly("ipis[0].vector: not a hex number: 0xzz");
    }

    @Test
    void hexStringForBooleanIsStillATypeError() {
        assertThat(problems("{\"kvm\": {\"x2apic\": \"0x1\"}}")).containsExactly("kvm.x2apic: must be true or false");
    }

    @Test
    void unknownEnumValueListsTheAllowedValues() {
        List<String> p = problems("{\"kvm\": {\"ipi_eoi_clear_mode\": \"v4\"}}");
        assertThat(p).hasSize(1);
        assertThat(p.get(0))
                .startsWith("kvm.ipi_eoi_clear_mode: ")
                .contains("'v4'")
                .contains("v2, v3_inferred");

        List<String> pattern = problems("{\"ipis\": [{\"pattern\": \"anycast\"}]}");
        assertThat(pattern).hasSize(1);
        assertThat(pattern.get(0)).startsWith("ipis[0].pattern: ").contains("unicast, multicast, broadcast, self");
    }

    @Test
    void enumValuesAreCaseInsensitive() {
        Scenario s = json("{\"kvm\": {\"ipi_eoi_clear_mode\": \"V2\"}, \"guest\": {\"idle\": \"Poll\"}}");
        assertThat(s.kvm().ipiEoiClearMode()).isEqualTo(EoiClearMode.V2);
        assertThat(s.guest().idle()).isEqualTo(GuestConfig.IdleMode.POLL);
    }

    @Test
    void severalProblemsAreReportedAtOnce() {
        InvalidScenarioException e = rejection("""
                {"kvm": {"enable_apcv": true, "x2apic": "yes"},
                 "duration_ns": "long",
                 "ipis": [{"ratee": 1}]}
                """, false);
        assertThat(e.violations().stream().map(Violation::toString))
                .containsExactlyInAnyOrder(
                        "kvm.enable_apcv: unknown field",
                        "kvm.x2apic: must be true or false",
                        "duration_ns: must be an integer",
                        "ipis[0].ratee: unknown field");
        assertThat(e.getMessage()).contains("kvm.enable_apcv: unknown field").contains("; ");
    }

    @Test
    void validatorRulesAreAppliedAfterBinding() {
        assertThat(problems("{\"ipis\": [{\"vector\": 5}]}"))
                .singleElement()
                .asString()
                .startsWith("ipis[0].vector:");
        assertThat(problems("{\"duration_ns\": 1000, \"warmup_ns\": 1000}"))
                .singleElement()
                .asString()
                .startsWith("warmup_ns:");
        assertThat(problems("""
                        {"vms": {"vcpus": 9}, "kvm": {"x2apic": false}, "guest": {"apic_addressing": "flat"}}
                        """))
                .singleElement()
                .asString()
                .startsWith("guest.apic_addressing:")
                .contains("8");
        assertThat(problems("{\"kvm\": {\"x2apic\": false}, \"guest\": {\"apic_addressing\": \"cluster\"}}"))
                .singleElement()
                .asString()
                .startsWith("guest.apic_addressing:");
        assertThat(problems("{\"devices\": [{\"pin\": 24}]}"))
                .singleElement()
                .asString()
                .startsWith("devices[0].pin:");
        assertThat(problems("{\"devices\": [{\"pin\": 3}, {\"pin\": 3}]}"))
                .singleElement()
                .asString()
                .startsWith("devices[1].pin:");
        assertThat(problems("{\"ioapic_writes\": [{\"pin\": 3}]}"))
                .singleElement()
                .asString()
                .startsWith("ioapic_writes[0].pin:");
    }

    @Test
    void syntaxErrorIsReportedForTheFile() {
        assertThat(problems("{\"name\": ")).singleElement().asString().startsWith("(file): not valid JSON");
        assertThat(problems("name: [unclosed", true)).singleElement().asString().startsWith("(file): not valid YAML");
    }

    @Test
    void nonObjectDocumentIsRejected() {
        assertThat(problems("[1, 2]")).containsExactly("(file): must be a JSON object");
        assertThat(problems("42")).containsExactly("(file): must be a JSON object");
    }

    @Test
    void yamlInputIsReadLikeJson() {
        Scenario s = ScenarioJson.read("""
                name: from-yaml
                duration_ns: 20000000
                vms:
                  vcpus: 6
                kvm:
                  x2apic: false
                  ipi_eoi_clear_mode: v2
                ipis:
                  - pattern: multicast
                    vector: "0xfc"
                    fanout: 2
                """, true);
        assertThat(s.name()).isEqualTo("from-yaml");
        assertThat(s.durationNs()).isEqualTo(20_000_000L);
        assertThat(s.vms().vcpus()).isEqualTo(6);
        assertThat(s.kvm().x2apic()).isFalse();
        assertThat(s.kvm().ipiEoiClearMode()).isEqualTo(EoiClearMode.V2);
        assertThat(s.ipis()).singleElement().satisfies(i -> {
            assertThat(i.pattern()).isEqualTo(IpiSource.IpiPattern.MULTICAST);
            assertThat(i.vector()).isEqualTo(0xFC);
            assertThat(i.fanout()).isEqualTo(2);
        });
    }

    @Test
    void yamlErrorsNameTheirFieldsToo() {
        assertThat(problems("kvm:\n  enable_apcv: true\n", true)).containsExactly("kvm.enable_apcv: unknown field");
    }

    @Test
    void writeSpellsFieldsInSnakeCaseAndEnumsInLowerCase() {
        String text = ScenarioJson.write(Scenario.defaults());
        assertThat(text)
                .contains("\"ipi_window_ns\"")
                .contains("\"enable_apicv\"")
                .contains("\"v3_inferred\"")
                .contains("\"physical\"")
                .doesNotContain("ipiWindowNs");
    }

    @Test
    void writeThenReadRoundTripsEveryField() {
        Scenario s = new Scenario(
                "round-trip",
                99L,
                20_000_000L,
                1_000_000L,
                new HostConfig(
                        8,
                        3.1,
                        1_500L,
                        HostConfig.Placement.SPREAD,
                        HostConfig.CgroupLayout.PER_VM,
                        true,
                        true,
                        3_000L),
                new VmConfig(2, 6),
                new KvmParams(false, true, false, true, false, false, false, false, 1_234L, EoiClearMode.V2),
                new ExitCosts(
                        new CostDist(1, 2),
                        new CostDist(3, 4),
                        new CostDist(5, 6),
                        new CostDist(7, 8),
                        new CostDist(9, 10),
                        new CostDist(11, 12),
                        new CostDist(13, 14),
                        new CostDist(15, 16),
                        new CostDist(17, 18),
                        new CostDist(19, 20),
                        new CostDist(27, 28),
                        new CostDist(29, 30),
                        21,
                        22,
                        23,
                        24,
                        25,
                        26),
                new GuestConfig(
                        GuestConfig.ApicAddressing.PHYSICAL,
                        false,
                        GuestConfig.IdleMode.POLL,
                        5_000,
                        7_000,
                        900,
                        false,
                        true,
                        1_000_000L,
                        true,
                        true,
                        false,
                        120L),
                List.of(new IpiSource(
                        IpiSource.IpiPattern.MULTICAST,
                        List.of(0, 1),
                        List.of(2, 3, 4),
                        2,
                        123.5,
                        0xFC,
                        1_500,
                        IpiSource.Delivery.LOWEST)),
                List.of(new DeviceSource(4, 0x51, false, 1, true, true, 250.25, 3_000, 10, false)),
                List.of(new MsiSource(0x61, 3, 77.0, 800, 5)),
                List.of(new IoapicWrite(500, 4, 2)),
                EevdfParams.upstream(),
                PleParams.amdDefaults(),
                new HaltPollParams(100_000, 3, 20_000, 0),
                DirectedYieldParams.upstream(),
                new WorkloadConfig(
                        WorkloadMix.DEDUP_LIKE,
                        1,
                        2,
                        0.5,
                        3,
                        4,
                        0.25,
                        2,
                        5,
                        3,
                        0.125,
                        6,
                        WorkloadConfig.BlockWake.TIMER));
        assertThat(ScenarioValidator.validate(s)).isEmpty();

        String text = ScenarioJson.write(s);
        assertThat(ScenarioJson.read(text, false)).isEqualTo(s);
        assertThat(ScenarioJson.write(ScenarioJson.read(text, false))).isEqualTo(text);
    }
}
