package dev.kvmfleetsim.hostsim.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every scenario shipped in examples/scenarios reads, validates and runs, and produces interrupts. */
class ExamplesTest {
    static Stream<Path> examples() throws IOException {
        return Files.list(Path.of("../../examples/scenarios")).sorted();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void shippedExampleRuns(Path file) throws IOException {
        String name = file.getFileName().toString();
        Scenario s = ScenarioJson.read(Files.readString(file), name.endsWith(".yaml"));
        SimulationResult r = Simulator.run(s);
        assertThat(r.scenario()).isEqualTo(s.name());
        assertThat(r.ipiLatency().count() + r.deviceLatency().count())
                .as("%s handles interrupts", name)
                .isPositive();
        assertThat(r.eventsProcessed()).isPositive();
    }
}
