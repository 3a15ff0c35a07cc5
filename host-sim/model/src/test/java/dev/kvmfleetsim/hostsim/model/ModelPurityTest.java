package dev.kvmfleetsim.hostsim.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The model package imports no framework, messaging, database or I/O code (docs/style.md §1), and its component
 * packages (the LAPIC, the IOAPIC, the scheduler, ...) never reach up into the host wiring or the scenario records:
 * they take what they need as arguments and small interfaces, so each can be tested alone.
 */
class ModelPurityTest {
    private static final Pattern FORBIDDEN = Pattern.compile(
            "^import\\s+(static\\s+)?(io\\.quarkus|jakarta\\.|javax\\.|org\\.apache\\.kafka|java\\.sql|org\\.eclipse"
                    + "\\.microprofile|com\\.fasterxml\\.jackson|java\\.io|java\\.nio|java\\.net|org\\.hibernate)");

    @Test
    void modelPackageHasNoFrameworkOrIoImports() throws IOException {
        Path root = Path.of("src/main/java/dev/kvmfleetsim/hostsim/model");
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).hasSizeGreaterThan(15);
        for (Path p : sources) {
            for (String line : Files.readAllLines(p)) {
                assertThat(FORBIDDEN.matcher(line.trim()).find())
                        .as("%s imports %s", p, line.trim())
                        .isFalse();
            }
        }
    }

    /** Packages that model one kernel component each; only {@code host} (the wiring) and {@code scenario} see them all. */
    private static final List<String> COMPONENTS =
            List.of("engine", "exit", "halt", "ioapic", "ipi", "lapic", "ple", "sched", "stats", "yield");

    private static final Pattern UPWARD = Pattern.compile(
            "^import\\s+(static\\s+)?dev\\.kvmfleetsim\\.hostsim\\.(model\\.(host|scenario)\\b|scenario\\b|cli\\b)");

    @Test
    void componentPackagesDoNotImportTheHostOrTheScenario() throws IOException {
        Path root = Path.of("src/main/java/dev/kvmfleetsim/hostsim/model");
        int checked = 0;
        for (String component : COMPONENTS) {
            List<Path> sources;
            try (Stream<Path> files = Files.list(root.resolve(component))) {
                sources = files.filter(p -> p.toString().endsWith(".java")).toList();
            }
            assertThat(sources).as("package %s", component).isNotEmpty();
            for (Path p : sources) {
                checked++;
                for (String line : Files.readAllLines(p)) {
                    assertThat(UPWARD.matcher(line.trim()).find())
                            .as("%s (component %s) imports %s", p, component, line.trim())
                            .isFalse();
                }
            }
        }
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void theUpwardRuleCatchesAnUpwardImport() {
        assertThat(UPWARD.matcher("import dev.kvmfleetsim.hostsim.model.host.Vcpu;")
                        .find())
                .isTrue();
        assertThat(UPWARD.matcher("import dev.kvmfleetsim.hostsim.model.scenario.KvmParams;")
                        .find())
                .isTrue();
        assertThat(UPWARD.matcher("import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;")
                        .find())
                .isTrue();
        assertThat(UPWARD.matcher("import dev.kvmfleetsim.hostsim.model.lapic.Icr;")
                        .find())
                .isFalse();
    }
}
