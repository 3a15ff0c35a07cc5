package dev.kvmfleetsim.hostsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests of the {@code simulate} command: exit status, error messages, the perf-kvm-stat table and JSON output. */
class SimulateTest {
    /** Two always-busy vCPUs, x2APIC with APICv and no IPIv: every unicast IPI is one MSR_WRITE on the sender. */
    private static final String SMALL = """
            {
              "name": "cli-small",
              "seed": 3,
              "duration_ns": 5000000,
              "vms": { "count": 1, "vcpus": 2 },
              "guest": { "idle_ns_mean": 0 },
              "ipis": [ { "pattern": "unicast", "rate_per_sec": 20000, "vector": "0xfb" } ]
            }
            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        return Simulate.run(args, out, err);
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private String file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p.toString();
    }

    @Test
    void invalidScenarioExitsWithTwoAndNamesTheField() throws IOException {
        String f = file("bad.json", "{\"kvm\": {\"ipi_window_ns\": \"soon\", \"enable_apcv\": true}}");
        assertThat(run(f)).isEqualTo(2);
        assertThat(err())
                .contains("invalid scenario, nothing was run")
                .contains("kvm.ipi_window_ns: must be an integer")
                .contains("kvm.enable_apcv: unknown field");
        assertThat(out()).isEmpty();
    }

    @Test
    void scenarioBreakingAValidatorRuleExitsWithTwo() throws IOException {
        String f = file("rule.json", "{\"ipis\": [{\"vector\": 3}]}");
        assertThat(run(f)).isEqualTo(2);
        assertThat(err()).contains("ipis[0].vector");
    }

    @Test
    void missingFileExitsWithTwo() {
        String missing = dir.resolve("nope.json").toString();
        assertThat(run(missing)).isEqualTo(2);
        assertThat(err()).contains(missing).contains("no such file");
    }

    @Test
    void validScenarioPrintsThePerfKvmStatTable() throws IOException {
        assertThat(run(file("small.json", SMALL))).isEqualTo(0);
        assertThat(out())
                .contains("Scenario cli-small, seed 3")
                .contains("VM-EXIT")
                .contains("MSR_WRITE")
                .contains("Total Samples:");
        assertThat(err()).isEmpty();
    }

    @Test
    void yamlScenarioIsRecognisedByItsExtension() throws IOException {
        String yaml = """
                name: cli-yaml
                duration_ns: 5000000
                vms: { count: 1, vcpus: 2 }
                guest: { idle_ns_mean: 0 }
                ipis:
                  - pattern: unicast
                    rate_per_sec: 20000
                """;
        assertThat(run(file("small.yaml", yaml))).isEqualTo(0);
        assertThat(out()).contains("Scenario cli-yaml").contains("MSR_WRITE");
    }

    @Test
    void jsonOutputParsesAndHasAnExitsArray() throws IOException {
        assertThat(run("--json", file("small.json", SMALL))).isEqualTo(0);
        JsonNode root = new ObjectMapper().readTree(out());
        assertThat(root.isObject()).isTrue();
        assertThat(root.get("exits")).isNotNull();
        assertThat(root.get("exits").isArray()).isTrue();
        assertThat(root.get("exits").size()).isPositive();
        assertThat(root.get("exits").toString()).contains("MSR_WRITE");
    }

    @Test
    void seedOptionOverridesTheScenarioSeed() throws IOException {
        assertThat(run("--seed", "77", file("small.json", SMALL))).isEqualTo(0);
        assertThat(out()).contains("seed 77");
    }

    @Test
    void printScenarioWritesTheFullScenarioWithoutRunning() throws IOException {
        assertThat(run("--print-scenario", "--seed", "9", file("small.json", SMALL)))
                .isEqualTo(0);
        Scenario printed = ScenarioJson.read(out(), false);
        assertThat(printed.name()).isEqualTo("cli-small");
        assertThat(printed.seed()).isEqualTo(9);
        assertThat(out()).doesNotContain("VM-EXIT");
    }

    @Test
    void badSeedExitsWithTwo() throws IOException {
        assertThat(run("--seed", "x", file("small.json", SMALL))).isEqualTo(2);
        assertThat(err()).contains("--seed");
    }

    @Test
    void seedWithoutValueExitsWithTwo() {
        assertThat(run("--seed")).isEqualTo(2);
        assertThat(err()).contains("usage:");
    }

    @Test
    void noArgumentsPrintsUsageAndExitsWithTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains(Simulate.USAGE);
    }

    @Test
    void unknownOptionExitsWithTwo() {
        assertThat(run("--fast", "x.json")).isEqualTo(2);
        assertThat(err()).contains("unexpected argument: --fast");
    }

    @Test
    void secondFileArgumentExitsWithTwo() {
        assertThat(run("a.json", "b.json")).isEqualTo(2);
        assertThat(err()).contains("unexpected argument: b.json");
    }

    @Test
    void helpPrintsUsageAndExitsWithZero() {
        assertThat(run("--help")).isEqualTo(0);
        assertThat(out()).contains(Simulate.USAGE);
    }
}
