package dev.kvmfleetsim.deploy.k8s;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kustomizations of deploy/k8s, each as kubectl renders it or as {@link KustomizationSources} reads it without
 * kubectl, and the union of all of them (the namespace's universe for cross-kustomization references).
 */
final class DeployTree {
    static final ProjectPaths PATHS = ProjectPaths.current();

    private DeployTree() {}

    /** Kustomizations that build on their own (components are built through the ones that use them). */
    static List<Path> buildable() {
        return KustomizationSources.all(PATHS).stream()
                .filter(dir -> !KustomizationSources.isComponent(dir))
                .toList();
    }

    static String name(Path dir) {
        return PATHS.relative(dir);
    }

    static Path dir(String name) {
        return PATHS.resolve(name);
    }

    static List<Manifest> rendered(Path dir) {
        return Kubectl.render(PATHS, dir);
    }

    static KustomizationSources.Content read(Path dir) {
        return new KustomizationSources(PATHS).read(dir);
    }

    static ManifestSet renderedSet(Path dir) {
        List<Manifest> universe = new ArrayList<>();
        buildable().forEach(d -> universe.addAll(rendered(d)));
        return new ManifestSet(name(dir), rendered(dir), distinct(universe));
    }

    static ManifestSet readSet(Path dir) {
        List<Manifest> universe = new ArrayList<>();
        buildable().forEach(d -> universe.addAll(read(d).objects()));
        return new ManifestSet(name(dir), read(dir).objects(), distinct(universe));
    }

    /** One object per kind and name (overlays repeat the base's objects). */
    private static List<Manifest> distinct(List<Manifest> objects) {
        Map<String, Manifest> byRef = new LinkedHashMap<>();
        objects.forEach(m -> byRef.putIfAbsent(m.ref(), m));
        return List.copyOf(byRef.values());
    }

    static Findings crossCheck(ManifestSet set) {
        Findings findings = new Findings();
        CrossChecks.run(
                new CheckContext(set, ServiceConfiguration.all(PATHS), CheckContext.DATABASE_CREDENTIALS, findings));
        return findings;
    }
}
