package dev.kvmfleetsim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvmfleetsim.contract.Topics;
import dev.kvmfleetsim.testsupport.KafkaTestResource;
import dev.kvmfleetsim.testsupport.PostgresTestResource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

/**
 * A real Kafka broker and a real PostgreSQL (test-support) and the packaged services
 * ({@code <module>/target/quarkus-app/quarkus-run.jar}) as JVM processes, for the end-to-end tests.
 */
final class Fleet {

    static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(60);
    static final Duration GROUP_TIMEOUT = Duration.ofSeconds(90);

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static final Path ROOT =
            Path.of(System.getProperty("fleet.e2e.root", "..")).toAbsolutePath().normalize();

    record Service(String name, String module, Process process, int port, Path log) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    private final Path logs;
    private final KafkaTestResource kafka = new KafkaTestResource();
    private PostgresTestResource postgres;
    private final Map<String, Service> services = new LinkedHashMap<>();

    Fleet(Path logs) {
        this.logs = logs;
    }

    /** Kafka with the contract's topics ({@code fleet.runs}: 4 partitions) and PostgreSQL. */
    void startInfrastructure() throws IOException {
        Files.createDirectories(logs);
        kafka.init(Map.of(KafkaTestResource.PARTITIONS_ARG, "1"));
        kafka.start();
        KafkaTestResource.createTopic(Topics.RUNS, 4);
        KafkaTestResource.createTopic(Topics.EVENTS, 1);
        KafkaTestResource.createTopic(Topics.RESULTS, 1);
        KafkaTestResource.createTopic(Topics.DEAD_LETTER, 1);
        postgres = PostgresTestResource.startServer("kvmfleetsim");
    }

    Service service(String name) {
        return services.get(name);
    }

    Service start(String name, String module, Map<String, String> extraEnv) throws IOException {
        return start(name, module, extraEnv, List.of(), freePort(), logs.resolve(name + ".log"));
    }

