package dev.kvmfleetsim.deploy.k8s;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;

/**
 * Parses a built-in object into fabric8's typed model and reports every field the model does not have. fabric8
 * keeps an unknown field in the {@code additionalProperties} of the object it appears in (a typo such as
 * {@code replica:}, or a field at the wrong depth); the API server would drop it silently, so each one is a finding
 * with its path.
 */
final class BuiltInObjectCheck {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    private BuiltInObjectCheck() {}

    /** The typed object, or a GenericKubernetesResource for a kind fabric8 does not know (a custom resource). */
    static Object parse(Manifest m) {
        try {
            return SERIALIZATION.unmarshal(YamlDocuments.JSON.writeValueAsString(m.content()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean isBuiltIn(Manifest m) {
        try {
            return !(parse(m) instanceof GenericKubernetesResource);
        } catch (RuntimeException e) {
            // It is a known kind that does not parse: check() reports why.
            return true;
        }
    }

    static void check(Manifest m, Findings findings) {
        Object typed;
        try {
            typed = parse(m);
        } catch (RuntimeException e) {
            findings.add(m, "(object)", "does not parse as " + m.apiVersion() + " " + m.kind() + ": " + rootCause(e));
            return;
        }
        if (typed instanceof GenericKubernetesResource) {
            findings.add(m, "apiVersion/kind", m.apiVersion() + " " + m.kind() + " is not a kind fabric8 knows");
            return;
        }
        walk(typed, "", m, findings);
    }

    /** Objects to check recursively: a parsed custom resource's metadata, for instance. */
    static void checkTyped(Object typed, String path, Manifest m, Findings findings) {
        walk(typed, path, m, findings);
    }

    private static void walk(Object node, String path, Manifest m, Findings findings) {
        if (node == null) {
            return;
        }
        if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", m, findings);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, join(path, String.valueOf(k)), m, findings));
            return;
        }
        if (!node.getClass().getName().startsWith(MODEL_PACKAGE)) {
            return;
        }
        for (Map.Entry<String, Object> unknown : additionalProperties(node).entrySet()) {
            findings.add(
                    m,
                    join(path, unknown.getKey()),
                    "unknown field (not in " + node.getClass().getSimpleName() + "; a typo or at the wrong depth?)");
        }
        for (Class<?> c = node.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                JsonProperty property = field.getAnnotation(JsonProperty.class);
                if (property == null || Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                String name = property.value().isEmpty() ? field.getName() : property.value();
                walk(read(field, node), join(path, name), m, findings);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> additionalProperties(Object node) {
        try {
            Object value = node.getClass().getMethod("getAdditionalProperties").invoke(node);
            return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        } catch (NoSuchMethodException e) {
            return Map.of();
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object read(Field field, Object node) {
        try {
            field.setAccessible(true);
            return field.get(node);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null
                ? cause.toString()
                : cause.getMessage().lines().findFirst().orElse("");
    }
}
