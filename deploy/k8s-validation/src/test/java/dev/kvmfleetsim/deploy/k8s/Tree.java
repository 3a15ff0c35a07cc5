package dev.kvmfleetsim.deploy.k8s;

import java.util.List;
import java.util.Map;

/** Typed reads of a parsed YAML tree (maps, lists, scalars), answering null where the shape does not match. */
final class Tree {
    private Tree() {}

    /** The value at a path of map keys, or null when a step is missing or not a map. */
    static Object at(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String... path) {
        return at(node, path) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, String... path) {
        return at(node, path) instanceof List<?> l ? (List<Object>) l : List.of();
    }

    /** A scalar as text (numbers and booleans too, as YAML would print them), or null. */
    static String text(Object node, String... path) {
        Object value = at(node, path);
        return value instanceof String || value instanceof Number || value instanceof Boolean ? value.toString() : null;
    }

    /** Integer scalar, or null (also for a string such as "3"). */
    static Long integer(Object node, String... path) {
        return at(node, path) instanceof Number n ? n.longValue() : null;
    }

    /** A map of string labels (metadata.labels, selectors); non-string values are written as text. */
    static Map<String, String> labels(Object node, String... path) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        map(node, path).forEach((k, v) -> labels.put(k, v == null ? "" : v.toString()));
        return labels;
    }
}
