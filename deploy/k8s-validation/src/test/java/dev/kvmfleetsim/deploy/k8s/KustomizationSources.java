package dev.kvmfleetsim.deploy.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a kustomization without kubectl: its resources (files and nested kustomizations), components, generated
 * ConfigMaps and Secrets, and the simple transformers this repository uses (namespace, images, replicas, labels).
 * Patches are returned as fragments to check, not applied: the objects are the base shapes, which is what the
 * checks that must run without kubectl need. kubectl's rendering is the full truth where it is installed.
 */
final class KustomizationSources {
    private final ProjectPaths paths;

    KustomizationSources(ProjectPaths paths) {
        this.paths = paths;
    }

    /** What a kustomization consists of. */
    record Content(List<Manifest> objects, List<Manifest> patches, List<String> problems) {}

    /** Every folder under deploy/k8s with a kustomization.yaml, components included. */
    static List<Path> all(ProjectPaths paths) {
        try (Stream<Path> files = Files.walk(paths.k8s())) {
            return files.filter(f -> f.getFileName().toString().equals("kustomization.yaml"))
                    .map(Path::getParent)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A kustomize Component cannot be built alone; it is checked through the kustomizations that use it. */
    static boolean isComponent(Path dir) {
        return "Component".equals(Tree.text(definition(dir), "kind"));
    }

    private static Map<String, Object> definition(Path dir) {
        return YamlDocuments.read(dir.resolve("kustomization.yaml")).get(0);
    }

    Content read(Path dir) {
        Content content = new Content(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        collect(dir.toAbsolutePath().normalize(), content);
        return content;
    }

    private void collect(Path dir, Content into) {
        Map<String, Object> k = definition(dir);
        String where = paths.relative(dir.resolve("kustomization.yaml"));
        List<Manifest> own = new ArrayList<>();
        for (Object entry : Tree.list(k, "resources")) {
            Path path = dir.resolve(entry.toString()).normalize();
            if (Files.isDirectory(path)) {
                Content nested = new Content(own, into.patches(), into.problems());
                collect(path, nested);
            } else if (Files.isRegularFile(path)) {
                YamlDocuments.read(path).forEach(doc -> own.add(Manifest.full(paths.relative(path), doc)));
            } else {
                into.problems().add(where + ": resource " + entry + " does not exist");
            }
        }
        generate(dir, k, "configMapGenerator", "ConfigMap", own, into.problems());
        generate(dir, k, "secretGenerator", "Secret", own, into.problems());
        for (Object entry : Tree.list(k, "components")) {
            Path path = dir.resolve(entry.toString()).normalize();
            if (Files.isDirectory(path)) {
                collect(path, new Content(own, into.patches(), into.problems()));
            } else {
                into.problems().add(where + ": component " + entry + " does not exist");
            }
        }
        for (Object entry : Tree.list(k, "patches")) {
            String file = Tree.text(entry, "path");
            String inline = Tree.text(entry, "patch");
            String source = file != null ? paths.relative(dir.resolve(file)) : where + " (inline patch)";
            String text;
            if (file != null) {
                Path path = dir.resolve(file);
                if (!Files.isRegularFile(path)) {
                    into.problems().add(where + ": patch " + file + " does not exist");
                    continue;
                }
                text = readString(path);
            } else {
                text = inline;
            }
            // A JSON 6902 patch is a list of operations, not an object: kubectl's rendering checks its result.
            if (text != null && !text.strip().startsWith("- ")) {
                YamlDocuments.parse(text).forEach(doc -> into.patches().add(new Manifest(source, doc, true)));
            }
        }
        transform(k, own);
        into.objects().addAll(own);
    }

    private void generate(
            Path dir,
            Map<String, Object> k,
            String generator,
            String kind,
            List<Manifest> into,
            List<String> problems) {
        for (Object entry : Tree.list(k, generator)) {
            String name = Tree.text(entry, "name");
            Map<String, Object> data = new LinkedHashMap<>();
            for (Object literal : Tree.list(entry, "literals")) {
                String[] kv = literal.toString().split("=", 2);
                data.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            for (Object env : Tree.list(entry, "envs")) {
                Path path = inside(dir, env.toString(), problems);
                if (path != null) {
                    readString(path)
                            .lines()
                            .filter(l -> !l.isBlank() && !l.startsWith("#"))
                            .forEach(l -> data.put(l.split("=", 2)[0], l.contains("=") ? l.split("=", 2)[1] : ""));
                }
            }
            for (Object file : Tree.list(entry, "files")) {
                String spec = file.toString();
                String key = spec.contains("=")
                        ? spec.substring(0, spec.indexOf('='))
                        : Path.of(spec).getFileName().toString();
                Path path = inside(dir, spec.substring(spec.indexOf('=') + 1), problems);
                if (path != null) {
                    data.put(key, readString(path));
                }
            }
            Manifest existing = into.stream()
                    .filter(m -> m.is(kind) && name.equals(m.name()))
                    .findFirst()
                    .orElse(null);
            if ("merge".equals(Tree.text(entry, "behavior")) && existing != null) {
                Tree.map(existing.content(), kind.equals("Secret") ? "stringData" : "data")
                        .putAll(data);
                continue;
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("name", name);
            Map<String, String> labels = Tree.labels(entry, "options", "labels");
            if (!labels.isEmpty()) {
                metadata.put("labels", new LinkedHashMap<>(labels));
            }
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("apiVersion", "v1");
            object.put("kind", kind);
            object.put("metadata", metadata);
            if (kind.equals("Secret") && Tree.text(entry, "type") != null) {
                object.put("type", Tree.text(entry, "type"));
            }
            object.put(kind.equals("Secret") ? "stringData" : "data", data);
            into.add(Manifest.full(paths.relative(dir.resolve("kustomization.yaml")) + " (" + generator + ")", object));
        }
    }

    /** kustomize's load restrictor: a generator reads only files in or below its kustomization's folder. */
    private Path inside(Path dir, String file, List<String> problems) {
        Path path = dir.resolve(file).normalize();
        if (!path.startsWith(dir)) {
            problems.add(paths.relative(dir) + ": " + file + " is outside the kustomization's folder");
            return null;
        }
        if (!Files.isRegularFile(path)) {
            problems.add(paths.relative(dir) + ": " + file + " does not exist");
            return null;
        }
        return path;
    }

    @SuppressWarnings("unchecked")
    private static void transform(Map<String, Object> k, List<Manifest> objects) {
        String namespace = Tree.text(k, "namespace");
        for (Manifest m : objects) {
            Map<String, Object> metadata = (Map<String, Object>) m.content().get("metadata");
            if (namespace != null && metadata != null && !m.is("Namespace")) {
                metadata.put("namespace", namespace);
            }
            for (Object pairs : Tree.list(k, "labels")) {
                Map<String, String> add = Tree.labels(pairs, "pairs");
                if (metadata != null) {
                    ((Map<String, Object>) metadata.computeIfAbsent("labels", x -> new LinkedHashMap<>())).putAll(add);
                }
                if (Boolean.TRUE.equals(Tree.at(pairs, "includeTemplates"))) {
                    for (Map<String, Object> template : PodTemplate.templatesOf(m)) {
                        Map<String, Object> templateMetadata =
                                (Map<String, Object>) template.computeIfAbsent("metadata", x -> new LinkedHashMap<>());
                        ((Map<String, Object>) templateMetadata.computeIfAbsent("labels", x -> new LinkedHashMap<>()))
                                .putAll(add);
                    }
                }
            }
            for (Object image : Tree.list(k, "images")) {
                for (Map<String, Object> template : PodTemplate.templatesOf(m)) {
                    for (Object container : Tree.list(template, "spec", "containers")) {
                        retag((Map<String, Object>) container, image);
                    }
                }
            }
            for (Object replicas : Tree.list(k, "replicas")) {
                // kustomize's replicas transformer changes only the kinds that have spec.replicas.
                boolean scalable = m.is("Deployment") || m.is("StatefulSet") || m.is("ReplicaSet");
                if (scalable && Tree.text(replicas, "name").equals(m.name())) {
                    ((Map<String, Object>) m.content().get("spec")).put("replicas", Tree.integer(replicas, "count"));
                }
            }
        }
    }

    private static void retag(Map<String, Object> container, Object image) {
        String current = String.valueOf(container.get("image"));
        int colon = current.lastIndexOf(':');
        boolean tagged = colon > current.lastIndexOf('/');
        String repository = tagged ? current.substring(0, colon) : current;
        String tag = tagged ? current.substring(colon + 1) : null;
        if (!repository.equals(Tree.text(image, "name"))) {
            return;
        }
        String newName = Tree.text(image, "newName");
        String newTag = Tree.text(image, "newTag");
        String name = newName != null ? newName : repository;
        String t = newTag != null ? newTag : tag;
        container.put("image", t == null ? name : name + ":" + t);
    }

    private static String readString(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
