package dev.kvmfleetsim.deploy.k8s;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's files are: the tests read deploy/k8s, the services' sources and examples/. */
record ProjectPaths(Path root) {

    /** From the system property surefire sets (kvmfleetsim.root), else the working directory's ../.. (the module). */
    static ProjectPaths current() {
        String configured = System.getProperty("kvmfleetsim.root");
        Path root = configured != null ? Path.of(configured) : Path.of("../..");
        root = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("deploy/k8s"))) {
            throw new IllegalStateException("no deploy/k8s under " + root + " (set -Dkvmfleetsim.root)");
        }
        return new ProjectPaths(root);
    }

    Path k8s() {
        return root.resolve("deploy/k8s");
    }

    Path resolve(String relative) {
        return root.resolve(relative);
    }

    /** A path relative to the root, as findings print it. */
    String relative(Path path) {
        return root.relativize(path.toAbsolutePath().normalize()).toString();
    }
}
