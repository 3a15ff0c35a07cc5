package dev.kvmfleetsim.deploy.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Every problem a validation found, so that one run reports all of them rather than the first. */
final class Findings {
    private final List<Finding> all = new ArrayList<>();

    void add(Manifest object, String field, String message) {
        all.add(new Finding(object.ref(), field, message, object.source()));
    }

    void add(String object, String field, String message, String source) {
        all.add(new Finding(object, field, message, source));
    }

    List<Finding> all() {
        return List.copyOf(all);
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    /** Fails with every finding, one per line. */
    void assertNone(String what) {
        if (!all.isEmpty()) {
            throw new AssertionError(all.size() + " problem(s) in " + what + ":\n  "
                    + all.stream().map(Finding::toString).collect(Collectors.joining("\n  ")));
        }
    }
}