    Service start(String name, String module, Map<String, String> extraEnv, List<String> jvmArgs, int port, Path log)
            throws IOException {
        Path jar = ROOT.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            fail("%s is missing: package the services first (./mvnw package -DskipTests)", jar);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(logs.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaTestResource.bootstrapServers());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", PostgresTestResource.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", PostgresTestResource.USERNAME);
        env.put("QUARKUS_DATASOURCE_PASSWORD", PostgresTestResource.PASSWORD);
        env.put("QUARKUS_PROFILE", "prod");
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        env.putAll(extraEnv);
        Service service = new Service(name, module, builder.start(), port, log);
        services.put(name, service);
        return service;
    }

    /** SIGKILL, as a crash: no shutdown hooks, no leaving the consumer group. */
    void kill(String name) throws InterruptedException {
        Service service = services.remove(name);
        service.process().destroyForcibly();
        assertThat(service.process().waitFor(30, TimeUnit.SECONDS))
                .as("%s is gone", name)
                .isTrue();
    }

    /** SIGTERM and wait: a graceful stop. */
    Service stop(String name) throws InterruptedException {
        Service service = services.remove(name);
        stop(service);
        return service;
    }

    void stopAll() {
        List<Service> reverse = new ArrayList<>(services.values());
        Collections.reverse(reverse);
        for (Service service : reverse) {
            service.process().destroy();
        }
        for (Service service : reverse) {
            try {
                stop(service);
            } catch (InterruptedException e) {
                service.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        services.clear();
        try {
            kafka.stop();
        } finally {
            if (postgres != null) {
                postgres.stop();
            }
        }
    }

    private static void stop(Service service) throws InterruptedException {
        service.process().destroy();
        if (!service.process().waitFor(20, TimeUnit.SECONDS)) {
            service.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    void awaitReady() throws Exception {
        for (Service service : services.values()) {
            awaitReady(service);
        }
    }

    void awaitReady(Service service) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive(service);
            try {
                HttpResponse<String> response = HTTP.send(
                        HttpRequest.newBuilder(URI.create(service.url("/q/health/ready")))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // keep polling
            }
            Thread.sleep(500);
        }
        fail("%s is not ready after %s (log: %s)", service.name(), READY_TIMEOUT, service.log());
    }

    /** Readiness says the channels are up, not that the group has settled: wait until both host-sims own partitions. */
    void awaitBothHostSimsInTheRunsGroup() throws Exception {
        try (Admin admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers()))) {
            long deadline = System.nanoTime() + GROUP_TIMEOUT.toNanos();
            String last = "";
            while (System.nanoTime() < deadline) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("host-sim"))
                        .all()
                        .get(10, TimeUnit.SECONDS)
                        .get("host-sim");
                int owned = 0;
                int membersWithPartitions = 0;
                for (MemberDescription member : group.members()) {
                    int partitions = member.assignment().topicPartitions().size();
                    owned += partitions;
                    membersWithPartitions += partitions > 0 ? 1 : 0;
                }
                last = group.groupState() + ", " + group.members().size() + " members, " + owned + " partitions";
                if (membersWithPartitions == 2 && owned == 4) {
                    return;
                }
                Thread.sleep(500);
            }
            fail("the host-sim group did not settle on 2 members owning 4 partitions: %s", last);
        }
    }

    /** Posts a sweep to the controller; answers its id. */
    String postSweep(String body) throws Exception {
        HttpResponse<String> accepted = HTTP.send(
                HttpRequest.newBuilder(URI.create(service("fleet-controller").url("/api/sweeps")))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String sweepId = JSON.readTree(accepted.body()).path("id").asText();
        assertThat(sweepId).isNotBlank();
        return sweepId;
    }

    JsonNode sweep(String sweepId) throws Exception {
        return JSON.readTree(get(service("fleet-controller").url("/api/sweeps/" + sweepId), 200));
    }

    /** Waits until the sweep has at least {@code done} runs done (or has finished); answers the sweep. */
    JsonNode awaitRunsDone(String sweepId, int done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode sweep = null;
        while (System.nanoTime() < deadline) {
            services.values().forEach(Fleet::requireAlive);
            sweep = sweep(sweepId);
            if (sweep.path("progress").path("done").asInt() >= done
                    || !state(sweep).equals("RUNNING")) {
                return sweep;
            }
            Thread.sleep(100);
        }
        return fail("sweep %s has not %d runs done after %s: %s", sweepId, done, timeout, sweep);
    }

    JsonNode awaitSweepDone(String sweepId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode sweep = null;
        while (System.nanoTime() < deadline) {
            services.values().forEach(Fleet::requireAlive);
            sweep = sweep(sweepId);
            String state = state(sweep);
            if (state.equals("DONE")) {
                return sweep;
            }
            if (state.equals("FAILED") || state.equals("CANCELLED")) {
                fail("sweep %s ended %s: %s", sweepId, state, sweep);
            }
            Thread.sleep(500);
        }
        return fail("sweep %s is not done after %s: %s", sweepId, timeout, sweep);
    }

    private static String state(JsonNode sweep) {
        return sweep.path("state").asText().toUpperCase(Locale.ROOT);
    }

    List<Map<String, String>> awaitStoredRuns(String sweepId, int total) throws Exception {
        Service store = service("results-store");
        long deadline = System.nanoTime() + STORE_TIMEOUT.toNanos();
        List<Map<String, String>> rows = List.of();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(store.url("/api/sweeps/" + sweepId + "/runs.csv")))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                rows = parseCsv(response.body());
                if (rows.size() >= total) {
                    return rows;
                }
            } else if (response.statusCode() != 404) {
                fail("runs.csv answered %d: %s", response.statusCode(), response.body());
            }
            Thread.sleep(500);
        }
        return fail("the store holds %d of %d runs of sweep %s after %s", rows.size(), total, sweepId, STORE_TIMEOUT);
    }

    static String get(String url, int expectedStatus) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(expectedStatus);
        return response.body();
    }

    static void requireAlive(Service service) {
        if (!service.process().isAlive()) {
            fail(
                    "%s exited with %d (log: %s)",
                    service.name(), service.process().exitValue(), service.log());
        }
    }

    /** RFC 4180 as the store writes it: a header row, CRLF, quotes around cells with commas, quotes or breaks. */
    static List<Map<String, String>> parseCsv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\n') {
                record.add(cell.toString());
                cell.setLength(0);
                records.add(record);
                record = new ArrayList<>();
            } else if (c != '\r') {
                cell.append(c);
            }
        }
        if (cell.length() > 0 || !record.isEmpty()) {
            record.add(cell.toString());
            records.add(record);
        }
        List<Map<String, String>> rows = new ArrayList<>();
        if (records.isEmpty()) {
            return rows;
        }
        List<String> header = records.get(0);
        for (List<String> values : records.subList(1, records.size())) {
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), i < values.size() ? values.get(i) : "");
            }
            rows.add(row);
        }
        return rows;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
