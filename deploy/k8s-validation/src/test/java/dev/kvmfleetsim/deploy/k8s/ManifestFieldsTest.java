package dev.kvmfleetsim.deploy.k8s;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No unknown field anywhere: built-in objects through fabric8's typed model, custom resources (Strimzi, CloudNativePG,
 * KEDA, Prometheus Operator) through their operators' CRD schemas. Once on the source files and patches (no kubectl
 * needed) and once on what kubectl renders (patches applied).
 */
class ManifestFieldsTest {
    private static final CrdSchemas SCHEMAS = CrdSchemas.vendored();

    @Test
    void sourceObjectsAndPatchesHaveOnlyKnownFields() {
        Map<String, Manifest> unique = new LinkedHashMap<>();
        for (Path dir : DeployTree.buildable()) {
            KustomizationSources.Content content = DeployTree.read(dir);
            Stream.concat(content.objects().stream(), content.patches().stream())
                    .forEach(m -> unique.putIfAbsent(m.source() + " " + m.ref(), m));
        }
        Findings findings = new Findings();
        unique.values().forEach(m -> ObjectFieldCheck.check(m, SCHEMAS, findings));
        findings.assertNone("the manifest files under deploy/k8s");
    }

    static Stream<String> kustomizations() {
        return KustomizeRenderTest.kustomizations();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void renderedObjectsHaveOnlyKnownFields(String kustomization) {
        assumeTrue(Kubectl.available(), "kubectl is not on the PATH");
        Findings findings = new Findings();
        DeployTree.rendered(DeployTree.dir(kustomization)).forEach(m -> ObjectFieldCheck.check(m, SCHEMAS, findings));
        findings.assertNone(kustomization + " as rendered by kubectl");
    }
}
