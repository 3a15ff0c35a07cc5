package dev.kvmfleetsim.controller;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.ModelResult;
import dev.kvmfleetsim.contract.RunRequest;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.Topics;
import dev.kvmfleetsim.testsupport.KafkaTestResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients standing in for host-sims: read fleet.runs, answer on fleet.results. */
public final class FleetTopics {
    /**
     * A real model result, reused for every simulated host-sim answer: fleet-contract's wire sample (surefire runs in
     * this module's directory). The controller reads results only through the contract.
     */
    private static final ModelResult SAMPLE_RESULT = sampleResult();

    /** A record read from a topic with its key. */
    public record Received<T>(String key, T value) {}

    private FleetTopics() {}

    private static ModelResult sampleResult() {
        try {
            return ContractJson.read(
                            Files.readAllBytes(Path.of("../fleet-contract/src/test/resources/wire/run-result.json")),
                            RunResult.class)
                    .result();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads fleet.runs from the beginning until {@code count} requests of the sweep that match {@code filter} were
     * seen (each run id once), or the timeout.
     */
    public static List<Received<RunRequest>> awaitRunRequests(
            String sweepId, Predicate<RunRequest> filter, int count, Duration timeout) {
        Map<String, Received<RunRequest>> seen = new LinkedHashMap<>();
        int[] checked = {0};
        awaitRecords(Topics.RUNS, timeout, records -> {
            for (ConsumerRecord<String, byte[]> rec : records.subList(checked[0], records.size())) {
                RunRequest request = ContractJson.read(rec.value(), RunRequest.class);
                if (request.sweepId().equals(sweepId) && filter.test(request)) {
                    seen.putIfAbsent(request.runId(), new Received<>(rec.key(), request));
                }
            }
            checked[0] = records.size();
            return seen.size() >= count;
        });
        return new ArrayList<>(seen.values());
    }

    /** Records of a topic from the beginning, polled until {@code done} holds for all read so far or the timeout. */
    public static List<ConsumerRecord<String, byte[]>> awaitRecords(
            String topic, Duration timeout, Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(all::add);
                if (done.test(all)) {
                    break;
                }
            }
            return all;
        }
    }

    /** Sends a record and waits for the broker's acknowledgement. */
    public static RecordMetadata produce(String topic, String key, byte[] value) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not produce to " + topic, e);
        }
    }

    /** Answers a run request as a host-sim would; returns where the result landed. */
    public static RecordMetadata answer(RunRequest request) {
        RunResult result = new RunResult(
                ContractVersion.CURRENT,
                request.runId(),
                request.sweepId(),
                request.attempt(),
                request.seed(),
                "test",
                "host-sim-test",
                request.scenario(),
                SAMPLE_RESULT,
                1L);
        return produce(Topics.RESULTS, request.runId(), ContractJson.write(result));
    }

    /** Whether the consumer group has committed past the record at {@code metadata}. */
    public static boolean committedPast(String group, RecordMetadata metadata) {
        try (Admin admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            OffsetAndMetadata committed = offsets.get(new TopicPartition(metadata.topic(), metadata.partition()));
            return committed != null && committed.offset() > metadata.offset();
        } catch (Exception e) {
            throw new IllegalStateException("could not read the offsets of " + group, e);
        }
    }
}
