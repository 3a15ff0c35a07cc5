package dev.kvmfleetsim.deploy.k8s;

import java.util.Map;

/**
 * The services' containers agree with the services' own configuration: the container port named http is
 * quarkus.http.port, the probes ask the Quarkus health endpoints on it, the scrape annotations point at /q/metrics
 * on it, and every environment variable set (directly or through an envFrom ConfigMap) is one the service reads.
 */
final class ServiceConfigChecks {
    private static final Map<String, String> PROBES = Map.of(
            "livenessProbe", "/q/health/live",
            "readinessProbe", "/q/health/ready",
            "startupProbe", "/q/health/started");

    private ServiceConfigChecks() {}

    static void check(CheckContext context) {
        for (PodTemplate pod : context.set().pods()) {
            for (PodTemplate.Container container : pod.containers()) {
                context.service(container.name()).ifPresent(service -> container(context, pod, container, service));
            }
        }
    }

    private static void container(
            CheckContext context, PodTemplate pod, PodTemplate.Container container, ServiceConfiguration service) {
        Manifest owner = pod.owner();
        String at = container.path();
        int port = service.httpPort();
        String image = container.image() == null ? "" : container.image();
        String repository = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        repository = repository.substring(
                0,
                repository.lastIndexOf(':') > repository.lastIndexOf('/')
                        ? repository.lastIndexOf(':')
                        : repository.length());
        if (!repository.endsWith("kvm-fleet-sim/" + service.name())) {
            context.problem(owner, at + ".image", "'" + image + "' is not the image kvm-fleet-sim/" + service.name());
        }
        Long http = container.port("http");
        if (http == null || http != port) {
            context.problem(
                    owner,
                    at + ".ports",
                    "the port named http is " + http + ", " + service.name() + "'s quarkus.http.port is " + port);
        }
        PROBES.forEach((probe, path) -> {
            Map<String, Object> get = Tree.map(container.content(), probe, "httpGet");
            if (get.isEmpty()) {
                if (!probe.equals("startupProbe")) {
                    context.problem(owner, at + "." + probe, "missing (Quarkus serves " + path + ")");
                }
                return;
            }
            if (!path.equals(Tree.text(get, "path"))) {
                context.problem(
                        owner,
                        at + "." + probe + ".httpGet.path",
                        "is " + Tree.text(get, "path") + ", must be " + path);
            }
            Long probePort = container.port(Tree.at(get, "port"));
            if (probePort == null || probePort != port) {
                context.problem(
                        owner,
                        at + "." + probe + ".httpGet.port",
                        "'" + Tree.at(get, "port") + "' is not the http port " + port);
            }
        });
        Map<String, String> annotations = pod.annotations();
        String annotationsAt = pod.path() + ".metadata.annotations";
        if (!"true".equals(annotations.get("prometheus.io/scrape"))
                || !"/q/metrics".equals(annotations.get("prometheus.io/path"))
                || !String.valueOf(port).equals(annotations.get("prometheus.io/port"))) {
            context.problem(
                    owner,
                    annotationsAt,
                    "prometheus.io/scrape, /path and /port must say true, /q/metrics, " + port + "; found "
                            + annotations);
        }
        if (!Boolean.FALSE.equals(pod.spec().get("enableServiceLinks"))) {
            context.problem(
                    owner,
                    pod.path() + ".spec.enableServiceLinks",
                    "must be false: service links put *_PORT variables where Quarkus reads configuration");
        }
        Map<String, String> readable = service.environment();
        for (String variable : context.environment(container).keySet()) {
            if (!readable.containsKey(variable) && !ServiceConfiguration.ENTRYPOINT_VARIABLES.contains(variable)) {
                context.problem(
                        owner,
                        at + ".env[" + variable + "]",
                        variable + " maps to no property " + service.name()
                                + " reads (application.properties, @ConfigMapping)");
            }
        }
    }
}
