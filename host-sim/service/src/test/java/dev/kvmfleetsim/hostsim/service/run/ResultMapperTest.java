package dev.kvmfleetsim.hostsim.service.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The contract's copy of a model result is written exactly as the model's own record was when the contract carried
 * it (schema version 1): a model field the contract does not carry, or one renamed, fails here before it reaches the
 * wire.
 */
class ResultMapperTest {
    /** fleet-contract's wire sample of a real run (surefire runs in this module's directory). */
    private static final Path RUN_RESULT_SAMPLE =
            Path.of("../../fleet-contract/src/test/resources/wire/run-result.json");

    /** How fleet-contract's mapper was configured while it was the model's (ContractJson before issue 11). */
    private static final ObjectMapper OLD_MAPPER = ScenarioJson.mapper()
            .copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.INDENT_OUTPUT);

    /** RunResult as it was: the model's result record inside the message. */
    record OldRunResult(
            int schemaVersion,
            String runId,
            String sweepId,
            int attempt,
            long seed,
            String modelVersion,
            String hostSimInstance,
            JsonNode scenario,
            SimulationResult result,
            long wallMillis) {}

    @Test
    void aFreshRunIsWrittenAsTheOldPathWroteIt() throws Exception {
        RunResult sample = ContractJson.read(Files.readAllBytes(RUN_RESULT_SAMPLE), RunResult.class);
        // The sample's scenario was written before host.cgroup_layout replaced host.vm_cgroups (issue 12); the
        // mapping under test does not depend on which scenario ran, so the retired field is dropped to run it.
        com.fasterxml.jackson.databind.node.ObjectNode scenario =
                sample.scenario().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) scenario.get("host")).remove("vm_cgroups");
        SimulationResult sim = Simulator.run(ScenarioJson.fromTree(scenario));

        RunResult mapped = new RunResult(
                sample.schemaVersion(),
                sample.runId(),
                sample.sweepId(),
                sample.attempt(),
                sample.seed(),
                sample.modelVersion(),
                sample.hostSimInstance(),
                sample.scenario(),
                ResultMapper.toContract(sim),
                sample.wallMillis());
        OldRunResult old = new OldRunResult(
                sample.schemaVersion(),
                sample.runId(),
                sample.sweepId(),
                sample.attempt(),
                sample.seed(),
                sample.modelVersion(),
                sample.hostSimInstance(),
                sample.scenario(),
                sim,
                sample.wallMillis());

        // The old path, less the model's fields that the contract deliberately leaves out (and only those).
        com.fasterxml.jackson.databind.node.ObjectNode oldTree = OLD_MAPPER.valueToTree(old);
        com.fasterxml.jackson.databind.node.ObjectNode oldResult =
                (com.fasterxml.jackson.databind.node.ObjectNode) oldTree.get("result");
        java.util.Set<String> modelOnly = new java.util.TreeSet<>();
        oldResult.fieldNames().forEachRemaining(f -> {
            if (!ContractJson.mapper().valueToTree(mapped).get("result").has(f)) {
                modelOnly.add(f);
            }
        });
        assertThat(modelOnly)
                .as("model fields the contract does not carry")
                .isEqualTo(new java.util.TreeSet<>(ResultMapper.NOT_ON_THE_WIRE));
        oldResult.remove(ResultMapper.NOT_ON_THE_WIRE);
        assertThat(ContractJson.writeString(mapped)).isEqualTo(OLD_MAPPER.writeValueAsString(oldTree));
        assertThat(mapped.result().counter("spin_yield_successful")).isEqualTo(sim.counter("spin_yield_successful"));
        assertThat(mapped.result().exitSamples("HLT")).isEqualTo(sim.exitSamples("HLT"));
    }

    @Test
    void aResultRoundTripsThroughTheContract() {
        Scenario scenario = ScenarioJson.read(
                "{\"duration_ns\": 5000000, \"vms\": {\"count\": 1, \"vcpus\": 2},"
                        + " \"ipis\": [{\"pattern\": \"unicast\", \"rate_per_sec\": 20000}]}",
                false);
        SimulationResult sim = Simulator.run(scenario);
        RunResult r = new RunResult(
                ContractVersion.CURRENT,
                "run-1",
                "sweep-1",
                1,
                1L,
                "0.1.0",
                "host-sim-a",
                ScenarioJson.mapper().valueToTree(scenario),
                ResultMapper.toContract(sim),
                12);
        RunResult back = ContractJson.read(ContractJson.write(r), RunResult.class);
        assertThat(back.result()).isEqualTo(ResultMapper.toContract(sim));
        assertThat(back.result().exitSamples("MSR_WRITE")).isPositive();
    }
}
