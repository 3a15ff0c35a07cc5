package dev.kvmfleetsim.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.DetailLevel;
import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.Topics;
import dev.kvmfleetsim.contract.TraceEvent;
import dev.kvmfleetsim.testsupport.KafkaTestResource;
import dev.kvmfleetsim.testsupport.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The consumers against the real broker and database: redeliveries never duplicate rows, unreadable records go to the
 * dead letters with their reason, and the consumer goes on. Every topic has one partition and records of a channel are
 * processed in order, so once a later "sentinel" record is stored, everything sent before it has been processed.
 */
@QuarkusTest
@WithTestResource(
        value = KafkaTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = KafkaTestResource.TOPICS_ARG, value = StoreTestProfile.TOPICS))
@WithTestResource(
        value = PostgresTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = PostgresTestResource.DATABASE_ARG, value = StoreTestProfile.DATABASE))
class FleetConsumersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    AgroalDataSource ds;

    @Test
    void aResultDeliveredTwiceIsStoredOnceWithItsChildRows() {
        RunResult result = StoreFixtures.simulated("consumer-run-1", "consumer-sweep", 1);
        byte[] bytes = ContractJson.write(result);
        KafkaIo.send(Topics.RESULTS, result.runId(), bytes, bytes);
        RunResult sentinel = StoreFixtures.simulated("consumer-run-1-sentinel", "consumer-sweep", 1);
        KafkaIo.send(Topics.RESULTS, sentinel.runId(), ContractJson.write(sentinel));
        awaitRun(sentinel.runId());

        String id = result.runId();
        assertThat(Db.single(ds, "SELECT count(*) FROM run_result WHERE run_id = ?", id))
                .isEqualTo(1);
        assertThat(Db.single(ds, "SELECT count(*) FROM exit_stat WHERE run_id = ?", id))
                .isEqualTo(result.result().exits().size())
                .isPositive();
        assertThat(Db.single(ds, "SELECT count(*) FROM kvm_counter WHERE run_id = ?", id))
                .isEqualTo(result.result().counters().size());
        assertThat(Db.single(ds, "SELECT count(*) FROM latency_summary WHERE run_id = ?", id))
                .isEqualTo(4);
        assertThat(Db.single(ds, "SELECT count(*) FROM workload_metric WHERE run_id = ?", id))
                .isEqualTo(1);
        assertThat(Db.single(ds, "SELECT samples FROM exit_stat WHERE run_id = ? AND reason = 'MSR_WRITE'", id))
                .isEqualTo(result.result().exitSamples("MSR_WRITE"));
        assertThat(Db.single(ds, "SELECT value FROM kvm_counter WHERE run_id = ? AND name = 'exits'", id))
                .isEqualTo(result.result().counter("exits"));
        List<List<Object>> params = Db.rows(
                ds,
                "SELECT vms, vcpus_per_vm, pcpus, overcommit::text, ipi_tracking_enabled, workload_mix,"
                        + " scenario->'vms'->>'vcpus', measured_ns FROM run_result WHERE run_id = ?",
                id);
        assertThat(params.get(0))
                .containsExactly(
                        2,
                        4,
                        4,
                        "2.0000",
                        true,
                        "dedup_like",
                        "4",
                        result.result().measuredNs());
    }

    @Test
    void anEventBatchDeliveredTwiceIsStoredOnce() {
        EventBatch batch = StoreFixtures.batch("consumer-run-2", 1, 0, 300, 100, false);
        byte[] bytes = ContractJson.write(batch);
        KafkaIo.send(Topics.EVENTS, batch.runId(), bytes, bytes);
        EventBatch next = StoreFixtures.batch("consumer-run-2", 1, 1, 5, 0, true);
        KafkaIo.send(Topics.EVENTS, next.runId(), ContractJson.write(next));
        Db.await(
                "the last batch",
                WAIT,
                () -> Db.single(ds, "SELECT count(*) FROM event_batch WHERE run_id = 'consumer-run-2' AND last") == 1);

        assertThat(Db.single(ds, "SELECT count(*) FROM trace_event WHERE run_id = 'consumer-run-2' AND sequence = 0"))
                .isEqualTo(400);
        assertThat(Db.single(ds, "SELECT count(*) FROM trace_event WHERE run_id = 'consumer-run-2'"))
                .isEqualTo(405);
        assertThat(Db.single(ds, "SELECT sum(event_count) FROM event_batch WHERE run_id = 'consumer-run-2'"))
                .isEqualTo(405);
        // One trace_batch row per stored batch: the redelivered one did not add a second.
        assertThat(Db.single(
                        ds,
                        "SELECT count(*) FROM trace_batch t JOIN event_batch b USING (batch_id)"
                                + " WHERE b.run_id = 'consumer-run-2'"))
                .isEqualTo(2);
        assertThat(Db.single(
                        ds,
                        "SELECT count(*) FROM trace_event WHERE run_id = 'consumer-run-2' AND kind = 'yield'"
                                + " AND cause = 'IPI_RECEIVER' AND reason IS NULL"))
                .isEqualTo(100);
    }

    @Test
    void unreadableRecordsGoToTheDeadLettersWithTheirReasonAndTheConsumerGoesOn() {
        KafkaIo.send(Topics.RESULTS, "garbage-1", "not json at all".getBytes(StandardCharsets.UTF_8));
        KafkaIo.send(
                Topics.RESULTS,
                "garbage-2",
                "{\"schema_version\": 99, \"run_id\": \"x\"}".getBytes(StandardCharsets.UTF_8));
        KafkaIo.send(
                Topics.EVENTS,
                "garbage-3",
                "{\"schema_version\": 1, \"run_id\": \"\", \"attempt\": 1,"
                        .concat(
                                " \"sequence\": 0, \"detail\": \"full\", \"exits\": [], \"yields\": [], \"last\": true}")
                        .getBytes(StandardCharsets.UTF_8));
        // Readable, but PostgreSQL text cannot hold NUL: the database refuses it, which is permanent.
        KafkaIo.send(
                Topics.EVENTS,
                "garbage-4",
                ContractJson.write(new EventBatch(
                        ContractVersion.CURRENT,
                        "consumer-run-nul",
                        1,
                        0,
                        DetailLevel.FULL,
                        List.of(new TraceEvent.Exit(1, 0, 0, "BAD\0REASON", 1)),
                        List.of(),
                        true)));
        EventBatch validBatch = StoreFixtures.batch("consumer-run-after-garbage", 1, 0, 3, 1, true);
        KafkaIo.send(Topics.EVENTS, validBatch.runId(), ContractJson.write(validBatch));
        RunResult valid = StoreFixtures.simulated("consumer-run-after-garbage", "consumer-sweep", 1);
        KafkaIo.send(Topics.RESULTS, valid.runId(), ContractJson.write(valid));
        awaitRun(valid.runId());
        Db.await(
                "the batch after the garbage",
                WAIT,
                () -> Db.single(ds, "SELECT count(*) FROM trace_event WHERE run_id = ?", validBatch.runId()) == 4);
        assertThat(Db.single(ds, "SELECT count(*) FROM event_batch WHERE run_id = 'consumer-run-nul'"))
                .isZero();

        List<String> keys = List.of("garbage-1", "garbage-2", "garbage-3", "garbage-4");
        List<ConsumerRecord<String, byte[]>> dead = KafkaIo.readUntil(
                Topics.DEAD_LETTER,
                WAIT,
                read -> read.stream().map(ConsumerRecord::key).toList().containsAll(keys));
        assertThat(dead).extracting(ConsumerRecord::key).containsAll(keys);
        assertThat(reason(dead, "garbage-1")).startsWith("not JSON");
        assertThat(reason(dead, "garbage-2")).contains("schema_version: 99 is not supported");
        assertThat(reason(dead, "garbage-3")).isEqualTo("run_id: missing or blank");
        assertThat(reason(dead, "garbage-4"))
                .startsWith("event batch consumer-run-nul/1/0: refused by the database (SQLSTATE 22021)");
        ConsumerRecord<String, byte[]> first = dead.stream()
                .filter(r -> "garbage-1".equals(r.key()))
                .findFirst()
                .orElseThrow();
        assertThat(new String(first.value(), StandardCharsets.UTF_8)).isEqualTo("not json at all");
        assertThat(header(first, "dead-letter-topic")).isEqualTo(Topics.RESULTS);
    }

    private void awaitRun(String runId) {
        Db.await(
                "run " + runId + " stored",
                WAIT,
                () -> Db.single(ds, "SELECT count(*) FROM run_result WHERE run_id = ?", runId) == 1);
    }

    private static String reason(List<ConsumerRecord<String, byte[]>> records, String key) {
        return records.stream()
                .filter(r -> key.equals(r.key()))
                .map(r -> header(r, "dead-letter-reason"))
                .findFirst()
                .orElseThrow();
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
