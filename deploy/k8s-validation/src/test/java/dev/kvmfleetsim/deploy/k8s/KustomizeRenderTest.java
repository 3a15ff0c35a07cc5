package dev.kvmfleetsim.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kustomization renders with kubectl (skipped without kubectl) and reads completely without it. */
class KustomizeRenderTest {

    static Stream<String> kustomizations() {
        return DeployTree.buildable().stream().map(DeployTree::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void rendersWithKubectl(String kustomization) {
        assumeTrue(Kubectl.available(), "kubectl is not on the PATH");
        assertThat(DeployTree.rendered(DeployTree.dir(kustomization))).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void readsWithoutKubectl(String kustomization) {
        KustomizationSources.Content content = DeployTree.read(DeployTree.dir(kustomization));
        assertThat(content.problems()).as("missing files of " + kustomization).isEmpty();
        assertThat(content.objects()).isNotEmpty();
    }

    @Test
    void theExpectedKustomizationsExist() {
        assertThat(kustomizations())
                .contains(
                        "deploy/k8s/base",
                        "deploy/k8s/overlays/dev",
                        "deploy/k8s/overlays/production",
                        "deploy/k8s/sweep/job",
                        "deploy/k8s/examples/nightly-sweep",
                        "deploy/k8s/examples/autoscaled");
    }

    /** A component no kustomization uses would never be rendered, hence never checked. */
    @Test
    void everyComponentIsUsedByAKustomization() {
        List<Path> components = KustomizationSources.all(DeployTree.PATHS).stream()
                .filter(KustomizationSources::isComponent)
                .toList();
        List<Path> used = DeployTree.buildable().stream()
                .flatMap(dir ->
                        Tree.list(
                                        YamlDocuments.read(dir.resolve("kustomization.yaml"))
                                                .get(0),
                                        "components")
                                .stream()
                                .map(c -> dir.resolve(c.toString()).normalize()))
                .toList();
        assertThat(used).containsAll(components);
    }
}
