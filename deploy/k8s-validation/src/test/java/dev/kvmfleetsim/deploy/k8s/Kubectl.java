package dev.kvmfleetsim.deploy.k8s;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** {@code kubectl kustomize}, which renders offline; absent kubectl is not an error, the caller skips. */
final class Kubectl {
    private static final ConcurrentHashMap<Path, List<Manifest>> RENDERED = new ConcurrentHashMap<>();

    private Kubectl() {}

    /** kubectl on the PATH (the tests that need it are skipped otherwise). */
    static boolean available() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
                return true;
            }
        }
        return false;
    }

    /** The objects a kustomization renders to; an error names the kustomization and repeats kubectl's message. */
    static List<Manifest> render(ProjectPaths paths, Path kustomization) {
        return RENDERED.computeIfAbsent(kustomization.toAbsolutePath().normalize(), dir -> {
            String source = "kubectl kustomize " + paths.relative(dir);
            String yaml = run(source, "kubectl", "kustomize", dir.toString());
            return YamlDocuments.parse(yaml).stream()
                    .map(content -> Manifest.full(source, content))
                    .toList();
        });
    }

    private static String run(String what, String... command) {
        try {
            Path err = Files.createTempFile("kubectl", ".err");
            Process process = new ProcessBuilder(command)
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(what + ": no answer within 2 minutes");
            }
            String stderr = Files.readString(err);
            Files.delete(err);
            if (process.exitValue() != 0) {
                throw new AssertionError(what + " failed (exit " + process.exitValue() + "):\n" + stderr);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + ": interrupted", e);
        }
    }
}
