package dev.kvmfleetsim.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep trigger: its sweep is the repository's default sweep, and its script posts once and fails unless the
 * controller answers 2xx. The script runs for real against a stand-in controller on 127.0.0.1 (needs sh and curl,
 * as the curlimages/curl image has; skipped where they are missing).
 */
class SweepTriggerTest {
    private static final Path SCRIPT = DeployTree.PATHS.resolve("deploy/k8s/sweep/common/post-sweep.sh");

    @TempDir
    Path tmp;

    @Test
    void theJobsSweepIsTheDefaultSweep() throws IOException {
        byte[] copy = Files.readAllBytes(DeployTree.PATHS.resolve("deploy/k8s/sweep/common/default-sweep.json"));
        byte[] original = Files.readAllBytes(DeployTree.PATHS.resolve("examples/sweeps/default-sweep.json"));
        assertThat(new String(copy, StandardCharsets.UTF_8))
                .as("deploy/k8s/sweep/common/default-sweep.json must be a copy of examples/sweeps/default-sweep.json:"
                        + " cp examples/sweeps/default-sweep.json deploy/k8s/sweep/common/")
                .isEqualTo(new String(original, StandardCharsets.UTF_8));
    }

    @Test
    void theJobRunsTheScriptFromItsConfigMap() {
        for (String kustomization : List.of("deploy/k8s/sweep/job", "deploy/k8s/examples/nightly-sweep")) {
            ManifestSet set = DeployTree.readSet(DeployTree.dir(kustomization));
            PodTemplate pod = set.pods().get(0);
            PodTemplate.Container container = pod.containers().get(0);
            assertThat(Tree.list(container.content(), "command")).containsExactly("/bin/sh", "/scripts/post-sweep.sh");
            assertThat(set.find("ConfigMap", "sweep-trigger-script")
                            .orElseThrow()
                            .content())
                    .extracting(c -> Tree.text(c, "data", "post-sweep.sh"))
                    .isEqualTo(readScript());
            assertThat(Tree.integer(
                            pod.owner().content(),
                            pod.path().startsWith("spec.jobTemplate")
                                    ? new String[] {"spec", "jobTemplate", "spec", "backoffLimit"}
                                    : new String[] {"spec", "backoffLimit"}))
                    .as("a retry would post the sweep twice")
                    .isZero();
        }
    }

    @Test
    void acceptedSweepSucceeds() throws Exception {
        try (StandInController controller = new StandInController(202, 200)) {
            Result result = run(controller.url());
            assertThat(result.exit()).as(result.output()).isZero();
            assertThat(result.output()).contains("sweep accepted (HTTP 202)");
            assertThat(controller.posts.get()).isEqualTo(1);
            assertThat(controller.lastBody)
                    .isEqualTo(
                            Files.readString(DeployTree.PATHS.resolve("deploy/k8s/sweep/common/default-sweep.json")));
        }
    }

    @Test
    void refusedSweepFailsTheJob() throws Exception {
        try (StandInController controller = new StandInController(400, 200)) {
            Result result = run(controller.url());
            assertThat(result.exit()).isNotZero();
            assertThat(result.output()).contains("refused the sweep (HTTP 400)");
            assertThat(controller.posts.get()).isEqualTo(1);
        }
    }

    @Test
    void redirectIsNoSuccess() throws Exception {
        try (StandInController controller = new StandInController(303, 200)) {
            assertThat(run(controller.url()).exit()).isNotZero();
        }
    }

    @Test
    void controllerNeverReadyFailsWithoutPosting() throws Exception {
        try (StandInController controller = new StandInController(202, 503)) {
            Result result = run(controller.url());
            assertThat(result.exit()).isNotZero();
            assertThat(result.output()).contains("is not ready");
            assertThat(controller.posts.get()).isZero();
        }
    }

    private record Result(int exit, String output) {}

    private Result run(String url) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "no /bin/sh");
        assumeTrue(onPath("curl"), "curl is not on the PATH");
        Path sweep = tmp.resolve("sweep.json");
        Files.copy(DeployTree.PATHS.resolve("deploy/k8s/sweep/common/default-sweep.json"), sweep);
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", SCRIPT.toString()).redirectErrorStream(true);
        builder.environment().put("CONTROLLER_URL", url);
        builder.environment().put("SWEEP_FILE", sweep.toString());
        builder.environment().put("TMPDIR", tmp.toString());
        builder.environment().put("READY_ATTEMPTS", "2");
        builder.environment().put("READY_DELAY_SECONDS", "0");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static String readScript() {
        try {
            return Files.readString(SCRIPT);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The controller's two endpoints the script uses, answering fixed statuses, on a free loopback port. */
    private static final class StandInController implements AutoCloseable {
        final AtomicInteger posts = new AtomicInteger();
        volatile String lastBody;
        private final HttpServer server;

        StandInController(int sweepStatus, int readyStatus) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/q/health/ready", exchange -> {
                exchange.sendResponseHeaders(readyStatus, -1);
                exchange.close();
            });
            server.createContext("/api/sweeps", exchange -> {
                posts.incrementAndGet();
                lastBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                byte[] answer = "{\"id\":\"s-1\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Location", "/api/sweeps/s-1");
                exchange.sendResponseHeaders(sweepStatus, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
