package dev.kvmfleetsim.hostsim.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.ple.PleParams;
import dev.kvmfleetsim.hostsim.model.scenario.DeviceSource;
import dev.kvmfleetsim.hostsim.model.scenario.IoapicWrite;
import dev.kvmfleetsim.hostsim.model.scenario.IpiSource;
import dev.kvmfleetsim.hostsim.model.scenario.MsiSource;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator;
import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator.Violation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The scenario file format (JSON, or YAML with the same structure): field names are the kernel's snake_case names, a
 * missing field takes its default from {@link Scenario#defaults()}, and a bad file is rejected as a whole with every
 * problem named by its path ({@code kvm.ipi_window_ns: must be an integer}). See docs/scenario-format.md.
 */
public final class ScenarioJson {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .configure(EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Defaults of the elements of each list field, by the list's name. */
    private static final Map<String, Object> ELEMENT_DEFAULTS = Map.of(
            "ipis", IpiSource.defaults(),
            "devices", DeviceSource.defaults(),
            "msis", MsiSource.defaults(),
            "ioapic_writes", IoapicWrite.defaults());

    private ScenarioJson() {}

    /** The mapper that reads and writes the model's records in the file format (snake_case, lower-case enums). */
    public static ObjectMapper mapper() {
        return JSON;
    }

    /**
     * Reads and validates a scenario.
     *
     * @param text the file's content
     * @param yaml parse as YAML instead of JSON
     * @throws InvalidScenarioException listing every problem, each with its field path
     */
    public static Scenario read(String text, boolean yaml) {
        JsonNode user;
        try {
            user = (yaml ? YAML : JSON).readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidScenarioException(List.of(
                    new Violation("(file)", "not valid " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage())));
        }
        return fromTree(user);
    }

    /** Validates and binds a scenario given as a JSON tree (as it arrives inside a run request). */
    public static Scenario fromTree(JsonNode user) {
        List<Violation> problems = new ArrayList<>();
        if (user == null || !user.isObject()) {
            throw new InvalidScenarioException(List.of(new Violation("(file)", "must be a JSON object")));
        }
        if (user.path("host").has("vm_cgroups")) {
            // The old switch named a one-line rule, not a layout: true meant neither libvirt's per-vCPU groups nor a
            // real per-VM hierarchy, so mapping it would silently change results. The user chooses a layout.
            problems.add(new Violation(
                    "host.vm_cgroups",
                    "replaced by host.cgroup_layout (per_vcpu: libvirt, the default; per_vm; flat); choose one"));
            user = user.deepCopy();
            ((ObjectNode) user.get("host")).remove("vm_cgroups");
        }
        ObjectNode merged = JSON.valueToTree(Scenario.defaults());
        JsonNode vendor = user.path("ple").path("vendor");
        if (vendor.isTextual() && vendor.asText().equalsIgnoreCase("amd_svm")) {
            // The SVM pause filter has its own defaults (3000 PAUSEs, max 65535): fields left out take those.
            merged.set("ple", JSON.valueToTree(PleParams.amdDefaults()));
        }
        // Fields with a problem keep their default, so the rest can still be bound and checked: all problems of
        // the file are reported at once.
        merge(merged, user, "", problems);
        Scenario scenario = null;
        try {
            scenario = JSON.treeToValue(merged, Scenario.class);
        } catch (JsonMappingException e) {
            problems.add(new Violation(path(e), reason(e)));
        } catch (JsonProcessingException e) {
            problems.add(new Violation("(file)", e.getOriginalMessage()));
        }
        if (scenario != null) {
            problems.addAll(ScenarioValidator.validate(scenario));
        }
        if (!problems.isEmpty()) {
            throw new InvalidScenarioException(problems);
        }
        return scenario;
    }

    /** The scenario with every field spelled out, defaults included. */
    public static String write(Scenario scenario) {
        return toJson(scenario);
    }

    /** A result (or any model record) as indented JSON. */
    public static String write(SimulationResult result) {
        return toJson(result);
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("model records always serialize", e);
        }
    }

    /**
     * Overlays the user's tree on the defaults, checking that each field exists and has the default's JSON type.
     * Integers may be written in hex as strings ("0xfb"), since vectors are usually quoted that way.
     */
    private static void merge(ObjectNode target, JsonNode user, String path, List<Violation> problems) {
        Iterator<Map.Entry<String, JsonNode>> fields = user.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = f.getKey();
            String at = path + name;
            JsonNode value = f.getValue();
            JsonNode def = target.get(name);
            if (def == null) {
                problems.add(new Violation(at, "unknown field"));
                continue;
            }
            if (def.isObject()) {
                if (!value.isObject()) {
                    problems.add(new Violation(at, "must be an object"));
                } else {
                    merge((ObjectNode) def, value, at + ".", problems);
                }
            } else if (def.isArray()) {
                if (!value.isArray()) {
                    problems.add(new Violation(at, "must be a list"));
                    continue;
                }
                target.set(name, mergeList(name, (ArrayNode) value, at, problems));
            } else {
                JsonNode checked = scalar(def, value, at, problems);
                if (checked != null) {
                    target.set(name, checked);
                }
            }
        }
    }

    private static ArrayNode mergeList(String name, ArrayNode values, String at, List<Violation> problems) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        Object elementDefault = ELEMENT_DEFAULTS.get(name);
        for (int i = 0; i < values.size(); i++) {
            JsonNode e = values.get(i);
            String ep = at + "[" + i + "]";
            if (elementDefault != null) {
                if (!e.isObject()) {
                    problems.add(new Violation(ep, "must be an object"));
                    continue;
                }
                ObjectNode copy = JSON.valueToTree(elementDefault);
                merge(copy, e, ep + ".", problems);
                out.add(copy);
            } else {
                JsonNode checked = scalar(JsonNodeFactory.instance.numberNode(0), e, ep, problems);
                if (checked != null) {
                    out.add(checked);
                }
            }
        }
        return out;
    }

    private static JsonNode scalar(JsonNode def, JsonNode value, String at, List<Violation> problems) {
        if (def.isBoolean()) {
            if (!value.isBoolean()) {
                problems.add(new Violation(at, "must be true or false"));
                return null;
            }
            return value;
        }
        if (def.isIntegralNumber()) {
            if (value.isTextual() && value.asText().toLowerCase().startsWith("0x")) {
                try {
                    return JsonNodeFactory.instance.numberNode(
                            Long.parseLong(value.asText().substring(2), 16));
                } catch (NumberFormatException e) {
                    problems.add(new Violation(at, "not a hex number: " + value.asText()));
                    return null;
                }
            }
            if (!value.isNumber() || !value.canConvertToExactIntegral()) {
                problems.add(new Violation(at, "must be an integer"));
                return null;
            }
            return JsonNodeFactory.instance.numberNode(value.longValue());
        }
        if (def.isNumber()) {
            if (!value.isNumber()) {
                problems.add(new Violation(at, "must be a number"));
                return null;
            }
            return value;
        }
        if (def.isTextual()) {
            if (!value.isTextual()) {
                problems.add(new Violation(at, "must be a string"));
                return null;
            }
            return value;
        }
        return value;
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "(file)" : sb.toString();
    }

    private static String reason(JsonMappingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f
                && f.getTargetType() != null
                && f.getTargetType().isEnum()) {
            StringBuilder allowed = new StringBuilder();
            for (Object c : f.getTargetType().getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : ", ")
                        .append(c.toString().toLowerCase());
            }
            return "unknown value '" + f.getValue() + "', expected one of: " + allowed;
        }
        return e.getOriginalMessage();
    }
}
