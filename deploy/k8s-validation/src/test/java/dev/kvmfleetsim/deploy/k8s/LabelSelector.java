package dev.kvmfleetsim.deploy.k8s;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes label selector (matchLabels and matchExpressions, or a Service's plain map) and whether it selects a
 * set of labels. An empty selector selects everything, as in a NetworkPolicy's podSelector.
 */
record LabelSelector(Map<String, String> matchLabels, List<Object> matchExpressions) {

    static LabelSelector of(Object selector) {
        return new LabelSelector(Tree.labels(selector, "matchLabels"), Tree.list(selector, "matchExpressions"));
    }

    /** A Service's or a ReplicationController's selector: a plain map of labels. */
    static LabelSelector ofLabels(Map<String, String> labels) {
        return new LabelSelector(labels, List.of());
    }

    boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> required : matchLabels.entrySet()) {
            if (!required.getValue().equals(labels.get(required.getKey()))) {
                return false;
            }
        }
        for (Object expression : matchExpressions) {
            String key = Tree.text(expression, "key");
            List<String> values = Tree.list(expression, "values").stream()
                    .map(String::valueOf)
                    .toList();
            String operator = Tree.text(expression, "operator");
            boolean has = labels.containsKey(key);
            boolean ok = switch (operator == null ? "" : operator) {
                case "In" -> has && values.contains(labels.get(key));
                case "NotIn" -> !has || !values.contains(labels.get(key));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return matchExpressions.isEmpty() ? matchLabels.toString() : matchLabels + " " + matchExpressions;
    }
}
