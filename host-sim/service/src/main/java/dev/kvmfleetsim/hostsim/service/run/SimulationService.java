package dev.kvmfleetsim.hostsim.service.run;

import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator.Violation;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import dev.kvmfleetsim.hostsim.service.HostSimConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Runs one scenario synchronously for the REST API, refusing any longer than {@code host-sim.rest.max-duration-ns}. */
@ApplicationScoped
public class SimulationService {

    private final HostSimConfig config;

    SimulationService(HostSimConfig config) {
        this.config = config;
    }

    /**
     * Reads, checks and runs a scenario file's text (JSON).
     *
     * @throws InvalidScenarioException naming every problem, or {@code duration_ns} if the run is too long
     */
    public SimulationResult simulate(String scenarioJson) {
        Scenario scenario = ScenarioJson.read(scenarioJson, false);
        long limit = config.rest().maxDurationNs();
        if (scenario.durationNs() > limit) {
            throw new InvalidScenarioException(List.of(new Violation(
                    "duration_ns",
                    "must be at most " + limit + " for a synchronous run (host-sim.rest.max-duration-ns);"
                            + " submit longer runs to the fleet")));
        }
        return Simulator.run(scenario);
    }
}
