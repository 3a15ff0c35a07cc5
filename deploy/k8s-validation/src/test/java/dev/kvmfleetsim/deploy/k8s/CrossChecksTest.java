package dev.kvmfleetsim.deploy.k8s;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The objects of each kustomization agree with each other and with the services (selectors, ports, probes,
 * environment, Kafka, PostgreSQL, NetworkPolicies, the sweep trigger): on kubectl's rendering, and on the
 * kustomization as read without kubectl (base shapes, patches not applied), so that the checks run everywhere.
 */
class CrossChecksTest {

    static Stream<String> kustomizations() {
        return KustomizeRenderTest.kustomizations();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void renderedObjectsAgree(String kustomization) {
        assumeTrue(Kubectl.available(), "kubectl is not on the PATH");
        DeployTree.crossCheck(DeployTree.renderedSet(DeployTree.dir(kustomization)))
                .assertNone(kustomization + " as rendered by kubectl");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void sourceObjectsAgree(String kustomization) {
        DeployTree.crossCheck(DeployTree.readSet(DeployTree.dir(kustomization)))
                .assertNone(kustomization + " as read without kubectl");
    }
}
