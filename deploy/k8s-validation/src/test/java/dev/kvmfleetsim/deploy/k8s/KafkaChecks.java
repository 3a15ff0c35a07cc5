package dev.kvmfleetsim.deploy.k8s;

import dev.kvmfleetsim.contract.Topics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Kafka agrees with the contract and the services: the KafkaTopics are exactly fleet-contract's Topics, every topic a
 * service's channel uses exists, replication fits the brokers, fleet.runs has a partition for every host-sim (fixed
 * or KEDA-scaled), and every bootstrap address is Strimzi's bootstrap Service of a Kafka here on a plain listener.
 */
final class KafkaChecks {
    static final Set<String> CONTRACT_TOPICS = Set.of(Topics.RUNS, Topics.EVENTS, Topics.RESULTS, Topics.DEAD_LETTER);

    private KafkaChecks() {}

    static void check(CheckContext context) {
        List<Manifest> topics = context.set().all("KafkaTopic");
        for (Manifest pool : context.set().all("KafkaNodePool")) {
            kafkaOf(context, pool);
        }
        for (Manifest kafka : context.set().all("Kafka")) {
            Map<String, Object> config = Tree.map(kafka.content(), "spec", "kafka", "config");
            long brokers = brokers(context, kafka.name());
            for (String key : List.of(
                    "default.replication.factor",
                    "offsets.topic.replication.factor",
                    "transaction.state.log.replication.factor")) {
                Long factor = Tree.integer(config, key);
                if (factor != null && factor > brokers) {
                    context.problem(kafka, "spec.kafka.config." + key, factor + " > " + brokers + " broker(s)");
                }
            }
            Long minIsr = Tree.integer(config, "min.insync.replicas");
            Long factor = Tree.integer(config, "default.replication.factor");
            if (minIsr != null && factor != null && minIsr > factor) {
                context.problem(
                        kafka,
                        "spec.kafka.config.min.insync.replicas",
                        minIsr + " > default.replication.factor " + factor);
            }
        }
        if (!topics.isEmpty()) {
            Set<String> names = new TreeSet<>();
            for (Manifest topic : topics) {
                String name = topicName(topic);
                names.add(name);
                if (!CONTRACT_TOPICS.contains(name)) {
                    context.problem(
                            topic,
                            "spec.topicName",
                            "'" + name + "' is not a topic of fleet-contract's Topics " + CONTRACT_TOPICS);
                }
                topic(context, topic);
            }
            for (String missing : CONTRACT_TOPICS) {
                if (!names.contains(missing)) {
                    context.findings()
                            .add(
                                    "KafkaTopic/" + missing,
                                    "(object)",
                                    "missing: fleet-contract's Topics defines it",
                                    context.set().name());
                }
            }
            channels(context, names);
        }
        bootstrapAddresses(context);
    }

    private static void topic(CheckContext context, Manifest topic) {
        Optional<Manifest> kafka = kafkaOf(context, topic);
        Long replicas = Tree.integer(topic.content(), "spec", "replicas");
        Long partitions = Tree.integer(topic.content(), "spec", "partitions");
        Long minIsr = Tree.integer(topic.content(), "spec", "config", "min.insync.replicas");
        if (kafka.isPresent()
                && replicas != null
                && replicas > brokers(context, kafka.get().name())) {
            context.problem(
                    topic,
                    "spec.replicas",
                    replicas + " > " + brokers(context, kafka.get().name()) + " broker(s)");
        }
        if (minIsr != null && replicas != null && minIsr > replicas) {
            context.problem(topic, "spec.config.min.insync.replicas", minIsr + " > replicas " + replicas);
        }
        if (topicName(topic).equals(Topics.RUNS) && partitions != null) {
            // One consumer group: a host-sim without a partition of fleet.runs gets no run.
            context.set().find("Deployment", "host-sim").ifPresent(hostSim -> {
                Long count = Tree.integer(hostSim.content(), "spec", "replicas");
                if (count != null && count > partitions) {
                    context.problem(topic, "spec.partitions", partitions + " < " + count + " host-sim replicas");
                }
            });
            for (Manifest scaled : context.set().all("ScaledObject")) {
                Long max = Tree.integer(scaled.content(), "spec", "maxReplicaCount");
                if (max != null && max > partitions) {
                    context.problem(
                            scaled, "spec.maxReplicaCount", max + " > " + partitions + " partitions of " + Topics.RUNS);
                }
            }
        }
    }

