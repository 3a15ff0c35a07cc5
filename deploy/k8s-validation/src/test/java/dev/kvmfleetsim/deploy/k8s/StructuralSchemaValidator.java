package dev.kvmfleetsim.deploy.k8s;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.math.BigInteger;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Checks a custom resource against its CRD's structural schema, as the API server would before storing it: unknown
 * fields (which the server would prune silently), types, enums, patterns, bounds, required fields, and the
 * oneOf/anyOf alternatives the operators use to say "exactly one of". Metadata is checked as fabric8's ObjectMeta.
 * Not checked: CEL rules (x-kubernetes-validations) and formats; the operators' admission webhooks are not run
 * either (docs/kubernetes.md says what is validated offline).
 */
final class StructuralSchemaValidator {
    private static final LevenshteinDistance LEVENSHTEIN = LevenshteinDistance.getDefaultInstance();

    private final Manifest object;
    private final String crd;
    private final Findings findings;

    private StructuralSchemaValidator(Manifest object, String crd, Findings findings) {
        this.object = object;
        this.crd = crd;
        this.findings = findings;
    }

    static void validate(Manifest m, CrdSchemas.Schema schema, Findings findings) {
        StructuralSchemaValidator validator = new StructuralSchemaValidator(m, schema.file(), findings);
        Map<String, Object> properties = Tree.map(schema.openApi(), "properties");
        for (Map.Entry<String, Object> field : m.content().entrySet()) {
            String name = field.getKey();
            if (name.equals("metadata")) {
                validator.metadata(field.getValue());
            } else if (properties.containsKey(name)) {
                validator.node(field.getValue(), Tree.map(properties, name), name);
            } else {
                validator.unknown(name, properties.keySet());
            }
        }
        if (!m.partial()) {
            validator.required(m.content(), schema.openApi(), "");
        }
    }

    private void metadata(Object metadata) {
        ObjectMeta meta = YamlDocuments.JSON.convertValue(metadata, ObjectMeta.class);
        BuiltInObjectCheck.checkTyped(meta, "metadata", object, findings);
    }

