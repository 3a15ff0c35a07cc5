package dev.kvmfleetsim.deploy.k8s;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a service reads from its configuration, from its own sources: application.properties (profile prefixes
 * removed) and its {@code @ConfigMapping} interfaces. Kubernetes sets configuration through environment variables,
 * which SmallRye maps to properties by the MicroProfile rule (upper case, every non-alphanumeric character an
 * underscore): {@code KAFKA_BOOTSTRAP_SERVERS} is {@code kafka.bootstrap.servers}.
 */
record ServiceConfiguration(String name, String module, Map<String, String> properties, Set<String> mappedProperties) {

    /**
     * Variables of the image's entrypoint (run-java.sh of the UBI OpenJDK images), not of Quarkus: a manifest may set
     * these too.
     */
    static final Set<String> ENTRYPOINT_VARIABLES =
            Set.of("JAVA_OPTS", "JAVA_OPTS_APPEND", "JAVA_MAX_MEM_RATIO", "JAVA_INITIAL_MEM_RATIO", "JAVA_DEBUG");

    /** The three services: name (container, Deployment, image) and module folder. */
    static List<ServiceConfiguration> all(ProjectPaths paths) {
        return List.of(
                load(paths, "host-sim", "host-sim/service"),
                load(paths, "fleet-controller", "fleet-controller"),
                load(paths, "results-store", "results-store"));
    }

    static ServiceConfiguration load(ProjectPaths paths, String name, String module) {
        Path moduleDir = paths.resolve(module);
        Properties raw = new Properties();
        try (Reader reader = Files.newBufferedReader(moduleDir.resolve("src/main/resources/application.properties"))) {
            raw.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> properties = new LinkedHashMap<>();
        // Prod profile values win over the default ones: the containers run the prod profile.
        raw.stringPropertyNames().stream().sorted().forEach(key -> {
            if (!key.startsWith("%")) {
                properties.putIfAbsent(key, raw.getProperty(key));
            } else {
                String unprofiled = key.substring(key.indexOf('.') + 1);
                properties.putIfAbsent(unprofiled, null);
                if (key.startsWith("%prod.")) {
                    properties.put(unprofiled, raw.getProperty(key));
                }
            }
        });
        Set<String> mapped = ConfigMappingProperties.of(moduleDir.resolve("src/main/java"));
        return new ServiceConfiguration(name, module, properties, mapped);
    }

    /** The MicroProfile Config environment variable of a property. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Every environment variable the service reads, with the property it sets. */
    Map<String, String> environment() {
        Map<String, String> env = new TreeMap<>();
        properties.keySet().forEach(p -> env.put(envName(p), p));
        mappedProperties.forEach(p -> env.put(envName(p), p));
        return env;
    }

    /** A property's value in the prod profile (application.properties), or null. */
    String property(String key) {
        return properties.get(key);
    }

    int httpPort() {
        return Integer.parseInt(property("quarkus.http.port"));
    }
}
