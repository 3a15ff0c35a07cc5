package dev.kvmfleetsim.deploy.k8s;

import java.util.Map;

/**
 * One Kubernetes object as parsed from YAML, with where it came from (a file, or a kustomization rendered by
 * kubectl). {@code partial} marks a patch: a fragment whose required fields are elsewhere.
 */
record Manifest(String source, Map<String, Object> content, boolean partial) {

    static Manifest full(String source, Map<String, Object> content) {
        return new Manifest(source, content, false);
    }

    String apiVersion() {
        return String.valueOf(content.get("apiVersion"));
    }

    String kind() {
        return String.valueOf(content.get("kind"));
    }

    String name() {
        return Tree.text(content, "metadata", "name");
    }

    /** API group: "" for the core group (apiVersion "v1"). */
    String group() {
        String apiVersion = apiVersion();
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    String version() {
        String apiVersion = apiVersion();
        return apiVersion.substring(apiVersion.indexOf('/') + 1);
    }

    boolean is(String kind) {
        return kind().equals(kind);
    }

    /** How findings name the object: Kind/name. */
    String ref() {
        return kind() + "/" + name();
    }

    Map<String, String> labels() {
        return Tree.labels(content, "metadata", "labels");
    }
}
