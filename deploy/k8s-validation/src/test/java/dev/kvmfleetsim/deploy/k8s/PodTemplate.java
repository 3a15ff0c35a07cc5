package dev.kvmfleetsim.deploy.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pod that will run: the pod template of a Deployment, StatefulSet, DaemonSet, Job or CronJob, with the field
 * path of the template inside its owner (for findings).
 */
record PodTemplate(Manifest owner, String path, Map<String, Object> template) {

    static List<PodTemplate> of(Manifest m) {
        List<PodTemplate> templates = new ArrayList<>();
        switch (m.kind()) {
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job" -> {
                Map<String, Object> t = Tree.map(m.content(), "spec", "template");
                if (!t.isEmpty()) {
                    templates.add(new PodTemplate(m, "spec.template", t));
                }
            }
            case "CronJob" -> {
                Map<String, Object> t = Tree.map(m.content(), "spec", "jobTemplate", "spec", "template");
                if (!t.isEmpty()) {
                    templates.add(new PodTemplate(m, "spec.jobTemplate.spec.template", t));
                }
            }
            default -> {}
        }
        return templates;
    }

    /** The raw template maps of an object (for transformers that edit them). */
    static List<Map<String, Object>> templatesOf(Manifest m) {
        return of(m).stream().map(PodTemplate::template).toList();
    }

    Map<String, String> labels() {
        return Tree.labels(template, "metadata", "labels");
    }

    Map<String, String> annotations() {
        return Tree.labels(template, "metadata", "annotations");
    }

    Map<String, Object> spec() {
        return Tree.map(template, "spec");
    }

    /** Containers with their field paths, init containers included. */
    List<Container> containers() {
        List<Container> containers = new ArrayList<>();
        for (String list : List.of("initContainers", "containers")) {
            List<Object> entries = Tree.list(template, "spec", list);
            for (int i = 0; i < entries.size(); i++) {
                containers.add(new Container(this, path + ".spec." + list + "[" + i + "]", Tree.map(entries.get(i))));
            }
        }
        return containers;
    }

    /** One container of a pod template. */
    record Container(PodTemplate pod, String path, Map<String, Object> content) {
        String name() {
            return Tree.text(content, "name");
        }

        String image() {
            return Tree.text(content, "image");
        }

        /** Container port by name or number (a probe's or a Service's targetPort), or null. */
        Long port(Object nameOrNumber) {
            for (Object port : Tree.list(content, "ports")) {
                Long number = Tree.integer(port, "containerPort");
                if (nameOrNumber instanceof Number n && number != null && number == n.longValue()) {
                    return number;
                }
                if (nameOrNumber != null && nameOrNumber.toString().equals(Tree.text(port, "name"))) {
                    return number;
                }
            }
            return null;
        }

        /** Value of a plain (not valueFrom) env entry, or null. */
        String env(String name) {
            for (Object env : Tree.list(content, "env")) {
                if (name.equals(Tree.text(env, "name"))) {
                    return Tree.text(env, "value");
                }
            }
            return null;
        }
    }
}
