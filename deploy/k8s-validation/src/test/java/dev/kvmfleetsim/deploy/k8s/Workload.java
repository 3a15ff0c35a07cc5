package dev.kvmfleetsim.deploy.k8s;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pods that will run, as a NetworkPolicy or Service sees them: a short name (app.kubernetes.io/name, or "kafka" and
 * "postgres" for the operators' pods), their labels and the ports they listen on. Besides
 * the pod templates of the manifests, the operators' pods are derived from their custom resources with the labels
 * the operators put on them: Strimzi's Kafka nodes (KafkaPool / KafkaCluster of Strimzi 1.2: strimzi.io/cluster,
 * strimzi.io/kind, strimzi.io/name, strimzi.io/pool-name, strimzi.io/broker-role, strimzi.io/controller-role) and
 * CloudNativePG's instances (cnpg.io/cluster, cnpg.io/podRole).
 */
record Workload(String name, String ref, Map<String, String> labels, Set<Long> ports) {

    static List<Workload> of(List<Manifest> objects) {
        List<Workload> workloads = new ArrayList<>();
        for (Manifest m : objects) {
            for (PodTemplate pod : PodTemplate.of(m)) {
                Set<Long> ports = new LinkedHashSet<>();
                pod.containers()
                        .forEach(c -> Tree.list(c.content(), "ports")
                                .forEach(p -> ports.add(Tree.integer(p, "containerPort"))));
                String name = pod.labels().getOrDefault("app.kubernetes.io/name", m.name());
                workloads.add(new Workload(name, m.ref(), pod.labels(), ports));
            }
            if (m.is("KafkaNodePool") && m.group().equals("kafka.strimzi.io")) {
                workloads.add(kafkaNodes(m, objects));
            }
            if (m.is("Cluster") && m.group().equals("postgresql.cnpg.io")) {
                Map<String, String> labels = new LinkedHashMap<>();
                labels.put("cnpg.io/cluster", m.name());
                labels.put("cnpg.io/podRole", "instance");
                // PostgreSQL, the instance manager's status port, the metrics exporter.
                workloads.add(new Workload("postgres", m.ref() + " (instances)", labels, Set.of(5432L, 8000L, 9187L)));
            }
        }
        return workloads;
    }

    private static Workload kafkaNodes(Manifest pool, List<Manifest> objects) {
        String cluster = pool.labels().get("strimzi.io/cluster");
        List<String> roles = Tree.list(pool.content(), "spec", "roles").stream()
                .map(String::valueOf)
                .toList();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("strimzi.io/cluster", cluster);
        labels.put("strimzi.io/kind", "Kafka");
        labels.put("strimzi.io/name", cluster + "-kafka");
        labels.put("strimzi.io/pool-name", pool.name());
        labels.put("strimzi.io/broker-role", String.valueOf(roles.contains("broker")));
        labels.put("strimzi.io/controller-role", String.valueOf(roles.contains("controller")));
        // Strimzi's own control plane and replication ports, then the listeners of the Kafka resource.
        Set<Long> ports = new LinkedHashSet<>(List.of(9090L, 9091L));
        if (roles.contains("broker")) {
            objects.stream()
                    .filter(k -> k.is("Kafka") && cluster != null && cluster.equals(k.name()))
                    .flatMap(k -> Tree.list(k.content(), "spec", "kafka", "listeners").stream())
                    .forEach(l -> ports.add(Tree.integer(l, "port")));
        }
        return new Workload("kafka", pool.ref() + " (Kafka nodes)", labels, ports);
    }
}
