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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline as it is deployed: a real Kafka broker and a real PostgreSQL (test-support), and the packaged
 * services ({@code <module>/target/quarkus-app/quarkus-run.jar}) as four JVM processes: results-store,
 * fleet-controller and two host-sims. A small sweep goes in over REST; every run must come out of the store exactly
 * once, done by both host-sims, with one on/off series per overcommit.
 */
class FleetPipelineE2ETest {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration SWEEP_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration GROUP_TIMEOUT = Duration.ofSeconds(90);

    /** 2 series × 2 overcommits × 3 repetitions = 12 runs of 20 simulated ms each. */
    private static final String SWEEP = """
            {"name": "e2e-tracking-on-off", "seed": 7, "repetitions": 3, "detail": "aggregate",
             "base_scenario": {"duration_ns": 20000000, "host": {"pcpus": 16}, "vms": {"count": 1, "vcpus": 16},
                               "workload": {"mix": "dedup_like"}},
             "grid": {"ipi_tracking_enabled": [true, false], "overcommit": [1, 2]}}
            """;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final Path ROOT =
            Path.of(System.getProperty("fleet.e2e.root", "..")).toAbsolutePath().normalize();
    private static final Path LOGS =
            Path.of(System.getProperty("fleet.e2e.logs", "target/e2e-logs")).toAbsolutePath();

    private static final KafkaTestResource KAFKA = new KafkaTestResource();
    private static PostgresTestResource postgres;
    private static final Map<String, Service> SERVICES = new LinkedHashMap<>();

    private record Service(String name, Process process, int port, Path log) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    @BeforeAll
    static void startFleet() throws Exception {
        Files.createDirectories(LOGS);
        KAFKA.init(Map.of(KafkaTestResource.PARTITIONS_ARG, "1"));
        KAFKA.start();
        KafkaTestResource.createTopic(Topics.RUNS, 4);
        KafkaTestResource.createTopic(Topics.EVENTS, 1);
        KafkaTestResource.createTopic(Topics.RESULTS, 1);
        KafkaTestResource.createTopic(Topics.DEAD_LETTER, 1);
        postgres = PostgresTestResource.startServer("kvmfleetsim");

        start("results-store", "results-store", Map.of());
        start("fleet-controller", "fleet-controller", Map.of());
        start("host-sim-1", "host-sim/service", Map.of("HOST_SIM_INSTANCE_ID", "host-sim-1"));
        start("host-sim-2", "host-sim/service", Map.of("HOST_SIM_INSTANCE_ID", "host-sim-2"));
        for (Service service : SERVICES.values()) {
            awaitReady(service);
        }
        awaitBothHostSimsInTheRunsGroup();
    }

    @AfterAll
    static void stopFleet() {
        List<Service> reverse = new ArrayList<>(SERVICES.values());
        java.util.Collections.reverse(reverse);
        for (Service service : reverse) {
            service.process().destroy();
        }
        for (Service service : reverse) {
            try {
                if (!service.process().waitFor(20, TimeUnit.SECONDS)) {
                    service.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                service.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        SERVICES.clear();
        try {
            KAFKA.stop();
        } finally {
            if (postgres != null) {
                postgres.stop();
            }
        }
    }

    @Test
    void everyRunOfASweepIsSimulatedAndStoredExactlyOnce() throws Exception {
        long started = System.nanoTime();
        Service controller = SERVICES.get("fleet-controller");
        Service store = SERVICES.get("results-store");

        HttpResponse<String> accepted = HTTP.send(
                HttpRequest.newBuilder(URI.create(controller.url("/api/sweeps")))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(SWEEP))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String sweepId = JSON.readTree(accepted.body()).path("id").asText();
        assertThat(sweepId).isNotBlank();

        JsonNode sweep = awaitSweepDone(controller, sweepId);
        int total = sweep.path("progress").path("total").asInt();
        assertThat(total).as("runs of the sweep").isEqualTo(12);
        assertThat(sweep.path("progress").path("done").asInt()).isEqualTo(total);

        List<Map<String, String>> rows = awaitStoredRuns(store, sweepId, total);
        assertThat(rows).hasSize(total);
        Set<String> runIds = new HashSet<>();
        rows.forEach(row -> runIds.add(row.get("run_id")));
        assertThat(runIds).as("run ids are unique").hasSize(total);
        assertThat(rows).allSatisfy(row -> assertThat(row.get("run_id")).startsWith(sweepId + "-p"));
        assertThat(rows.get(0)).containsKey("host_sim_instance");
        Set<String> instances = new HashSet<>();
        rows.forEach(row -> instances.add(row.get("host_sim_instance")));
        assertThat(instances).as("host-sims that did runs").containsExactlyInAnyOrder("host-sim-1", "host-sim-2");

        JsonNode summary = JSON.readTree(get(store.url("/api/sweeps/" + sweepId + "/summary"), 200));
        assertThat(summary.isArray()).as(summary.toString()).isTrue();
        assertThat(summary).as(summary.toString()).hasSize(2);
        Set<Double> overcommits = new HashSet<>();
        for (JsonNode series : summary) {
            assertThat(series.path("n_pairs").asInt()).as(series.toString()).isEqualTo(3);
            overcommits.add(series.path("overcommit").asDouble());
        }
        assertThat(overcommits).containsExactlyInAnyOrder(1.0, 2.0);

        System.out.printf(
                "fleet-e2e: sweep %s, %d runs by %s, submitted to stored in %d ms%n",
                sweepId,
                total,
                instances,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private static void start(String name, String module, Map<String, String> extraEnv) throws IOException {
        Path jar = ROOT.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            fail("%s is missing: package the services first (./mvnw package -DskipTests)", jar);
        }
        int port = freePort();
        Path log = LOGS.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx384m",
                        "-jar",
                        jar.toString())
                .directory(LOGS.toFile())
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
        SERVICES.put(name, new Service(name, builder.start(), port, log));
    }

    private static void awaitReady(Service service) throws Exception {
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
    private static void awaitBothHostSimsInTheRunsGroup() throws Exception {
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

    private static JsonNode awaitSweepDone(Service controller, String sweepId) throws Exception {
        long deadline = System.nanoTime() + SWEEP_TIMEOUT.toNanos();
        JsonNode sweep = null;
        while (System.nanoTime() < deadline) {
            SERVICES.values().forEach(FleetPipelineE2ETest::requireAlive);
            sweep = JSON.readTree(get(controller.url("/api/sweeps/" + sweepId), 200));
            String state = sweep.path("state").asText().toUpperCase(java.util.Locale.ROOT);
            if (state.equals("DONE")) {
                return sweep;
            }
            if (state.equals("FAILED") || state.equals("CANCELLED")) {
                fail("sweep %s ended %s: %s", sweepId, state, sweep);
            }
            Thread.sleep(500);
        }
        return fail("sweep %s is not done after %s: %s", sweepId, SWEEP_TIMEOUT, sweep);
    }

    private static List<Map<String, String>> awaitStoredRuns(Service store, String sweepId, int total)
            throws Exception {
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

    private static String get(String url, int expectedStatus) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(expectedStatus);
        return response.body();
    }

    private static void requireAlive(Service service) {
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
