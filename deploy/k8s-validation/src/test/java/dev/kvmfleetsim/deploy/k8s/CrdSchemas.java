package dev.kvmfleetsim.deploy.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The openAPIV3Schema of each custom resource kind the manifests use, from the operators' own CRDs vendored (trimmed)
 * in src/test/resources/crds; that folder's README names their sources, versions and licences.
 */
final class CrdSchemas {
    /** One served version of a CRD. */
    record Schema(String apiVersion, String kind, String file, Map<String, Object> openApi) {}

    private final Map<String, Schema> byApiVersionAndKind = new HashMap<>();

    private CrdSchemas() {}

    static CrdSchemas vendored() {
        CrdSchemas schemas = new CrdSchemas();
        try (Stream<Path> files = Files.list(folder())) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                Map<String, Object> crd = YamlDocuments.read(file).get(0);
                String group = Tree.text(crd, "spec", "group");
                String kind = Tree.text(crd, "spec", "names", "kind");
                for (Object version : Tree.list(crd, "spec", "versions")) {
                    String apiVersion = group + "/" + Tree.text(version, "name");
                    schemas.byApiVersionAndKind.put(
                            apiVersion + " " + kind,
                            new Schema(
                                    apiVersion,
                                    kind,
                                    file.getFileName().toString(),
                                    Tree.map(version, "schema", "openAPIV3Schema")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return schemas;
    }

    private static Path folder() {
        try {
            return Path.of(CrdSchemas.class.getResource("/crds").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    Optional<Schema> of(Manifest m) {
        return Optional.ofNullable(byApiVersionAndKind.get(m.apiVersion() + " " + m.kind()));
    }

    /** The API groups of the vendored CRDs: an object of such a group must match one of them. */
    boolean isCustomGroup(String group) {
        return byApiVersionAndKind.values().stream()
                .anyMatch(s -> s.apiVersion().startsWith(group + "/"));
    }

    List<Schema> all() {
        return List.copyOf(byApiVersionAndKind.values());
    }
}
