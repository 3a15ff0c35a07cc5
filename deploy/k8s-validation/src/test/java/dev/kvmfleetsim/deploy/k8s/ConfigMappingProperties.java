package dev.kvmfleetsim.deploy.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The property names a service's {@code @ConfigMapping} interfaces define, read from their source: a method
 * {@code int batchSize()} in the group {@code events()} of the prefix {@code host-sim} is
 * {@code host-sim.events.batch-size} (SmallRye's kebab-case naming; {@code @WithName} overrides it). The services'
 * modules are Quarkus applications, so their classes are not on this module's classpath: the source is what is
 * read, and it is formatted by palantir-java-format, one declaration a line.
 */
final class ConfigMappingProperties {
    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)");
    private static final Pattern INTERFACE = Pattern.compile("^\\s*(?:public\\s+)?interface\\s+(\\w+)");
    private static final Pattern METHOD = Pattern.compile("^\\s*([\\w.<>, ?]+?)\\s+(\\w+)\\(\\);");
    private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\"([^\"]+)\"\\)");

    private ConfigMappingProperties() {}

    /** One method of a mapping interface: its return type and property name. */
    private record Member(String type, String property) {}

    static Set<String> of(Path sourceRoot) {
        Set<String> properties = new LinkedHashSet<>();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher mapping = MAPPING.matcher(source);
                if (mapping.find()) {
                    Map<String, List<Member>> interfaces = interfaces(source);
                    String root = rootInterface(source);
                    expand(mapping.group(1), root, interfaces, properties);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static String rootInterface(String source) {
        for (String line : source.lines().toList()) {
            Matcher m = INTERFACE.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new IllegalStateException("no interface in a @ConfigMapping source");
    }

    /** Members per interface name; interfaces are nested by braces, counted per line. */
    private static Map<String, List<Member>> interfaces(String source) {
        Map<String, List<Member>> members = new HashMap<>();
        List<String> stack = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        int depth = 0;
        String pendingName = null;
        for (String line : source.lines().toList()) {
            String code = line.strip();
            if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                continue;
            }
            Matcher declaration = INTERFACE.matcher(line);
            if (declaration.find()) {
                stack.add(declaration.group(1));
                depths.add(depth);
                members.put(declaration.group(1), new ArrayList<>());
            }
            Matcher withName = WITH_NAME.matcher(line);
            if (withName.find()) {
                pendingName = withName.group(1);
            }
            Matcher method = METHOD.matcher(line);
            if (!stack.isEmpty() && method.find() && !code.startsWith("return")) {
                String property = pendingName != null ? pendingName : kebab(method.group(2));
                members.get(stack.get(stack.size() - 1))
                        .add(new Member(method.group(1).strip(), property));
                pendingName = null;
            }
            for (char c : code.toCharArray()) {
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                    if (!depths.isEmpty() && depth == depths.get(depths.size() - 1)) {
                        stack.remove(stack.size() - 1);
                        depths.remove(depths.size() - 1);
                    }
                }
            }
        }
        return members;
    }

    private static void expand(String prefix, String type, Map<String, List<Member>> interfaces, Set<String> into) {
        for (Member member : interfaces.getOrDefault(type, List.of())) {
            String name = prefix + "." + member.property();
            String group = member.type().replaceFirst("^Optional<(.+)>$", "$1");
            if (interfaces.containsKey(group)) {
                expand(name, group, interfaces, into);
            } else {
                into.add(name);
            }
        }
    }

    /** batchSize → batch-size, as SmallRye names a mapping method's property. */
    static String kebab(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