    /** Every topic a service's channel names (mp.messaging.*.topic, dead-letter topics) is a KafkaTopic here. */
    private static void channels(CheckContext context, Set<String> topics) {
        for (ServiceConfiguration service : context.services()) {
            boolean deployed = context.set().find("Deployment", service.name()).isPresent();
            if (!deployed) {
                continue;
            }
            service.properties().forEach((key, value) -> {
                if (key.startsWith("mp.messaging.")
                        && key.endsWith(".topic")
                        && value != null
                        && !topics.contains(value)) {
                    context.findings()
                            .add(
                                    "Deployment/" + service.name(),
                                    key,
                                    "the service uses topic '" + value + "', which no KafkaTopic declares",
                                    service.module() + "/src/main/resources/application.properties");
                }
            });
        }
        for (Manifest scaled : context.set().all("ScaledObject")) {
            List<Object> triggers = Tree.list(scaled.content(), "spec", "triggers");
            for (int i = 0; i < triggers.size(); i++) {
                if (!"kafka".equals(Tree.text(triggers.get(i), "type"))) {
                    continue;
                }
                String at = "spec.triggers[" + i + "].metadata";
                String topic = Tree.text(triggers.get(i), "metadata", "topic");
                if (!topics.contains(topic)) {
                    context.problem(scaled, at + ".topic", "'" + topic + "' is no KafkaTopic");
                }
                String target = Tree.text(scaled.content(), "spec", "scaleTargetRef", "name");
                String consumerGroup = Tree.text(triggers.get(i), "metadata", "consumerGroup");
                context.service(target).ifPresent(service -> {
                    String group = service.properties().entrySet().stream()
                            .filter(e -> e.getKey().endsWith(".group.id")
                                    && e.getKey().startsWith("mp.messaging.incoming."))
                            .map(Map.Entry::getValue)
                            .findFirst()
                            .orElse(null);
                    if (!java.util.Objects.equals(consumerGroup, group)) {
                        context.problem(
                                scaled,
                                at + ".consumerGroup",
                                "'" + consumerGroup + "', but " + target + " consumes in the group '" + group + "'");
                    }
                });
            }
            String target = Tree.text(scaled.content(), "spec", "scaleTargetRef", "name");
            if (context.set().find("Deployment", target).isEmpty()) {
                context.problem(scaled, "spec.scaleTargetRef.name", "no Deployment '" + target + "'");
            }
        }
    }

    /** KAFKA_BOOTSTRAP_SERVERS of every container and the KEDA triggers' bootstrapServers. */
    private static void bootstrapAddresses(CheckContext context) {
        for (PodTemplate pod : context.set().pods()) {
            for (PodTemplate.Container container : pod.containers()) {
                String servers = context.environment(container).get("KAFKA_BOOTSTRAP_SERVERS");
                if (servers != null) {
                    bootstrap(context, pod.owner(), container.path() + ".env[KAFKA_BOOTSTRAP_SERVERS]", servers);
                }
            }
        }
        for (Manifest scaled : context.set().all("ScaledObject")) {
            List<Object> triggers = Tree.list(scaled.content(), "spec", "triggers");
            for (int i = 0; i < triggers.size(); i++) {
                String servers = Tree.text(triggers.get(i), "metadata", "bootstrapServers");
                if (servers != null) {
                    bootstrap(context, scaled, "spec.triggers[" + i + "].metadata.bootstrapServers", servers);
                }
            }
        }
    }

    private static void bootstrap(CheckContext context, Manifest owner, String at, String servers) {
        for (String server : servers.split(",")) {
            String host = server.contains(":") ? server.substring(0, server.lastIndexOf(':')) : server;
            String port = server.contains(":") ? server.substring(server.lastIndexOf(':') + 1) : "";
            String service = host.split("\\.")[0];
            Optional<Manifest> kafka = context.set().all("Kafka").stream()
                    .filter(k -> service.equals(k.name() + "-kafka-bootstrap"))
                    .findFirst();
            if (kafka.isEmpty()) {
                context.problem(
                        owner,
                        at,
                        "'" + server + "' is not the bootstrap Service <kafka>-kafka-bootstrap of a Kafka here");
                continue;
            }
            boolean plainListener = Tree.list(kafka.get().content(), "spec", "kafka", "listeners").stream()
                    .anyMatch(l -> port.equals(Tree.text(l, "port"))
                            && Boolean.FALSE.equals(Tree.at(l, "tls"))
                            && "internal".equals(Tree.text(l, "type")));
            if (!plainListener) {
                context.problem(
                        owner,
                        at,
                        "port '" + port + "' is no internal plain (tls: false) listener of "
                                + kafka.get().ref());
            }
        }
    }

    private static Optional<Manifest> kafkaOf(CheckContext context, Manifest object) {
        String cluster = object.labels().get("strimzi.io/cluster");
        Optional<Manifest> kafka =
                cluster == null ? Optional.empty() : context.set().find("Kafka", cluster);
        if (kafka.isEmpty()) {
            context.problem(object, "metadata.labels.strimzi.io/cluster", "'" + cluster + "' names no Kafka here");
        }
        return kafka;
    }

    /** Brokers of a Kafka cluster: the replicas of its node pools with the broker role. */
    static long brokers(CheckContext context, String cluster) {
        return context.set().all("KafkaNodePool").stream()
                .filter(p -> cluster.equals(p.labels().get("strimzi.io/cluster")))
                .filter(p -> Tree.list(p.content(), "spec", "roles").contains("broker"))
                .mapToLong(p -> Optional.ofNullable(Tree.integer(p.content(), "spec", "replicas"))
                        .orElse(0L))
                .sum();
    }

    static String topicName(Manifest topic) {
        String name = Tree.text(topic.content(), "spec", "topicName");
        return name != null ? name : topic.name();
    }
}