    private void node(Object value, Map<String, Object> schema, String path) {
        if (value == null) {
            return;
        }
        boolean intOrString = Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"));
        if (intOrString) {
            if (!(value instanceof String) && !isInteger(value)) {
                problem(path, "expected an integer or a string, found " + describe(value));
                return;
            }
        } else if (!typeMatches(schema.get("type"), value)) {
            problem(path, "expected " + article(schema.get("type")) + ", found " + describe(value));
            return;
        }
        values(value, schema, path);
        if (!object.partial()) {
            alternatives(value, schema, path);
        }
        if (value instanceof Map<?, ?> map) {
            fields(map, schema, path);
        } else if (value instanceof List<?> list) {
            Map<String, Object> items = Tree.map(schema, "items");
            for (int i = 0; i < list.size(); i++) {
                node(list.get(i), items, path + "[" + i + "]");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void fields(Map<?, ?> map, Map<String, Object> schema, String path) {
        Map<String, Object> properties = Tree.map(schema, "properties");
        Object additional = schema.get("additionalProperties");
        boolean preserveUnknown = Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"));
        for (Map.Entry<?, ?> field : map.entrySet()) {
            String name = String.valueOf(field.getKey());
            String fieldPath = path + "." + name;
            if (properties.containsKey(name)) {
                node(field.getValue(), Tree.map(properties, name), fieldPath);
            } else if (additional instanceof Map<?, ?> valueSchema) {
                node(field.getValue(), (Map<String, Object>) valueSchema, fieldPath);
            } else if (!Boolean.TRUE.equals(additional) && !preserveUnknown) {
                unknown(fieldPath, properties.keySet());
            }
        }
        if (!object.partial()) {
            required(map, schema, path);
        }
    }

    private void required(Map<?, ?> map, Map<String, Object> schema, String path) {
        for (Object name : Tree.list(schema, "required")) {
            if (!map.containsKey(name.toString())) {
                problem(path.isEmpty() ? name.toString() : path + "." + name, "required field missing");
            }
        }
    }

    private void values(Object value, Map<String, Object> schema, String path) {
        List<Object> allowed = Tree.list(schema, "enum");
        if (!allowed.isEmpty()
                && allowed.stream().noneMatch(a -> String.valueOf(a).equals(String.valueOf(value)))) {
            problem(path, "'" + value + "' is not one of " + allowed);
        }
        if (value instanceof String s) {
            String pattern = Tree.text(schema, "pattern");
            if (pattern != null && !matches(pattern, s)) {
                problem(path, "'" + s + "' does not match " + pattern);
            }
            Long min = Tree.integer(schema, "minLength");
            Long max = Tree.integer(schema, "maxLength");
            if (min != null && s.length() < min || max != null && s.length() > max) {
                problem(path, "length " + s.length() + " outside [" + min + ", " + max + "]");
            }
        }
        if (value instanceof Number n) {
            Object minimum = schema.get("minimum");
            Object maximum = schema.get("maximum");
            if (minimum instanceof Number lo && n.doubleValue() < lo.doubleValue()) {
                problem(path, n + " is below the minimum " + lo);
            }
            if (maximum instanceof Number hi && n.doubleValue() > hi.doubleValue()) {
                problem(path, n + " is above the maximum " + hi);
            }
        }
        if (value instanceof List<?> list) {
            Long minItems = Tree.integer(schema, "minItems");
            if (minItems != null && list.size() < minItems) {
                problem(path, list.size() + " items, at least " + minItems + " required");
            }
        }
    }

    /** oneOf / anyOf as the operators use them: alternatives told apart by their required fields or their type. */
    private void alternatives(Object value, Map<String, Object> schema, String path) {
        for (String keyword : List.of("oneOf", "anyOf")) {
            List<Object> branches = Tree.list(schema, keyword);
            if (branches.isEmpty() || Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
                continue;
            }
            long matching =
                    branches.stream().filter(b -> branchMatches(b, value)).count();
            if (keyword.equals("oneOf") && matching != 1 || keyword.equals("anyOf") && matching == 0) {
                problem(path, keyword + ": " + matching + " of the alternatives " + summary(branches) + " match");
            }
        }
    }

    private static boolean branchMatches(Object branch, Object value) {
        Object type = Tree.at(branch, "type");
        if (type != null && !typeMatches(type, value)) {
            return false;
        }
        List<Object> required = Tree.list(branch, "required");
        return required.isEmpty()
                || value instanceof Map<?, ?> map && required.stream().allMatch(r -> map.containsKey(r));
    }

    private static String summary(List<Object> branches) {
        return branches.stream()
                .map(b -> Tree.list(b, "required").isEmpty()
                        ? String.valueOf(Tree.at(b, "type"))
                        : Tree.list(b, "required").toString())
                .toList()
                .toString();
    }

    private static boolean typeMatches(Object type, Object value) {
        if (type == null) {
            return true;
        }
        return switch (type.toString()) {
            case "object" -> value instanceof Map;
            case "array" -> value instanceof List;
            case "string" -> value instanceof String;
            case "integer" -> isInteger(value);
            case "number" -> value instanceof Number;
            case "boolean" -> value instanceof Boolean;
            default -> true;
        };
    }

    private static boolean isInteger(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    }

    private static boolean matches(String pattern, String value) {
        try {
            return Pattern.compile(pattern).matcher(value).find();
        } catch (PatternSyntaxException e) {
            // An RE2 construct Java does not read: the API server checks it, this validator cannot.
            return true;
        }
    }

    private void unknown(String path, java.util.Collection<String> known) {
        String leaf = path.substring(path.lastIndexOf('.') + 1);
        String suggestion = known.stream()
                .filter(k -> LEVENSHTEIN.apply(k, leaf) <= 2)
                .min(Comparator.comparingInt(k -> LEVENSHTEIN.apply(k, leaf)))
                .map(k -> "; did you mean '" + k + "'?")
                .orElse("");
        problem(path, "unknown field (not in the schema of " + crd + ")" + suggestion);
    }

    private void problem(String path, String message) {
        findings.add(object, path, message);
    }

    private static String describe(Object value) {
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "a list";
        }
        return (value instanceof String ? "the string '" : "the value '") + value + "'";
    }

    private static String article(Object type) {
        return "object".equals(type) || "array".equals(type) || "integer".equals(type) ? "an " + type : "a " + type;
    }
}
