package dev.kvmfleetsim.hostsim.model;

import dev.kvmfleetsim.hostsim.model.host.HostSimulation;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator;
import java.util.List;

/**
 * The model's entry point: runs one scenario to completion on the calling thread and returns its result. The same
 * scenario (seed included) always gives the same result. Thread-safe: each call builds its own simulation.
 */
public final class Simulator {
    private Simulator() {}

    /** Runs a scenario without an event sink. */
    public static SimulationResult run(Scenario scenario) {
        return run(scenario, ModelEventSink.NONE);
    }

    /**
     * Runs a scenario.
     *
     * @throws InvalidScenarioException if the scenario breaks a rule of {@link ScenarioValidator}; nothing ran then
     */
    public static SimulationResult run(Scenario scenario, ModelEventSink sink) {
        List<ScenarioValidator.Violation> problems = ScenarioValidator.validate(scenario);
        if (!problems.isEmpty()) {
            throw new InvalidScenarioException(problems);
        }
        HostSimulation sim = new HostSimulation(scenario, sink);
        sim.run();
        return sim.result();
    }
}
