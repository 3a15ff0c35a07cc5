package dev.kvmfleetsim.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Round-trips records through the in-process KRaft broker with plain kafka-clients. */
class KafkaTestResourceTest {

    private static final KafkaTestResource KAFKA = new KafkaTestResource();

    @BeforeAll
    static void startBroker() {
        KAFKA.init(Map.of(KafkaTestResource.PARTITIONS_ARG, "2", KafkaTestResource.TOPICS_ARG, "runs:4, results:1"));
        assertThat(KAFKA.start()).containsEntry("kafka.bootstrap.servers", KafkaTestResource.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        KAFKA.stop();
    }

    @Test
    void recordsComeBackWithTheirKeysValuesAndPerPartitionOrder() throws Exception {
        String topic = "round-trip";
        KafkaTestResource.createTopic(topic, 3);

        Map<Integer, List<String>> sentByPartition = new TreeMap<>();
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 60; i++) {
                String key = "run-" + (i % 7);
                RecordMetadata sent = producer.send(new ProducerRecord<>(topic, key, key + "/seq-" + i))
                        .get();
                sentByPartition
                        .computeIfAbsent(sent.partition(), p -> new ArrayList<>())
                        .add(key + "=" + key + "/seq-" + i);
            }
        }

        List<ConsumerRecord<String, String>> received = consumeAll(topic, 3, 60);

        Map<Integer, List<String>> receivedByPartition = new TreeMap<>();
        Map<String, Integer> partitionOfKey = new HashMap<>();
        for (ConsumerRecord<String, String> record : received) {
            receivedByPartition
                    .computeIfAbsent(record.partition(), p -> new ArrayList<>())
                    .add(record.key() + "=" + record.value());
            assertThat(partitionOfKey.computeIfAbsent(record.key(), k -> record.partition()))
                    .as("all records of key %s land in one partition", record.key())
                    .isEqualTo(record.partition());
        }
        assertThat(received).hasSize(60);
        assertThat(sentByPartition).hasSizeGreaterThan(1);
        assertThat(receivedByPartition).isEqualTo(sentByPartition);
    }

    @Test
    void topicsAreCreatedOnFirstUseWithTheConfiguredPartitionCount() throws Exception {
        String topic = "auto-created";
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
            assertThat(producer.partitionsFor(topic)).hasSize(2);
        }
        assertThat(consumeAll(topic, 2, 1))
                .singleElement()
                .satisfies(r -> assertThat(r.key() + "=" + r.value()).isEqualTo("k=v"));
    }

    @Test
    void topicsFromInitArgsExistWithTheirPartitionCounts() {
        try (KafkaProducer<String, String> producer = producer()) {
            assertThat(producer.partitionsFor("runs")).hasSize(4);
            assertThat(producer.partitionsFor("results")).hasSize(1);
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static List<ConsumerRecord<String, String>> consumeAll(String topic, int partitions, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<TopicPartition> assignment = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            assignment.add(new TopicPartition(topic, p));
        }
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(assignment);
            consumer.seekToBeginning(assignment);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
