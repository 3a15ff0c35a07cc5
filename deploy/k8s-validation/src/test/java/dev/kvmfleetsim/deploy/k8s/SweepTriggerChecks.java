package dev.kvmfleetsim.deploy.k8s;

import java.net.URI;
import java.util.Optional;

/**
 * The sweep Job and CronJob reach the controller and find their sweep: CONTROLLER_URL names a Service (deployed from
 * deploy/k8s, usually by another kustomization) and one of its ports, that Service selects fleet-controller pods,
 * and SWEEP_FILE lies in a mounted ConfigMap that has the file's key.
 */
final class SweepTriggerChecks {
    private SweepTriggerChecks() {}

    static void check(CheckContext context) {
        for (PodTemplate pod : context.set().pods()) {
            for (PodTemplate.Container container : pod.containers()) {
                String url = container.env("CONTROLLER_URL");
                if (url != null) {
                    controller(context, pod, container, url);
                }
                String file = container.env("SWEEP_FILE");
                if (file != null) {
                    sweepFile(context, pod, container, file);
                }
            }
        }
    }

    private static void controller(CheckContext context, PodTemplate pod, PodTemplate.Container container, String url) {
        String at = container.path() + ".env[CONTROLLER_URL]";
        URI uri = URI.create(url);
        String name = uri.getHost() == null ? "" : uri.getHost().split("\\.")[0];
        Optional<Manifest> service = context.set().findAnywhere("Service", name);
        if (service.isEmpty()) {
            context.problem(pod.owner(), at, "'" + url + "': no Service '" + name + "' under deploy/k8s");
            return;
        }
        boolean port = Tree.list(service.get().content(), "spec", "ports").stream()
                .anyMatch(p -> Tree.integer(p, "port") != null && Tree.integer(p, "port") == uri.getPort());
        if (!port) {
            context.problem(pod.owner(), at, "'" + url + "': " + service.get().ref() + " has no port " + uri.getPort());
        }
        if (!"fleet-controller"
                .equals(Tree.text(service.get().content(), "spec", "selector", "app.kubernetes.io/name"))) {
            context.problem(
                    pod.owner(),
                    at,
                    "'" + url + "': " + service.get().ref() + " does not select the fleet-controller pods");
        }
    }

    private static void sweepFile(CheckContext context, PodTemplate pod, PodTemplate.Container container, String file) {
        String at = container.path() + ".env[SWEEP_FILE]";
        for (Object mount : Tree.list(container.content(), "volumeMounts")) {
            String path = Tree.text(mount, "mountPath");
            if (path == null || !file.startsWith(path + "/")) {
                continue;
            }
            String key = file.substring(path.length() + 1);
            String volume = Tree.text(mount, "name");
            String configMap = Tree.list(pod.spec(), "volumes").stream()
                    .filter(v -> volume.equals(Tree.text(v, "name")))
                    .map(v -> Tree.text(v, "configMap", "name"))
                    .findFirst()
                    .orElse(null);
            boolean found = configMap != null
                    && context.configMap(configMap).map(d -> d.containsKey(key)).orElse(false);
            if (!found) {
                context.problem(
                        pod.owner(),
                        at,
                        "'" + file + "': the volume at " + path + " is no ConfigMap with the key " + key);
            }
            return;
        }
        context.problem(pod.owner(), at, "'" + file + "' is in no mounted volume");
    }
}
