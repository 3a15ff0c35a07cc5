package dev.kvmfleetsim.deploy.k8s;

import java.util.List;
import java.util.Map;

/**
 * Pods and Services fit together and run hardened: selectors select the pod templates, Service target ports are
 * container ports, referenced ConfigMaps and Secrets (and their keys) exist, images are pinned, and every container
 * runs non-root on a read-only root filesystem with /tmp on an emptyDir, no privilege escalation, no capabilities,
 * the runtime's seccomp profile, and resource requests and limits.
 */
final class WorkloadChecks {
    private WorkloadChecks() {}

    static void check(CheckContext context) {
        for (Manifest m : context.set().objects()) {
            if (m.is("Deployment") || m.is("StatefulSet") || m.is("ReplicaSet")) {
                LabelSelector selector = LabelSelector.of(Tree.at(m.content(), "spec", "selector"));
                PodTemplate.of(m).forEach(pod -> {
                    if (selector.isEmpty() || !selector.matches(pod.labels())) {
                        context.problem(
                                m,
                                "spec.selector",
                                selector + " does not select the pod template's labels " + pod.labels());
                    }
                });
            }
            if (m.is("Service")) {
                service(context, m);
            }
        }
        for (PodTemplate pod : context.set().pods()) {
            pod(context, pod);
        }
    }

    private static void service(CheckContext context, Manifest service) {
        Map<String, String> selectorLabels = Tree.labels(service.content(), "spec", "selector");
        if (selectorLabels.isEmpty()) {
            return;
        }
        LabelSelector selector = LabelSelector.ofLabels(selectorLabels);
        List<PodTemplate> selected = context.set().pods().stream()
                .filter(p -> selector.matches(p.labels()))
                .toList();
        if (selected.isEmpty()) {
            context.problem(service, "spec.selector", selector + " selects no pod template");
            return;
        }
        List<Object> ports = Tree.list(service.content(), "spec", "ports");
        for (int i = 0; i < ports.size(); i++) {
            Object target = Tree.at(ports.get(i), "targetPort");
            Object wanted = target != null ? target : Tree.at(ports.get(i), "port");
            for (PodTemplate pod : selected) {
                boolean found = pod.containers().stream().anyMatch(c -> c.port(wanted) != null);
                if (!found) {
                    context.problem(
                            service,
                            "spec.ports[" + i + "].targetPort",
                            "'" + wanted + "' is no container port of "
                                    + pod.owner().ref());
                }
            }
        }
    }

