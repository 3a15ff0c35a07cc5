package dev.kvmfleetsim.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The validation catches mistakes: each test breaks one field of the base (read without kubectl, so these run
 * everywhere) and expects a finding that names the object and the field.
 */
class TyposAreReportedTest {
    private static final CrdSchemas SCHEMAS = CrdSchemas.vendored();

    @Test
    void replicaInsteadOfReplicasInADeployment() {
        assertThat(fieldFindings("Deployment", "host-sim", d -> rename(Tree.map(d, "spec"), "replicas", "replica")))
                .anyMatch(f -> f.object().equals("Deployment/host-sim")
                        && f.field().equals("spec.replica")
                        && f.message().startsWith("unknown field"));
    }

    @Test
    void probeAtTheWrongDepth() {
        assertThat(fieldFindings("Deployment", "fleet-controller", d -> {
                    Map<String, Object> container = container(d);
                    Map<String, Object> probe = Tree.map(container, "readinessProbe");
                    probe.put("path", Tree.map(probe, "httpGet").remove("path"));
                }))
                .anyMatch(f -> f.object().equals("Deployment/fleet-controller")
                        && f.field().equals("spec.template.spec.containers[0].readinessProbe.path"));
    }

    @Test
    void strimziFieldTypoWithSuggestion() {
        assertThat(fieldFindings(
                        "Kafka", "fleet-kafka", k -> rename(Tree.map(k, "spec", "kafka"), "listeners", "listners")))
                .anyMatch(f -> f.object().equals("Kafka/fleet-kafka")
                        && f.field().equals("spec.kafka.listners")
                        && f.message().contains("did you mean 'listeners'"))
                // and the listeners it lost were required
                .anyMatch(f ->
                        f.field().equals("spec.kafka.listeners") && f.message().equals("required field missing"));
    }

    @Test
    void strimziWrongTypeAndEnum() {
        List<Finding> findings = fieldFindings(
                "KafkaTopic", "fleet.runs", t -> Tree.map(t, "spec").put("partitions", "twelve"));
        assertThat(findings)
                .anyMatch(f -> f.object().equals("KafkaTopic/fleet.runs")
                        && f.field().equals("spec.partitions")
                        && f.message().contains("expected an integer"));
        assertThat(fieldFindings(
                        "KafkaNodePool",
                        "dual-role",
                        p -> Tree.list(p, "spec", "roles").set(1, "brocker")))
                .anyMatch(f -> f.object().equals("KafkaNodePool/dual-role")
                        && f.field().equals("spec.roles[1]")
                        && f.message().contains("is not one of"));
    }

    @Test
    void cloudNativePgFieldTypo() {
        assertThat(fieldFindings("Cluster", "fleet-pg", c -> rename(Tree.map(c, "spec"), "instances", "instance")))
                .anyMatch(f -> f.object().equals("Cluster/fleet-pg")
                        && f.field().equals("spec.instance")
                        && f.message().contains("did you mean 'instances'"));
    }

    @Test
    void wrongServiceTargetPort() {
        assertThat(crossFindings(objects -> Tree.map(Tree.list(find(objects, "Service", "host-sim"), "spec", "ports")
                                .get(0))
                        .put("targetPort", 9999)))
                .anyMatch(f -> f.object().equals("Service/host-sim")
                        && f.field().equals("spec.ports[0].targetPort")
                        && f.message().contains("'9999' is no container port"));
    }

    @Test
    void containerPortThatIsNotTheServicesHttpPort() {
        assertThat(crossFindings(objects -> Tree.map(
                                Tree.list(container(find(objects, "Deployment", "results-store")), "ports")
                                        .get(0))
                        .put("containerPort", 8090)))
                .anyMatch(f -> f.object().equals("Deployment/results-store")
                        && f.field().equals("spec.template.spec.containers[0].ports")
                        && f.message().contains("quarkus.http.port is 8082"));
    }

    @Test
    void wrongSelectors() {
        List<Finding> findings = crossFindings(objects -> {
            Tree.map(find(objects, "Service", "fleet-controller"), "spec", "selector")
                    .put("app.kubernetes.io/name", "fleet-controler");
            Tree.map(find(objects, "NetworkPolicy", "host-sim"), "spec", "podSelector", "matchLabels")
                    .put("app.kubernetes.io/name", "hostsim");
        });
        assertThat(findings)
                .anyMatch(f -> f.object().equals("Service/fleet-controller")
                        && f.field().equals("spec.selector")
                        && f.message().contains("selects no pod template"))
                .anyMatch(f -> f.object().equals("NetworkPolicy/host-sim")
                        && f.field().equals("spec.podSelector")
                        && f.message().contains("selects no pod"));
    }

    @Test
    void environmentVariableNoPropertyMapsTo() {
        assertThat(crossFindings(objects -> {
                    Map<String, Object> data = Tree.map(find(objects, "ConfigMap", "host-sim"), "data");
                    data.put("KAFKA_BOOTSTRAP_SERVER", data.remove("KAFKA_BOOTSTRAP_SERVERS"));
                }))
                .anyMatch(f -> f.object().equals("Deployment/host-sim")
                        && f.field().equals("spec.template.spec.containers[0].env[KAFKA_BOOTSTRAP_SERVER]")
                        && f.message().contains("maps to no property host-sim reads"));
    }

