package dev.kvmfleetsim.controller.grid;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvmfleetsim.contract.DetailLevel;
import dev.kvmfleetsim.contract.Problem.FieldError;
import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator.Violation;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Checks a sweep request and expands its grid (pure: no framework, no I/O). Every problem of a request is collected
 * and reported at once in an {@link InvalidSweepException}: the request's own fields, the base scenario (through the
 * model's {@link ScenarioJson#fromTree}), each axis and value, the grid's size, and each grid point the model rejects.
 *
 * <p>Expansion is deterministic: the cartesian product of the axes in the order the request lists them (the first
 * axis varies slowest, the last fastest), each point applied to the resolved base scenario (first-class axes that
 * read other parameters, {@code overcommit}, last), then validated and written in canonical form by the model. Two
 * points with identical canonical scenarios are one run per repetition.
 */
public final class SweepPlanner {
    /** The request's fields. */
    public static final Set<String> FIELDS = Set.of("name", "base_scenario", "grid", "repetitions", "seed", "detail");

    private static final ObjectMapper MAPPER = ScenarioJson.mapper();
    private static final ObjectWriter CANONICAL = MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectNode DEFAULTS = MAPPER.valueToTree(Scenario.defaults());
    private static final List<String> KNOWN_AXES = knownAxes();
    private static final int MAX_NAME_LENGTH = 200;

    private final int maxRuns;
    private final int maxReportedPoints;

    /**
     * @param maxRuns most runs (points × repetitions) a sweep may have
     * @param maxReportedPoints how many rejected grid points are listed one by one
     */
    public SweepPlanner(int maxRuns, int maxReportedPoints) {
        this.maxRuns = maxRuns;
        this.maxReportedPoints = maxReportedPoints;
    }

