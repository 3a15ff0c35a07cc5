package dev.kvmfleetsim.hostsim.model.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The behaviour lock: the full {@code --json} result of every example scenario, every workload mix and the A1 host,
 * each at two seeds, compared byte for byte with the files under {@code src/test/resources/golden}. A refactoring must
 * keep every file; a change of behaviour on purpose regenerates them, and its commit says so:
 *
 * <pre>
 * ./mvnw -B -pl host-sim/model test -Dtest=GoldenResultsTest -Dgolden.update=true
 * </pre>
 */
class GoldenResultsTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final Path EXAMPLES = Path.of("../../examples/scenarios");
    private static final long[] SEEDS = {1, 2};

    /** A mix on a small overcommitted host: 2 VMs x 8 vCPUs on 8 pCPUs, x2APIC, APICv off, 100 ms. */
    private static final String MIX_JSON = """
            {"name":"mix-%s","seed":1,"duration_ns":100000000,"host":{"pcpus":8},"vms":{"count":2,"vcpus":8},\
            "kvm":{"x2apic":true,"enable_apicv":false},"workload":{"mix":"%s"}}""";

    /** The A1 host of docs/benchmarks.md (4 VMs x 16 vCPUs on 16 pCPUs, Dedup-like), series on and off, 200 ms. */
    private static final String A1_JSON = """
            {"name":"a1-dedup-series-%s","seed":1,"duration_ns":200000000,"vms":{"count":4,"vcpus":16},\
            "kvm":{"x2apic":true,"enable_apicv":false},"workload":{"mix":"dedup_like"}}""";

    record Case(String name, Scenario scenario) {}

    static List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path f : files.sorted().toList()) {
                String file = f.getFileName().toString();
                boolean yaml = file.endsWith(".yaml");
                Scenario s = ScenarioJson.read(Files.readString(f), yaml);
                cases.add(new Case("example-" + file.substring(0, file.lastIndexOf('.')), s));
            }
        }
        for (String mix : List.of("dedup_like", "vips_like", "dbench_like", "ebizzy_like", "hackbench_like")) {
            cases.add(new Case("mix-" + mix, ScenarioJson.read(MIX_JSON.formatted(mix, mix), false)));
        }
        for (boolean on : new boolean[] {true, false}) {
            String onOff = on ? "on" : "off";
            cases.add(new Case(
                    "a1-series-" + onOff,
                    ScenarioJson.read(A1_JSON.formatted(onOff), false).withSeries(on)));
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyResultIsByteIdenticalToItsGoldenFile() throws IOException {
        boolean update = Boolean.getBoolean("golden.update");
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases()) {
            for (long seed : SEEDS) {
                String file = String.format(Locale.ROOT, "%s-seed%d.json", c.name(), seed);
                tests.add(DynamicTest.dynamicTest(file, () -> {
                    String actual =
                            ScenarioJson.write(Simulator.run(c.scenario().withSeed(seed))) + "\n";
                    Path golden = GOLDEN.resolve(file);
                    if (update) {
                        Files.createDirectories(GOLDEN);
                        Files.writeString(golden, actual);
                    }
                    assertThat(golden)
                            .as("golden file (regenerate: see GoldenResultsTest)")
                            .exists();
                    assertThat(actual).as(file).isEqualTo(Files.readString(golden));
                }));
            }
        }
        return tests.stream();
    }
}