    @Test
    void topicThatIsNotInTheContract() {
        assertThat(crossFindings(objects -> Tree.map(find(objects, "KafkaTopic", "fleet.results"), "spec")
                        .put("topicName", "fleet.result")))
                .anyMatch(f -> f.object().equals("KafkaTopic/fleet.results")
                        && f.field().equals("spec.topicName")
                        && f.message().contains("not a topic of fleet-contract's Topics"))
                .anyMatch(f -> f.object().equals("Deployment/host-sim")
                        && f.field().equals("mp.messaging.outgoing.results.topic"));
    }

    @Test
    void bootstrapAndJdbcHostsThatAreNoOperatorService() {
        List<Finding> findings = crossFindings(objects -> {
            Tree.map(find(objects, "ConfigMap", "results-store"), "data")
                    .put("KAFKA_BOOTSTRAP_SERVERS", "fleet-kafka-bootstrap:9092");
            Tree.map(find(objects, "ConfigMap", "fleet-controller"), "data")
                    .put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://fleet-pg:5432/kvmfleetsim");
        });
        assertThat(findings)
                .anyMatch(f -> f.object().equals("Deployment/results-store")
                        && f.field().endsWith(".env[KAFKA_BOOTSTRAP_SERVERS]"))
                .anyMatch(f -> f.object().equals("Deployment/fleet-controller")
                        && f.field().endsWith(".env[QUARKUS_DATASOURCE_JDBC_URL]")
                        && f.message().contains("<cluster>-rw"));
    }

    @Test
    void schemaOwnedByAnotherRole() {
        assertThat(crossFindings(objects -> Tree.map(
                                Tree.list(find(objects, "Database", "fleet-pg-kvmfleetsim"), "spec", "schemas")
                                        .get(1))
                        .put("owner", "fleet_controller")))
                .anyMatch(f -> f.object().equals("Database/fleet-pg-kvmfleetsim")
                        && f.field().equals("spec.schemas")
                        && f.message().contains("must be owned by its role 'results_store'"));
    }

    @Test
    void missingSecretKey() {
        assertThat(crossFindings(objects -> Tree.map(
                                Tree.list(container(find(objects, "Deployment", "fleet-controller")), "env")
                                        .get(1))
                        .put(
                                "valueFrom",
                                Map.of("secretKeyRef", Map.of("name", "fleet-pg-controller", "key", "pasword")))))
                .anyMatch(f -> f.object().equals("Deployment/fleet-controller")
                        && f.field().equals("spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.key"));
    }

    @Test
    void everyProblemIsListedInOneFailure() {
        Findings findings = new Findings();
        findings.add("Deployment/a", "spec.replica", "unknown field", "a.yaml");
        findings.add("Kafka/b", "spec.kafka.listners", "unknown field", "b.yaml");
        assertThatThrownBy(() -> findings.assertNone("test"))
                .hasMessageContaining("2 problem(s)")
                .hasMessageContaining("Deployment/a spec.replica: unknown field [a.yaml]")
                .hasMessageContaining("Kafka/b spec.kafka.listners: unknown field [b.yaml]");
    }

    /** The base's objects (read without kubectl), one of them changed, through the field checks. */
    private static List<Finding> fieldFindings(String kind, String name, Consumer<Map<String, Object>> change) {
        List<Manifest> objects = base();
        Map<String, Object> object = find(objects, kind, name);
        change.accept(object);
        Findings findings = new Findings();
        ObjectFieldCheck.check(Manifest.full("test", object), SCHEMAS, findings);
        return findings.all();
    }

    /** The base's objects (read without kubectl), changed, through the cross-checks. */
    private static List<Finding> crossFindings(Consumer<List<Manifest>> change) {
        List<Manifest> objects = base();
        change.accept(objects);
        ManifestSet set = new ManifestSet("test", objects, objects);
        Findings findings = DeployTree.crossCheck(set);
        assertThat(findings.all()).as("findings of the broken base").isNotEmpty();
        return findings.all();
    }

    /** A deep copy of the base, so that a test's change stays its own. */
    private static List<Manifest> base() {
        List<Manifest> copies = new ArrayList<>();
        for (Manifest m : DeployTree.read(DeployTree.dir("deploy/k8s/base")).objects()) {
            try {
                String json = YamlDocuments.JSON.writeValueAsString(m.content());
                copies.add(Manifest.full(
                        m.source(),
                        YamlDocuments.JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {})));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return copies;
    }

    private static Map<String, Object> find(List<Manifest> objects, String kind, String name) {
        return objects.stream()
                .filter(m -> m.is(kind) && name.equals(m.name()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in the base"))
                .content();
    }

    private static Map<String, Object> container(Map<String, Object> deployment) {
        return Tree.map(
                Tree.list(deployment, "spec", "template", "spec", "containers").get(0));
    }

    private static void rename(Map<String, Object> map, String from, String to) {
        map.put(to, map.remove(from));
    }
}