    /**
     * Checks and expands a sweep request.
     *
     * @throws InvalidSweepException listing every problem
     */
    public SweepPlan plan(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw new InvalidSweepException(List.of(new FieldError("(body)", "must be a JSON object")));
        }
        List<FieldError> errors = new ArrayList<>();
        request.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                errors.add(new FieldError(f, "unknown field (expected one of " + new TreeSet<>(FIELDS) + ")"));
            }
        });

        ObjectNode base = null;
        ObjectNode resolvedBase = null;
        JsonNode baseNode = request.get("base_scenario");
        if (baseNode == null || baseNode.isNull()) {
            errors.add(new FieldError(
                    "base_scenario", "required: the scenario every grid point starts from ({} for all defaults)"));
        } else if (!baseNode.isObject()) {
            errors.add(new FieldError("base_scenario", "must be a scenario object (docs/scenario-format.md)"));
        } else {
            base = (ObjectNode) baseNode;
            try {
                resolvedBase = MAPPER.valueToTree(ScenarioJson.fromTree(base));
            } catch (InvalidScenarioException e) {
                for (Violation v : e.violations()) {
                    errors.add(new FieldError(prefixed("base_scenario", v.field()), v.reason()));
                }
            }
        }

        String name = string(
                request, "name", resolvedBase != null ? resolvedBase.get("name").asText() : "sweep", errors);
        long seed = longValue(
                request, "seed", resolvedBase != null ? resolvedBase.get("seed").longValue() : 1L, errors);
        int repetitions = repetitions(request, errors);
        DetailLevel detail = detail(request, errors);

        List<Axis> axes = new ArrayList<>();
        List<Axis.Values> values = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        long points = axes(request.get("grid"), resolvedBase, errors, axes, values, sizes);

        long runs = saturatingMultiply(points, Math.max(repetitions, 1));
        if (runs > maxRuns) {
            StringBuilder product = new StringBuilder();
            for (int size : sizes) {
                product.append(product.length() == 0 ? "" : " × ").append(size);
            }
            errors.add(new FieldError(
                    "grid",
                    (runs == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : String.valueOf(runs)) + " runs ("
                            + (product.length() == 0 ? "1" : product) + " points × " + Math.max(repetitions, 1)
                            + " repetitions) exceed the limit of " + maxRuns + " (fleet-controller.sweep.max-runs)"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSweepException(errors);
        }

        List<SweepPlan.Point> expanded = expand(resolvedBase, axes, values, (int) points, errors);
        if (!errors.isEmpty()) {
            throw new InvalidSweepException(errors);
        }
        return new SweepPlan(name, seed, repetitions, detail, base, values, expanded);
    }

    /** Parses the grid into axes; returns the number of points (each axis counted, valid or not). */
    private static long axes(
            JsonNode grid,
            ObjectNode resolvedBase,
            List<FieldError> errors,
            List<Axis> axes,
            List<Axis.Values> out,
            List<Integer> sizes) {
        if (grid == null || grid.isNull()) {
            return 1;
        }
        if (!grid.isObject()) {
            errors.add(new FieldError("grid", "must be an object of axes: {\"<parameter>\": [values...], ...}"));
            return 1;
        }
        long points = 1;
        Map<String, String> written = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = grid.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = "grid." + e.getKey();
            Axis axis = axis(e.getKey(), resolvedBase, at, errors);
            if (axis != null) {
                overlaps(axis, written, at, errors);
            }
            JsonNode vals = e.getValue();
            if (!vals.isArray()) {
                errors.add(new FieldError(at, "must be a list of values"));
                continue;
            }
            if (vals.isEmpty()) {
                errors.add(new FieldError(at, "must list at least one value"));
                continue;
            }
            points = saturatingMultiply(points, vals.size());
            sizes.add(vals.size());
            if (axis == null) {
                continue;
            }
            boolean valuesOk = true;
            for (int i = 0; i < vals.size(); i++) {
                String reason = vals.get(i).isNull() ? "must not be null" : axis.check(vals.get(i));
                if (reason != null) {
                    errors.add(new FieldError(at + "[" + i + "]", reason));
                    valuesOk = false;
                }
            }
            if (valuesOk) {
                axes.add(axis);
                out.add(new Axis.Values(axis.name(), (ArrayNode) vals));
            }
        }
        return points;
    }

    /** The axis called {@code name}, or null with the reason added to {@code errors}. */
    private static Axis axis(String name, ObjectNode resolvedBase, String at, List<FieldError> errors) {
        switch (name) {
            case Axis.IpiTracking.NAME:
                return new Axis.IpiTracking();
            case Axis.Overcommit.NAME:
                return new Axis.Overcommit();
            case "seed":
                errors.add(new FieldError(
                        at, "the run seeds come from the sweep's seed and the repetition; a grid cannot vary them"));
                return null;
            default:
                break;
        }
        String pathText = "ipi_window_ns".equals(name) ? "kvm.ipi_window_ns" : name;
        ScenarioPath path = ScenarioPath.parseOrNull(pathText);
        if (path == null) {
            errors.add(new FieldError(
                    at,
                    "not a parameter path: use the scenario format's field names, like kvm.ipi_window_ns or"
                            + " ipis[0].rate_per_sec, or a first-class axis (ipi_window_ns, ipi_tracking_enabled,"
                            + " overcommit)"));
            return null;
        }
        if (resolvedBase == null && path.indexed()) {
            return null; // list elements come from the base scenario, which has its own errors
        }
        Object found = path.resolve(resolvedBase != null ? resolvedBase : DEFAULTS);
        if (found instanceof ScenarioPath.Miss miss) {
            if (miss.unknownField()) {
                String suggestion = suggest(name);
                errors.add(new FieldError(
                        at,
                        "unknown scenario parameter" + (miss.at().equals(pathText) ? "" : " (no " + miss.at() + ")")
                                + (suggestion == null ? "" : "; did you mean " + suggestion + "?")));
            } else {
                errors.add(new FieldError(at, miss.at() + " " + miss.reason()));
            }
            return null;
        }
        return new Axis.Parameter(name, path, (JsonNode) found);
    }

    /** Refuses an axis that sets a parameter an earlier axis sets (or a parent or child of it). */
    private static void overlaps(Axis axis, Map<String, String> written, String at, List<FieldError> errors) {
        for (String path : axis.writes()) {
            for (Map.Entry<String, String> w : written.entrySet()) {
                String other = w.getKey();
                if (path.equals(other) || contains(path, other) || contains(other, path)) {
                    errors.add(new FieldError(
                            at, "sets " + path + ", which axis " + w.getValue() + " sets too (" + other + ")"));
                    return;
                }
            }
        }
        for (String path : axis.writes()) {
            written.put(path, axis.name());
        }
    }

    private static boolean contains(String parent, String child) {
        return child.startsWith(parent + ".") || child.startsWith(parent + "[");
    }

    private List<SweepPlan.Point> expand(
            ObjectNode resolvedBase, List<Axis> axes, List<Axis.Values> values, int points, List<FieldError> errors) {
        int n = axes.size();
        int[] sizes = new int[n];
        for (int k = 0; k < n; k++) {
            sizes[k] = values.get(k).values().size();
        }
        List<SweepPlan.Point> out = new ArrayList<>(points);
        Map<String, Integer> firstWith = new HashMap<>();
        int rejected = 0;
        int[] digit = new int[n];
        for (int p = 0; p < points; p++) {
            int rest = p;
            for (int k = n - 1; k >= 0; k--) {
                digit[k] = rest % sizes[k];
                rest /= sizes[k];
            }
            ObjectNode parameters = JsonNodeFactory.instance.objectNode();
            ObjectNode tree = resolvedBase.deepCopy();
            for (int k = 0; k < n; k++) {
                JsonNode v = values.get(k).values().get(digit[k]);
                parameters.set(axes.get(k).name(), v);
                if (!axes.get(k).late()) {
                    axes.get(k).apply(tree, v);
                }
            }
            for (int k = 0; k < n; k++) {
                if (axes.get(k).late()) {
                    axes.get(k).apply(tree, values.get(k).values().get(digit[k]));
                }
            }
            String canonical;
            try {
                canonical = CANONICAL.writeValueAsString(ScenarioJson.fromTree(tree));
            } catch (InvalidScenarioException e) {
                if (rejected < maxReportedPoints) {
                    for (Violation v : e.violations()) {
                        errors.add(new FieldError(
                                prefixed("grid[" + p + "]", v.field()),
                                v.reason() + " (at grid point " + p + ": " + parameters + ")"));
                    }
                }
                rejected++;
                continue;
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("model records always serialize", e);
            }
            Integer first = firstWith.putIfAbsent(canonical, p);
            out.add(new SweepPlan.Point(p, parameters, first == null ? canonical : null, first == null ? -1 : first));
        }
        if (rejected > maxReportedPoints) {
            errors.add(new FieldError(
                    "grid",
                    (rejected - maxReportedPoints) + " more of the " + points
                            + " grid points are rejected by the model (not listed)"));
        }
        return out;
    }

    private static String prefixed(String prefix, String field) {
        return "(file)".equals(field) ? prefix : prefix + (field.startsWith("[") ? "" : ".") + field;
    }

    private static String string(JsonNode request, String field, String fallback, List<FieldError> errors) {
        JsonNode v = request.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            errors.add(new FieldError(field, "must be a non-empty string"));
            return fallback;
        }
        if (v.asText().length() > MAX_NAME_LENGTH) {
            errors.add(new FieldError(field, "must be at most " + MAX_NAME_LENGTH + " characters"));
        }
        return v.asText();
    }

    private static long longValue(JsonNode request, String field, long fallback, List<FieldError> errors) {
        JsonNode v = request.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            errors.add(new FieldError(field, "must be an integer (64-bit), was " + JsonTypes.abbreviate(v)));
            return fallback;
        }
        return v.longValue();
    }

    private static int repetitions(JsonNode request, List<FieldError> errors) {
        JsonNode v = request.get("repetitions");
        if (v == null || v.isNull()) {
            return 1;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            errors.add(new FieldError("repetitions", "must be an integer, was " + JsonTypes.abbreviate(v)));
            return 1;
        }
        if (v.intValue() < 1) {
            errors.add(new FieldError("repetitions", "must be at least 1, was " + v.intValue()));
            return 1;
        }
        return v.intValue();
    }

    private static DetailLevel detail(JsonNode request, List<FieldError> errors) {
        JsonNode v = request.get("detail");
        if (v == null || v.isNull()) {
            return DetailLevel.AGGREGATE;
        }
        if (v.isTextual()) {
            for (DetailLevel d : DetailLevel.values()) {
                if (d.name().equalsIgnoreCase(v.asText())) {
                    return d;
                }
            }
        }
        errors.add(new FieldError("detail", "must be one of aggregate, sampled, full, was " + JsonTypes.abbreviate(v)));
        return DetailLevel.AGGREGATE;
    }

    private static long saturatingMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    /** The known axis closest to {@code name} (a typo), or null if none is close. */
    static String suggest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : KNOWN_AXES) {
            int d = LevenshteinDistance.getDefaultInstance().apply(name, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 5) ? best : null;
    }

    private static List<String> knownAxes() {
        List<String> known = new ArrayList<>(List.of(Axis.IpiTracking.NAME, Axis.Overcommit.NAME, "ipi_window_ns"));
        collectPaths(DEFAULTS, "", known);
        return List.copyOf(known);
    }

    private static void collectPaths(JsonNode node, String prefix, List<String> out) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix + e.getKey();
            out.add(path);
            if (e.getValue().isObject()) {
                collectPaths(e.getValue(), path + ".", out);
            }
        }
    }

    /** The lower-case name of a detail level, as in the API. */
    public static String detailName(DetailLevel detail) {
        return detail.name().toLowerCase(Locale.ROOT);
    }
}
