package dev.kvmfleetsim.hostsim.service.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.RunRequest;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import dev.kvmfleetsim.hostsim.service.HostSimConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Executes one fleet run: binds the request's scenario, applies its seed, runs the model on the calling thread while
 * streaming its events as batches, and builds the {@link RunResult} (the model's result mapped onto the contract's by
 * {@link ResultMapper}). Knows nothing of Kafka. Thread-safe.
 */
@ApplicationScoped
public class FleetRunService {

    private final HostSimConfig config;
    private final RunMetrics metrics;
    private final String modelVersion;

    FleetRunService(
            HostSimConfig config,
            RunMetrics metrics,
            @ConfigProperty(name = "quarkus.application.version") String modelVersion) {
        this.config = config;
        this.metrics = metrics;
        this.modelVersion = modelVersion;
    }

    /**
     * Runs a request.
     *
     * @param request the run; its seed overrides the scenario's
     * @param batches receives the event batches in order, the last one flagged, before this method returns
     * @return the result, identical for the same request on any instance apart from instance and wall time
     * @throws InvalidScenarioException if the scenario cannot run; nothing was emitted then
     */
    public RunResult execute(RunRequest request, Consumer<EventBatch> batches) {
        Scenario scenario = ScenarioJson.fromTree(request.scenario()).withSeed(request.seed());
        EventBatcher batcher = new EventBatcher(
                request, config.events().batchSize(), config.events().sampleEvery(), batches);
        long start = System.nanoTime();
        SimulationResult result = Simulator.run(scenario, batcher);
        long elapsed = System.nanoTime() - start;
        metrics.modelTime(elapsed);
        batcher.finish();
        JsonNode resolved = ScenarioJson.mapper().valueToTree(scenario);
        return new RunResult(
                ContractVersion.CURRENT,
                request.runId(),
                request.sweepId(),
                request.attempt(),
                request.seed(),
                modelVersion,
                config.instance().id(),
                resolved,
                ResultMapper.toContract(result),
                TimeUnit.NANOSECONDS.toMillis(elapsed));
    }
}
