package dev.kvmfleetsim.deploy.k8s;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the cross-checks of one kustomization share: its objects, the services' own configuration, the Secrets that
 * are made by hand before apply (docs/kubernetes.md: production's database credentials) with their keys, and the
 * findings.
 */
record CheckContext(
        ManifestSet set,
        List<ServiceConfiguration> services,
        Map<String, Set<String>> handMadeSecrets,
        Findings findings) {

    /** The database credentials production creates by hand (docs/kubernetes.md), as basic-auth Secrets. */
    static final Map<String, Set<String>> DATABASE_CREDENTIALS = Map.of(
            "fleet-pg-controller", Set.of("username", "password"),
            "fleet-pg-store", Set.of("username", "password"));

    Optional<ServiceConfiguration> service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** A ConfigMap's data, or empty when the set has no such ConfigMap. */
    Optional<Map<String, String>> configMap(String name) {
        return set.find("ConfigMap", name).map(m -> Tree.labels(m.content(), "data"));
    }

    /** The keys of a Secret of the set or made by hand, or empty when neither has it. */
    Optional<Set<String>> secretKeys(String name) {
        Optional<Manifest> secret = set.find("Secret", name);
        if (secret.isPresent()) {
            Map<String, Object> keys = new LinkedHashMap<>(Tree.map(secret.get().content(), "data"));
            keys.putAll(Tree.map(secret.get().content(), "stringData"));
            return Optional.of(keys.keySet());
        }
        return Optional.ofNullable(handMadeSecrets.get(name));
    }

    /** A Secret value in the set (stringData, or data decoded), or null when unknown (made by hand). */
    String secretValue(String name, String key) {
        Optional<Manifest> secret = set.find("Secret", name);
        if (secret.isEmpty()) {
            return null;
        }
        String plain = Tree.text(secret.get().content(), "stringData", key);
        if (plain != null) {
            return plain;
        }
        String encoded = Tree.text(secret.get().content(), "data", key);
        return encoded == null ? null : new String(java.util.Base64.getDecoder().decode(encoded));
    }

    /**
     * The environment a container gets from plain values and from envFrom ConfigMaps (Secret values are not
     * resolved): variable → value.
     */
    Map<String, String> environment(PodTemplate.Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object from : Tree.list(container.content(), "envFrom")) {
            String prefix = Optional.ofNullable(Tree.text(from, "prefix")).orElse("");
            String configMap = Tree.text(from, "configMapRef", "name");
            if (configMap != null) {
                configMap(configMap).ifPresent(data -> data.forEach((k, v) -> env.put(prefix + k, v)));
            }
        }
        for (Object entry : Tree.list(container.content(), "env")) {
            env.put(Tree.text(entry, "name"), Tree.text(entry, "value"));
        }
        return env;
    }

    void problem(Manifest object, String field, String message) {
        findings.add(object, field, message);
    }
}
