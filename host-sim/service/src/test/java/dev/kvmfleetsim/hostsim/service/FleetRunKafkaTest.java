package dev.kvmfleetsim.hostsim.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.DetailLevel;
import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.RunRequest;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.Topics;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import dev.kvmfleetsim.hostsim.service.run.ResultMapper;
import dev.kvmfleetsim.testsupport.KafkaTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The fleet path against a real broker: run requests in on fleet.runs, event batches and the result out on
 * fleet.events and fleet.results, unreadable requests to fleet.dead-letter, and the service's own metrics.
 */
@QuarkusTest
@WithTestResource(
        value = KafkaTestResource.class,
        initArgs = @ResourceArg(name = KafkaTestResource.TOPICS_ARG, value = FleetKafka.TOPICS))
class FleetRunKafkaTest {

    /** 8 vCPUs exchanging IPIs without IPIv for 3 ms: a few hundred exits, several 50-event batches. */
    static final String SCENARIO = """
            {
              "name": "service-test",
              "seed": 1,
              "duration_ns": 3000000,
              "vms": { "count": 1, "vcpus": 8 },
              "kvm": { "x2apic": true, "enable_apicv": true, "enable_ipiv": false },
              "guest": { "idle_ns_mean": 0 },
              "ipis": [ { "pattern": "unicast", "rate_per_sec": 50000, "vector": "0xfb", "handler_ns": 2000 } ]
            }
            """;

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @ConfigProperty(name = "quarkus.application.version")
    String projectVersion;

