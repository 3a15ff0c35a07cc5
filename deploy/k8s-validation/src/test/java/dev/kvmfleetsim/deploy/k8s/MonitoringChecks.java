package dev.kvmfleetsim.deploy.k8s;

import java.util.List;

/** A ServiceMonitor selects Services here, each with the named endpoint port, scraped on /q/metrics. */
final class MonitoringChecks {
    private MonitoringChecks() {}

    static void check(CheckContext context) {
        for (Manifest monitor : context.set().all("ServiceMonitor")) {
            LabelSelector selector = LabelSelector.of(Tree.at(monitor.content(), "spec", "selector"));
            List<Manifest> services = context.set().all("Service").stream()
                    .filter(s -> selector.matches(s.labels()))
                    .toList();
            if (services.isEmpty()) {
                context.problem(monitor, "spec.selector", selector + " selects no Service");
            }
            List<Object> endpoints = Tree.list(monitor.content(), "spec", "endpoints");
            for (int i = 0; i < endpoints.size(); i++) {
                String port = Tree.text(endpoints.get(i), "port");
                for (Manifest service : services) {
                    boolean named = Tree.list(service.content(), "spec", "ports").stream()
                            .anyMatch(p -> port != null && port.equals(Tree.text(p, "name")));
                    if (!named) {
                        context.problem(
                                monitor,
                                "spec.endpoints[" + i + "].port",
                                "'" + port + "' is no port of " + service.ref());
                    }
                }
                if (!"/q/metrics".equals(Tree.text(endpoints.get(i), "path"))) {
                    context.problem(
                            monitor,
                            "spec.endpoints[" + i + "].path",
                            "Quarkus serves Prometheus metrics at /q/metrics");
                }
            }
        }
    }
}
