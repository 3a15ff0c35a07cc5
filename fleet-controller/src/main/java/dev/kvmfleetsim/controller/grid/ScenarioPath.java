package dev.kvmfleetsim.controller.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parameter's path in the scenario file format: field names joined by dots, list elements by index
 * ({@code kvm.ipi_window_ns}, {@code ipis[0].rate_per_sec}, {@code costs.hlt.mean_ns}).
 */
public final class ScenarioPath {
    private static final Pattern SEGMENT = Pattern.compile("([a-z][a-z0-9_]*)((?:\\[\\d{1,6}])*)");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

    /** One step: a field, optionally followed by list indexes. */
    private record Step(String field, List<Integer> indexes) {}

    private final String text;
    private final List<Step> steps;

    private ScenarioPath(String text, List<Step> steps) {
        this.text = text;
        this.steps = steps;
    }

    /** The path, or null if {@code text} is not a path's shape. */
    public static ScenarioPath parseOrNull(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        List<Step> steps = new ArrayList<>();
        for (String segment : text.split("\\.", -1)) {
            Matcher m = SEGMENT.matcher(segment);
            if (!m.matches()) {
                return null;
            }
            List<Integer> indexes = new ArrayList<>();
            Matcher i = INDEX.matcher(m.group(2));
            while (i.find()) {
                indexes.add(Integer.parseInt(i.group(1)));
            }
            steps.add(new Step(m.group(1), List.copyOf(indexes)));
        }
        return new ScenarioPath(text, List.copyOf(steps));
    }

    static ScenarioPath parse(String text) {
        ScenarioPath p = parseOrNull(text);
        if (p == null) {
            throw new IllegalArgumentException("not a scenario path: " + text);
        }
        return p;
    }

    public String text() {
        return text;
    }

    /** Whether the path goes into a list element. */
    public boolean indexed() {
        return steps.stream().anyMatch(s -> !s.indexes().isEmpty());
    }

    /** The node at this path in {@code tree}, or a {@link Miss} that says what is missing. */
    public Object resolve(JsonNode tree) {
        JsonNode node = tree;
        StringBuilder at = new StringBuilder();
        for (Step step : steps) {
            if (at.length() > 0) {
                at.append('.');
            }
            at.append(step.field());
            JsonNode child = node.isObject() ? node.get(step.field()) : null;
            if (child == null) {
                return new Miss(at.toString(), true, null);
            }
            node = child;
            for (int index : step.indexes()) {
                if (!node.isArray()) {
                    return new Miss(at.toString(), false, "is not a list");
                }
                if (index >= node.size()) {
                    return new Miss(
                            at.toString(),
                            false,
                            "has " + node.size() + " element(s) in the base scenario; a grid varies existing elements"
                                    + " only");
                }
                at.append('[').append(index).append(']');
                node = node.get(index);
            }
        }
        return node;
    }

    /** Replaces the node at this path (which {@link #resolve} found) with {@code value}. */
    public void set(ObjectNode tree, JsonNode value) {
        JsonNode node = tree;
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            boolean lastStep = s == steps.size() - 1;
            if (lastStep && step.indexes().isEmpty()) {
                ((ObjectNode) node).set(step.field(), value.deepCopy());
                return;
            }
            node = node.get(step.field());
            for (int i = 0; i < step.indexes().size(); i++) {
                int index = step.indexes().get(i);
                if (lastStep && i == step.indexes().size() - 1) {
                    ((ArrayNode) node).set(index, value.deepCopy());
                    return;
                }
                node = node.get(index);
            }
        }
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * Why a path is not in a scenario.
     *
     * @param at the prefix that failed
     * @param unknownField the field at {@code at} does not exist
     * @param reason otherwise, what is wrong there
     */
    public record Miss(String at, boolean unknownField, String reason) {}
}