    private static void pod(CheckContext context, PodTemplate pod) {
        Manifest owner = pod.owner();
        String spec = pod.path() + ".spec";
        Map<String, Object> podSecurity = Tree.map(pod.spec(), "securityContext");
        if (!Boolean.FALSE.equals(pod.spec().get("automountServiceAccountToken"))) {
            context.problem(
                    owner, spec + ".automountServiceAccountToken", "must be false: no pod here talks to the API");
        }
        for (PodTemplate.Container container : pod.containers()) {
            String at = container.path();
            Map<String, Object> security = Tree.map(container.content(), "securityContext");
            String image = container.image();
            if (image == null || image.isBlank()) {
                context.problem(owner, at + ".image", "missing");
            } else if (!image.contains("@")
                    && (!image.substring(image.lastIndexOf('/') + 1).contains(":") || image.endsWith(":latest"))) {
                context.problem(owner, at + ".image", "'" + image + "' has no pinned tag or digest");
            }
            if (!Boolean.TRUE.equals(security.get("runAsNonRoot"))
                    && !Boolean.TRUE.equals(podSecurity.get("runAsNonRoot"))) {
                context.problem(owner, at + ".securityContext.runAsNonRoot", "must be true (here or for the pod)");
            }
            Object seccomp = Tree.text(security, "seccompProfile", "type");
            if (seccomp == null) {
                seccomp = Tree.text(podSecurity, "seccompProfile", "type");
            }
            if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
                context.problem(
                        owner, at + ".securityContext.seccompProfile", "must be RuntimeDefault (here or for the pod)");
            }
            if (!Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
                context.problem(owner, at + ".securityContext.allowPrivilegeEscalation", "must be false");
            }
            if (!Tree.list(security, "capabilities", "drop").contains("ALL")) {
                context.problem(owner, at + ".securityContext.capabilities.drop", "must contain ALL");
            }
            if (!Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))) {
                context.problem(owner, at + ".securityContext.readOnlyRootFilesystem", "must be true");
            } else if (!tmpOnEmptyDir(pod, container)) {
                context.problem(owner, at + ".volumeMounts", "a read-only root filesystem needs an emptyDir at /tmp");
            }
            for (String kind : List.of("requests", "limits")) {
                for (String resource : List.of("cpu", "memory")) {
                    if (Tree.at(container.content(), "resources", kind, resource) == null) {
                        context.problem(owner, at + ".resources." + kind + "." + resource, "missing");
                    }
                }
            }
            references(context, pod, container);
        }
        List<Object> volumes = Tree.list(pod.spec(), "volumes");
        for (int i = 0; i < volumes.size(); i++) {
            String configMap = Tree.text(volumes.get(i), "configMap", "name");
            if (configMap != null && context.configMap(configMap).isEmpty()) {
                context.problem(owner, spec + ".volumes[" + i + "].configMap.name", "no ConfigMap '" + configMap + "'");
            }
            String secret = Tree.text(volumes.get(i), "secret", "secretName");
            if (secret != null && context.secretKeys(secret).isEmpty()) {
                context.problem(owner, spec + ".volumes[" + i + "].secret.secretName", "no Secret '" + secret + "'");
            }
        }
    }

    private static boolean tmpOnEmptyDir(PodTemplate pod, PodTemplate.Container container) {
        for (Object mount : Tree.list(container.content(), "volumeMounts")) {
            if ("/tmp".equals(Tree.text(mount, "mountPath"))) {
                String volume = Tree.text(mount, "name");
                return Tree.list(pod.spec(), "volumes").stream()
                        .anyMatch(v -> volume.equals(Tree.text(v, "name")) && Tree.at(v, "emptyDir") != null);
            }
        }
        return false;
    }

    private static void references(CheckContext context, PodTemplate pod, PodTemplate.Container container) {
        Manifest owner = pod.owner();
        List<Object> envFrom = Tree.list(container.content(), "envFrom");
        for (int i = 0; i < envFrom.size(); i++) {
            String configMap = Tree.text(envFrom.get(i), "configMapRef", "name");
            if (configMap != null && context.configMap(configMap).isEmpty()) {
                context.problem(
                        owner,
                        container.path() + ".envFrom[" + i + "].configMapRef.name",
                        "no ConfigMap '" + configMap + "'");
            }
            String secret = Tree.text(envFrom.get(i), "secretRef", "name");
            if (secret != null && context.secretKeys(secret).isEmpty()) {
                context.problem(
                        owner, container.path() + ".envFrom[" + i + "].secretRef.name", "no Secret '" + secret + "'");
            }
        }
        List<Object> env = Tree.list(container.content(), "env");
        for (int i = 0; i < env.size(); i++) {
            String at = container.path() + ".env[" + i + "].valueFrom";
            String secret = Tree.text(env.get(i), "valueFrom", "secretKeyRef", "name");
            String secretKey = Tree.text(env.get(i), "valueFrom", "secretKeyRef", "key");
            if (secret != null) {
                var keys = context.secretKeys(secret);
                if (keys.isEmpty()) {
                    context.problem(owner, at + ".secretKeyRef.name", "no Secret '" + secret + "'");
                } else if (!keys.get().contains(secretKey)) {
                    context.problem(
                            owner, at + ".secretKeyRef.key", "Secret '" + secret + "' has no key '" + secretKey + "'");
                }
            }
            String configMap = Tree.text(env.get(i), "valueFrom", "configMapKeyRef", "name");
            String configKey = Tree.text(env.get(i), "valueFrom", "configMapKeyRef", "key");
            if (configMap != null) {
                var data = context.configMap(configMap);
                if (data.isEmpty()) {
                    context.problem(owner, at + ".configMapKeyRef.name", "no ConfigMap '" + configMap + "'");
                } else if (!data.get().containsKey(configKey)) {
                    context.problem(
                            owner,
                            at + ".configMapKeyRef.key",
                            "ConfigMap '" + configMap + "' has no key '" + configKey + "'");
                }
            }
        }
    }
}
