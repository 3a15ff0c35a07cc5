package dev.kvmfleetsim.deploy.k8s;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL agrees with the services: each JDBC URL names CloudNativePG's read-write Service (&lt;cluster&gt;-rw) of a
 * Cluster here on 5432 and a database of that Cluster; the role a service logs in with is a managed role whose
 * passwordSecret is the Secret the service reads its password from; and that role owns the schema the service's
 * Flyway migrates (quarkus.flyway.schemas), declared in a Database resource.
 */
final class PostgresChecks {
    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]+).*");

    private PostgresChecks() {}

    static void check(CheckContext context) {
        for (Manifest cluster : context.set().all("Cluster")) {
            List<Object> roles = Tree.list(cluster.content(), "spec", "managed", "roles");
            for (int i = 0; i < roles.size(); i++) {
                String secret = Tree.text(roles.get(i), "passwordSecret", "name");
                if (secret == null) {
                    continue;
                }
                String at = "spec.managed.roles[" + i + "].passwordSecret.name";
                var keys = context.secretKeys(secret);
                if (keys.isEmpty() || !keys.get().containsAll(List.of("username", "password"))) {
                    context.problem(cluster, at, "no basic-auth Secret '" + secret + "' with username and password");
                    continue;
                }
                String username = context.secretValue(secret, "username");
                String role = Tree.text(roles.get(i), "name");
                if (username != null && !username.equals(role)) {
                    context.problem(
                            cluster,
                            at,
                            "Secret '" + secret + "' has username '" + username + "' for the role '" + role + "'");
                }
                context.set().find("Secret", secret).ifPresent(s -> {
                    if (!"kubernetes.io/basic-auth".equals(Tree.text(s.content(), "type"))) {
                        context.problem(
                                s,
                                "type",
                                "CloudNativePG reads a managed role's password from a kubernetes.io/basic-auth Secret");
                    }
                });
            }
        }
        for (Manifest database : context.set().all("Database")) {
            String cluster = Tree.text(database.content(), "spec", "cluster", "name");
            if (context.set().find("Cluster", cluster).isEmpty()) {
                context.problem(database, "spec.cluster.name", "'" + cluster + "' names no Cluster here");
            }
        }
        for (PodTemplate pod : context.set().pods()) {
            for (PodTemplate.Container container : pod.containers()) {
                String url = context.environment(container).get("QUARKUS_DATASOURCE_JDBC_URL");
                if (url != null) {
                    datasource(context, pod, container, url);
                }
            }
        }
    }

    private static void datasource(CheckContext context, PodTemplate pod, PodTemplate.Container container, String url) {
        Manifest owner = pod.owner();
        String at = container.path() + ".env[QUARKUS_DATASOURCE_JDBC_URL]";
        Matcher jdbc = JDBC.matcher(url);
        if (!jdbc.matches()) {
            context.problem(owner, at, "'" + url + "' is not jdbc:postgresql://host:port/database");
            return;
        }
        String service = jdbc.group(1).split("\\.")[0];
        Optional<Manifest> cluster = context.set().all("Cluster").stream()
                .filter(c -> service.equals(c.name() + "-rw"))
                .findFirst();
        if (cluster.isEmpty()) {
            context.problem(
                    owner,
                    at,
                    "host '" + jdbc.group(1) + "' is not the read-write Service <cluster>-rw of a Cluster here");
            return;
        }
        if (jdbc.group(2) != null && !jdbc.group(2).equals("5432")) {
            context.problem(owner, at, "port " + jdbc.group(2) + ": CloudNativePG's Services listen on 5432");
        }
        String databaseName = jdbc.group(3);
        Optional<Manifest> database = context.set().all("Database").stream()
                .filter(d -> databaseName.equals(Tree.text(d.content(), "spec", "name")))
                .filter(d -> cluster.get().name().equals(Tree.text(d.content(), "spec", "cluster", "name")))
                .findFirst();
        boolean initdb =
                databaseName.equals(Tree.text(cluster.get().content(), "spec", "bootstrap", "initdb", "database"));
        if (database.isEmpty() && !initdb) {
            context.problem(
                    owner,
                    at,
                    "database '" + databaseName + "' is neither a Database nor the initdb database of "
                            + cluster.get().ref());
            return;
        }
        String secret = secretOf(container, "QUARKUS_DATASOURCE_PASSWORD");
        String role = Tree.list(cluster.get().content(), "spec", "managed", "roles").stream()
                .filter(r -> Objects.equals(secret, Tree.text(r, "passwordSecret", "name")))
                .map(r -> Tree.text(r, "name"))
                .findFirst()
                .orElse(null);
        if (role == null) {
            context.problem(
                    owner,
                    container.path() + ".env[QUARKUS_DATASOURCE_PASSWORD]",
                    "Secret '" + secret + "' is the passwordSecret of no managed role of "
                            + cluster.get().ref());
            return;
        }
        String userSecret = secretOf(container, "QUARKUS_DATASOURCE_USERNAME");
        if (!Objects.equals(userSecret, secret)) {
            context.problem(
                    owner,
                    container.path() + ".env[QUARKUS_DATASOURCE_USERNAME]",
                    "read from '" + userSecret + "', the password from '" + secret + "': one role's Secret holds both");
        }
        context.service(container.name()).ifPresent(configuration -> {
            String schema = configuration.property("quarkus.flyway.schemas");
            if (schema == null || database.isEmpty()) {
                return;
            }
            String schemaOwner = Tree.list(database.get().content(), "spec", "schemas").stream()
                    .filter(s -> schema.equals(Tree.text(s, "name")))
                    .map(s -> Tree.text(s, "owner"))
                    .findFirst()
                    .orElse(null);
            if (!role.equals(schemaOwner)) {
                context.problem(
                        database.get(),
                        "spec.schemas",
                        "schema '" + schema + "' (" + configuration.name()
                                + "'s quarkus.flyway.schemas) must be owned by its role '" + role + "', found "
                                + (schemaOwner == null ? "no such schema" : "owner '" + schemaOwner + "'"));
            }
        });
    }

    private static String secretOf(PodTemplate.Container container, String variable) {
        return Tree.list(container.content(), "env").stream()
                .filter(e -> variable.equals(Tree.text(e, "name")))
                .map(e -> Tree.text(e, "valueFrom", "secretKeyRef", "name"))
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
    }
}
