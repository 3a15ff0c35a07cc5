package dev.kvmfleetsim.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every contract message survives a JSON round trip; future fields are tolerated; other versions are refused. */
class ContractJsonTest {
    /** The contract treats the scenario as an opaque tree in the scenario file format. */
    private static final String SCENARIO = """
            {"name": "t", "seed": 1, "duration_ns": 5000000, "vms": {"count": 1, "vcpus": 2},
             "kvm": {"ipi_tracking_enabled": true, "ipi_window_ns": 50000000}, "host": {"tsc_ghz": 2.4},
             "ipis": [{"pattern": "unicast", "rate_per_sec": 20000}]}""";

    private static JsonNode scenarioTree() {
        try {
            return ContractJson.mapper().readTree(SCENARIO);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ModelResult result() {
        ModelResult.LatencySummary lat = new ModelResult.LatencySummary(184, 987.19, 952, 1117, 1489, 1604, 1604);
        ModelResult.LatencySummary none = new ModelResult.LatencySummary(0, 0.0, 0, 0, 0, 0, 0);
        return new ModelResult(
                "t",
                1,
                5_000_000,
                1,
                2,
                16,
                List.of(new ModelResult.ExitRow("MSR_WRITE", 32, 185, 95.36, 94.88, 481, 1204, 582.67)),
                Map.of("exits", 194L),
                lat,
                none,
                lat,
                Map.of("overcommit", 0.125),
                new ModelResult.WorkloadSummary("none", 0, 0.0, none, 0.0, 0.0),
                756);
    }

    @Test
    void runRequestRoundTrips() {
        RunRequest r =
                new RunRequest(ContractVersion.CURRENT, "run-1", "sweep-1", 2, 42L, scenarioTree(), DetailLevel.FULL);
        RunRequest back = ContractJson.read(ContractJson.write(r), RunRequest.class);
        // JSON trees compare number node types; the serialized forms are the contract.
        assertThat(ContractJson.writeString(back)).isEqualTo(ContractJson.writeString(r));
        assertThat(back.runId()).isEqualTo("run-1");
        assertThat(back.attempt()).isEqualTo(2);
        assertThat(back.scenario().at("/vms/vcpus").intValue()).isEqualTo(2);
        assertThat(ContractJson.writeString(r)).contains("\"run_id\":\"run-1\"").contains("\"detail\":\"full\"");
    }

    @Test
    void eventBatchRoundTripsWithBothEventKinds() {
        EventBatch b = new EventBatch(
                ContractVersion.CURRENT,
                "run-1",
                1,
                7,
                DetailLevel.FULL,
                List.of(new TraceEvent.Exit(100, 0, 1, "MSR_WRITE", 580)),
                List.of(new TraceEvent.Yield(200, 0, 1, 3, "IPI_RECEIVER", "NONE")),
                true);
        assertThat(ContractJson.read(ContractJson.write(b), EventBatch.class)).isEqualTo(b);
    }

    @Test
    void runResultRoundTripsItsModelResult() {
        RunResult r = new RunResult(
                ContractVersion.CURRENT,
                "run-1",
                "sweep-1",
                1,
                1L,
                "0.1.0",
                "host-sim-a",
                scenarioTree(),
                result(),
                12);
        RunResult back = ContractJson.read(ContractJson.write(r), RunResult.class);
        assertThat(ContractJson.writeString(back)).isEqualTo(ContractJson.writeString(r));
        assertThat(back.result()).isEqualTo(r.result());
        assertThat(back.result().exitSamples("MSR_WRITE")).isEqualTo(185);
        assertThat(back.result().counter("halt_exits")).isZero();
        assertThat(ContractJson.writeString(r))
                .contains("\"vcpus_per_vm\":2")
                .contains("\"p999_ns\":1604")
                .contains("\"ipi_send_cost\":{");
    }

    @Test
    void unknownFutureFieldsAreIgnored() {
        RunRequest r =
                new RunRequest(ContractVersion.CURRENT, "run-1", "s", 1, 1L, scenarioTree(), DetailLevel.AGGREGATE);
        ObjectNode tree = ContractJson.mapper().valueToTree(r);
        tree.put("priority", "high");
        byte[] bytes = tree.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(ContractJson.writeString(ContractJson.read(bytes, RunRequest.class)))
                .isEqualTo(ContractJson.writeString(r));
    }

    @Test
    void anotherSchemaVersionIsRefusedByName() {
        String json = "{\"schema_version\": 2, \"run_id\": \"x\"}";
        assertThatThrownBy(() -> ContractJson.read(json.getBytes(StandardCharsets.UTF_8), RunRequest.class))
                .isInstanceOf(UnreadableMessageException.class)
                .hasMessageContaining("schema_version: 2 is not supported");
        assertThatThrownBy(() -> ContractJson.read("{}".getBytes(StandardCharsets.UTF_8), RunRequest.class))
                .hasMessageContaining("schema_version: missing");
        assertThatThrownBy(() -> ContractJson.read("not json".getBytes(StandardCharsets.UTF_8), RunRequest.class))
                .hasMessageStartingWith("not JSON");
    }

    @Test
    void aVersionGivenAsAStringIsRefusedLikeAMissingOne() {
        String json = "{\"schema_version\": \"1\", \"run_id\": \"x\", \"exits\": [], \"yields\": []}";
        assertThatThrownBy(() -> ContractJson.read(json.getBytes(StandardCharsets.UTF_8), EventBatch.class))
                .isInstanceOf(UnreadableMessageException.class)
                .hasMessageContaining("schema_version: missing or not an integer");
    }
}