    @Test
    void fullRunPublishesEveryEventInOrderedBatchesThenTheResultTheModelGives() throws Exception {
        JsonNode scenario = ScenarioJson.mapper().readTree(SCENARIO);
        String runId = "run-" + UUID.randomUUID();
        long seed = 4242;
        FleetKafka.send(Topics.RUNS, runId, request(runId, 2, seed, scenario, DetailLevel.FULL));

        RunResult result = ContractJson.read(
                FleetKafka.await(Topics.RESULTS, runId, r -> !r.isEmpty(), TIMEOUT)
                        .get(0)
                        .value(),
                RunResult.class);
        Scenario resolved = ScenarioJson.fromTree(scenario).withSeed(seed);
        SimulationResult expected = Simulator.run(resolved);
        assertThat(result.result()).isEqualTo(ResultMapper.toContract(expected));
        assertThat(result.runId()).isEqualTo(runId);
        assertThat(result.sweepId()).isEqualTo("sweep-1");
        assertThat(result.attempt()).isEqualTo(2);
        assertThat(result.seed()).isEqualTo(seed);
        assertThat(result.modelVersion()).isEqualTo(projectVersion).isNotBlank();
        assertThat(result.hostSimInstance()).isEqualTo("host-sim-test");
        assertThat(ScenarioJson.fromTree(result.scenario())).isEqualTo(resolved);
        assertThat(result.wallMillis()).isNotNegative();

        List<EventBatch> batches =
                FleetKafka.await(Topics.EVENTS, runId, FleetRunKafkaTest::hasLastBatch, TIMEOUT).stream()
                        .map(r -> ContractJson.read(r.value(), EventBatch.class))
                        .sorted(Comparator.comparingLong(EventBatch::sequence))
                        .toList();
        assertThat(batches).hasSizeGreaterThan(2);
        for (int i = 0; i < batches.size(); i++) {
            EventBatch b = batches.get(i);
            assertThat(b.sequence()).isEqualTo(i);
            assertThat(b.last()).isEqualTo(i == batches.size() - 1);
            assertThat(b.runId()).isEqualTo(runId);
            assertThat(b.attempt()).isEqualTo(2);
            assertThat(b.detail()).isEqualTo(DetailLevel.FULL);
            assertThat(b.exits().size() + b.yields().size()).isLessThanOrEqualTo(50);
        }
        long exits = batches.stream().mapToLong(b -> b.exits().size()).sum();
        long yields = batches.stream().mapToLong(b -> b.yields().size()).sum();
        assertThat(exits).isPositive().isEqualTo(expected.counter("exits"));
        assertThat(yields).isEqualTo(expected.counter("spin_yield_attempted"));

        String metrics = given().accept("text/plain").get("/q/metrics").asString();
        assertThat(metric(metrics, "hostsim_runs_total", "outcome=\"completed\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(metric(metrics, "hostsim_events_published_total", "")).isGreaterThanOrEqualTo(exits + yields);
        assertThat(metric(metrics, "hostsim_run_duration_seconds_count", "")).isGreaterThanOrEqualTo(1);
        assertThat(metrics).contains("kafka_consumer_fetch_manager_records_lag");
    }

    @Test
    void unreadableRecordsAreDeadLetteredWithAReasonAndTheNextRequestStillRuns() throws Exception {
        String garbageKey = "garbage-" + UUID.randomUUID();
        byte[] garbageValue = {(byte) 0xde, (byte) 0xad, 0x00, '{'};
        String invalidId = "invalid-" + UUID.randomUUID();
        JsonNode badScenario = ScenarioJson.mapper().readTree("{\"kvm\": {\"enable_apcv\": true}}");
        String runId = "after-" + UUID.randomUUID();
        JsonNode scenario = ScenarioJson.mapper().readTree(SCENARIO);
        // All three on one partition, so the valid request really comes after the two bad ones.
        List<RecordMetadata> sent = FleetKafka.send(List.of(
                new ProducerRecord<>(Topics.RUNS, 0, garbageKey, garbageValue),
                new ProducerRecord<>(
                        Topics.RUNS, 0, invalidId, request(invalidId, 1, 7, badScenario, DetailLevel.AGGREGATE)),
                new ProducerRecord<>(Topics.RUNS, 0, runId, request(runId, 1, 9, scenario, DetailLevel.AGGREGATE))));

        ConsumerRecord<String, byte[]> garbage = FleetKafka.await(
                        Topics.DEAD_LETTER, garbageKey, r -> !r.isEmpty(), TIMEOUT)
                .get(0);
        assertThat(garbage.value()).containsExactly(garbageValue);
        assertThat(header(garbage, "dead-letter-reason")).startsWith("not JSON");
        assertThat(header(garbage, "dead-letter-topic")).isEqualTo(Topics.RUNS);

        ConsumerRecord<String, byte[]> invalid = FleetKafka.await(
                        Topics.DEAD_LETTER, invalidId, r -> !r.isEmpty(), TIMEOUT)
                .get(0);
        assertThat(header(invalid, "dead-letter-reason")).contains("kvm.enable_apcv: unknown field");

        RunResult result = ContractJson.read(
                FleetKafka.await(Topics.RESULTS, runId, r -> !r.isEmpty(), TIMEOUT)
                        .get(0)
                        .value(),
                RunResult.class);
        assertThat(result.result())
                .isEqualTo(ResultMapper.toContract(
                        Simulator.run(ScenarioJson.fromTree(scenario).withSeed(9))));
        // AGGREGATE: the per-reason counts are the result's exit table; the event stream is one empty last batch.
        EventBatch only = ContractJson.read(
                FleetKafka.await(Topics.EVENTS, runId, r -> !r.isEmpty(), TIMEOUT)
                        .get(0)
                        .value(),
                EventBatch.class);
        assertThat(only.sequence()).isZero();
        assertThat(only.last()).isTrue();
        assertThat(only.exits()).isEmpty();
        assertThat(only.yields()).isEmpty();

        String metrics = given().accept("text/plain").get("/q/metrics").asString();
        assertThat(metric(metrics, "hostsim_runs_total", "outcome=\"rejected\""))
                .isGreaterThanOrEqualTo(2);

        // The group's offset moves past all three (throttled commits, every auto.commit.interval.ms = 5 s).
        TopicPartition partition = new TopicPartition(Topics.RUNS, 0);
        long next = sent.get(2).offset() + 1;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (FleetKafka.committedOffset("host-sim", partition) < next && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertThat(FleetKafka.committedOffset("host-sim", partition)).isGreaterThanOrEqualTo(next);
    }

    private static byte[] request(String runId, int attempt, long seed, JsonNode scenario, DetailLevel detail) {
        return ContractJson.write(
                new RunRequest(ContractVersion.CURRENT, runId, "sweep-1", attempt, seed, scenario, detail));
    }

    private static boolean hasLastBatch(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream()
                .map(r -> ContractJson.read(r.value(), EventBatch.class))
                .filter(EventBatch::last)
                .findFirst()
                .map(last -> records.size() == last.sequence() + 1)
                .orElse(false);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as("header " + name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The value of one Prometheus sample, given its name and its only label ({@code key="value"}) or none. */
    private static double metric(String exposition, String name, String label) {
        // The 0.0.4 text format may print a trailing comma after the last label.
        String labels = label.isEmpty() ? "" : "\\{" + Pattern.quote(label) + ",?\\}";
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + labels + " (\\S+)$")
                .matcher(exposition);
        assertThat(m.find())
                .as("sample " + name + "{" + label + "} in /q/metrics")
                .isTrue();
        return Double.parseDouble(m.group(1));
    }
}
