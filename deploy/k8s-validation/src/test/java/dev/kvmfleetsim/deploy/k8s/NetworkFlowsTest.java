package dev.kvmfleetsim.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The NetworkPolicies allow exactly the flows of architecture §4 plus DNS, the metrics scrape and users' REST calls:
 * every rule of every policy is written out as "pod ← source : port" or "pod → destination : port" and compared with
 * the list below, so a rule added or lost shows here.
 */
class NetworkFlowsTest {
    private static final Set<String> ALLOWED = Set.of(
            // host-sim: runs in, events and results out, all through Kafka
            "host-sim ← namespace monitoring : 8081/TCP",
            "host-sim → namespace kube-system kube-dns : 53/UDP",
            "host-sim → namespace kube-system kube-dns : 53/TCP",
            "host-sim → kafka : 9092/TCP",
            // fleet-controller: user REST in; Kafka and its own schema out
            "fleet-controller ← sweep-trigger : 8080/TCP",
            "fleet-controller ← namespace monitoring : 8080/TCP",
            "fleet-controller → namespace kube-system kube-dns : 53/UDP",
            "fleet-controller → namespace kube-system kube-dns : 53/TCP",
            "fleet-controller → kafka : 9092/TCP",
            "fleet-controller → postgres : 5432/TCP",
            // results-store: user REST in; Kafka and its own schema out
            "results-store ← sweep-trigger : 8082/TCP",
            "results-store ← namespace monitoring : 8082/TCP",
            "results-store → namespace kube-system kube-dns : 53/UDP",
            "results-store → namespace kube-system kube-dns : 53/TCP",
            "results-store → kafka : 9092/TCP",
            "results-store → postgres : 5432/TCP",
            // the sweep Job: only the controller's REST port
            "sweep-trigger → namespace kube-system kube-dns : 53/UDP",
            "sweep-trigger → namespace kube-system kube-dns : 53/TCP",
            "sweep-trigger → fleet-controller : 8080/TCP",
            // PostgreSQL: the two services that own schemas, replication, the operator, the exporter
            "postgres ← fleet-controller : 5432/TCP",
            "postgres ← results-store : 5432/TCP",
            "postgres ← postgres : 5432/TCP",
            "postgres ← postgres : 8000/TCP",
            "postgres ← namespace cnpg-system cloudnative-pg : 8000/TCP",
            "postgres ← namespace cnpg-system cloudnative-pg : 5432/TCP",
            "postgres ← namespace monitoring : 9187/TCP",
            // Kafka's listener (Strimzi's generated policy): the three services only
            "kafka ← host-sim : 9092",
            "kafka ← fleet-controller : 9092",
            "kafka ← results-store : 9092");

    @Test
    void devOverlayAndSweepJobAllowOnlyThePipelineFlows() {
        assumeTrue(Kubectl.available(), "kubectl is not on the PATH");
        Set<String> flows = new TreeSet<>();
        for (String kustomization : List.of("deploy/k8s/overlays/dev", "deploy/k8s/sweep/job")) {
            flows.addAll(flows(DeployTree.renderedSet(DeployTree.dir(kustomization))));
        }
        assertThat(flows).containsExactlyInAnyOrderElementsOf(ALLOWED);
    }

    @Test
    void baseAndSweepJobAllowOnlyThePipelineFlowsWithoutKubectl() {
        Set<String> flows = new TreeSet<>();
        for (String kustomization : List.of("deploy/k8s/base", "deploy/k8s/sweep/job")) {
            flows.addAll(flows(DeployTree.readSet(DeployTree.dir(kustomization))));
        }
        assertThat(flows).containsExactlyInAnyOrderElementsOf(ALLOWED);
    }

    @Test
    void theKedaExampleAddsOnlyKedaToKafka() {
        assumeTrue(Kubectl.available(), "kubectl is not on the PATH");
        Set<String> flows = flows(DeployTree.renderedSet(DeployTree.dir("deploy/k8s/examples/autoscaled")));
        Set<String> added = new TreeSet<>(flows);
        added.removeAll(ALLOWED);
        assertThat(added).containsExactly("kafka ← namespace keda keda-operator : 9092");
    }

    static Set<String> flows(ManifestSet set) {
        List<Workload> anywhere = set.workloadsAnywhere();
        Set<String> flows = new TreeSet<>();
        for (Manifest policy : set.all("NetworkPolicy")) {
            LabelSelector target = LabelSelector.of(Tree.at(policy.content(), "spec", "podSelector"));
            for (Workload pod : set.workloads().stream()
                    .filter(w -> target.matches(w.labels()))
                    .toList()) {
                for (Object rule : Tree.list(policy.content(), "spec", "ingress")) {
                    for (String peer : peers(Tree.list(rule, "from"), anywhere)) {
                        for (String port : ports(rule)) {
                            flows.add(pod.name() + " ← " + peer + " : " + port);
                        }
                    }
                }
                for (Object rule : Tree.list(policy.content(), "spec", "egress")) {
                    for (String peer : peers(Tree.list(rule, "to"), anywhere)) {
                        for (String port : ports(rule)) {
                            flows.add(pod.name() + " → " + peer + " : " + port);
                        }
                    }
                }
            }
        }
        for (Manifest kafka : set.all("Kafka")) {
            for (Object listener : Tree.list(kafka.content(), "spec", "kafka", "listeners")) {
                for (String peer : peers(Tree.list(listener, "networkPolicyPeers"), anywhere)) {
                    flows.add("kafka ← " + peer + " : " + Tree.text(listener, "port"));
                }
            }
        }
        return flows;
    }

    private static List<String> peers(List<Object> peers, List<Workload> anywhere) {
        if (peers.isEmpty()) {
            // A rule without peers admits every source or destination: it must show up as such.
            return List.of("anywhere");
        }
        List<String> names = new java.util.ArrayList<>();
        for (Object peer : peers) {
            Object namespace = Tree.at(peer, "namespaceSelector");
            if (namespace != null) {
                String pods = String.join(
                        " ", Tree.labels(peer, "podSelector", "matchLabels").values());
                names.add(
                        ("namespace " + Tree.text(namespace, "matchLabels", "kubernetes.io/metadata.name") + " " + pods)
                                .strip());
            } else {
                LabelSelector selector = LabelSelector.of(Tree.at(peer, "podSelector"));
                anywhere.stream()
                        .filter(w -> selector.matches(w.labels()))
                        .map(Workload::name)
                        .distinct()
                        .forEach(names::add);
            }
        }
        return names;
    }

    private static List<String> ports(Object rule) {
        if (Tree.list(rule, "ports").isEmpty()) {
            return List.of("every port");
        }
        return Tree.list(rule, "ports").stream()
                .map(p -> Tree.text(p, "port") + "/" + Tree.text(p, "protocol"))
                .toList();
    }
}
