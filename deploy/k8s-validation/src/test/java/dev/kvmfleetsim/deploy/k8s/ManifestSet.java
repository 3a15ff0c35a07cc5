package dev.kvmfleetsim.deploy.k8s;

import java.util.List;
import java.util.Optional;

/**
 * The objects one kustomization deploys (what the cross-checks look at) and, as {@code universe}, every object under
 * deploy/k8s: a NetworkPolicy peer or a Job's URL may point at pods and Services another kustomization deploys into
 * the same namespace (the sweep Job and the services).
 */
record ManifestSet(String name, List<Manifest> objects, List<Manifest> universe) {

    List<Manifest> all(String kind) {
        return objects.stream().filter(m -> m.is(kind)).toList();
    }

    Optional<Manifest> find(String kind, String name) {
        return objects.stream().filter(m -> m.is(kind) && name.equals(m.name())).findFirst();
    }

    Optional<Manifest> findAnywhere(String kind, String name) {
        return universe.stream()
                .filter(m -> m.is(kind) && name.equals(m.name()))
                .findFirst();
    }

    List<PodTemplate> pods() {
        return objects.stream().flatMap(m -> PodTemplate.of(m).stream()).toList();
    }

    List<Workload> workloads() {
        return Workload.of(objects);
    }

    List<Workload> workloadsAnywhere() {
        return Workload.of(universe);
    }
}
