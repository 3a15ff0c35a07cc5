package dev.kvmfleetsim.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvmfleetsim.contract.Topics;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What issue 6 asks of the overlays, on kubectl's rendering (patches applied): dev is one Kafka node, one PostgreSQL
 * instance and two host-sims with its own credentials; production is three brokers with replication 3 and
 * min.insync.replicas 2, three PostgreSQL instances, more host-sims, and no password in git.
 */
class OverlayRequirementsTest {

    @BeforeEach
    void needsKubectl() {
        assumeTrue(Kubectl.available(), "kubectl is not on the PATH");
    }

    @Test
    void devIsOneNodeWithTwoHostSims() {
        ManifestSet dev = DeployTree.renderedSet(DeployTree.dir("deploy/k8s/overlays/dev"));
        assertThat(brokers(dev)).isEqualTo(1);
        assertThat(integer(dev, "Cluster", "fleet-pg", "spec", "instances")).isEqualTo(1);
        assertThat(integer(dev, "Deployment", "host-sim", "spec", "replicas")).isEqualTo(2);
        assertThat(topicSettings(dev)).containsOnly("replicas=1 min.insync.replicas=1");
        // Self-contained: the managed roles' Secrets are generated, nothing is made by hand.
        assertThat(dev.find("Secret", "fleet-pg-controller")).isPresent();
        assertThat(dev.find("Secret", "fleet-pg-store")).isPresent();
        assertNamespaced(dev);
    }

    @Test
    void productionIsThreeBrokersThreeInstancesAndMoreHostSims() {
        ManifestSet production = DeployTree.renderedSet(DeployTree.dir("deploy/k8s/overlays/production"));
        ManifestSet dev = DeployTree.renderedSet(DeployTree.dir("deploy/k8s/overlays/dev"));
        assertThat(brokers(production)).isEqualTo(3);
        assertThat(integer(production, "Cluster", "fleet-pg", "spec", "instances"))
                .isEqualTo(3);
        assertThat(integer(production, "Deployment", "host-sim", "spec", "replicas"))
                .isGreaterThan(integer(dev, "Deployment", "host-sim", "spec", "replicas"));
        assertThat(topicSettings(production)).containsOnly("replicas=3 min.insync.replicas=2");
        Manifest kafka = production.find("Kafka", "fleet-kafka").orElseThrow();
        assertThat(Tree.integer(kafka.content(), "spec", "kafka", "config", "min.insync.replicas"))
                .isEqualTo(2);
        assertThat(Tree.integer(kafka.content(), "spec", "kafka", "config", "default.replication.factor"))
                .isEqualTo(3);
        assertThat(production.all("Secret"))
                .as("production keeps no Secret in git")
                .isEmpty();
        assertNamespaced(production);
    }

    @Test
    void fleetRunsHasAPartitionForEveryHostSim() {
        for (String overlay : List.of("deploy/k8s/overlays/dev", "deploy/k8s/overlays/production")) {
            ManifestSet set = DeployTree.renderedSet(DeployTree.dir(overlay));
            Manifest runs = set.all("KafkaTopic").stream()
                    .filter(t -> KafkaChecks.topicName(t).equals(Topics.RUNS))
                    .findFirst()
                    .orElseThrow();
            assertThat(Tree.integer(runs.content(), "spec", "partitions"))
                    .as(overlay)
                    .isGreaterThanOrEqualTo(integer(set, "Deployment", "host-sim", "spec", "replicas"));
        }
    }

    private static long brokers(ManifestSet set) {
        Findings ignored = new Findings();
        return KafkaChecks.brokers(
                new CheckContext(set, List.of(), CheckContext.DATABASE_CREDENTIALS, ignored), "fleet-kafka");
    }

    private static Long integer(ManifestSet set, String kind, String name, String... path) {
        return Tree.integer(set.find(kind, name).orElseThrow().content(), path);
    }

    private static List<String> topicSettings(ManifestSet set) {
        return set.all("KafkaTopic").stream()
                .map(t -> "replicas=" + Tree.integer(t.content(), "spec", "replicas") + " min.insync.replicas="
                        + Tree.integer(t.content(), "spec", "config", "min.insync.replicas"))
                .toList();
    }

    private static void assertNamespaced(ManifestSet set) {
        assertThat(set.objects())
                .filteredOn(m -> !m.is("Namespace"))
                .allSatisfy(m -> assertThat(Tree.text(m.content(), "metadata", "namespace"))
                        .as(m.ref())
                        .isEqualTo("kvm-fleet-sim"));
    }
}
