package dev.kvmfleetsim.hostsim.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The model package imports no framework, messaging, database or I/O code (docs/style.md §1). */
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
}
