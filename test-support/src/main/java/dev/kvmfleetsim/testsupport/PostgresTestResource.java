package dev.kvmfleetsim.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A real PostgreSQL server from Debian's binaries in a throw-away directory, for Quarkus tests and plain JUnit. */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager, AutoCloseable {

    /** Init arg: name of the database to create (default {@code test}). */
    public static final String DATABASE_ARG = "database";

    /** Role that owns the database; its password is {@link #PASSWORD}. */
    public static final String USERNAME = "test";

    public static final String PASSWORD = "test";

    private static final Path DEBIAN_POSTGRESQL = Path.of("/usr/lib/postgresql");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final int START_ATTEMPTS = 3;

    private static volatile PostgresTestResource running;

    private final String superuserPassword = UUID.randomUUID().toString();
    private String database = "test";
    private Path bin;
    private Path dir;
    private int port;
    private Thread shutdownHook;

    /** Starts a server with the given database; close it (or call {@link #stop()}) when done. */
    public static PostgresTestResource startServer(String database) {
        PostgresTestResource server = new PostgresTestResource();
        server.init(Map.of(DATABASE_ARG, database));
        server.start();
        return server;
    }

    /** JDBC URL of the database of the server started last; fails if none is running. */
    public static String jdbcUrl() {
        PostgresTestResource current = running;
        if (current == null) {
            throw new IllegalStateException("No PostgresTestResource is running");
        }
        return current.url(current.database);
    }

    /** Working directory of this server (data, socket, log), or null while it is not running. */
    public Path directory() {
        return dir;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault(DATABASE_ARG, database);
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("Database name must match [a-z_][a-z0-9_]*: " + database);
        }
    }

    @Override
    public synchronized Map<String, String> start() {
        bin = findBinaries();
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "pg-test-");
            Path passwordFile = Files.writeString(dir.resolve("superuser-password"), superuserPassword);
            if (ROOT) {
                exec(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            }
            runAsPostgres(
                    "initdb",
                    "-D",
                    dir.resolve("data").toString(),
                    "-U",
                    "postgres",
                    "--pwfile=" + passwordFile,
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync");
            startServerOnFreePort();
            shutdownHook = new Thread(this::stop, "postgres-test-resource-stop");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", superuserPassword);
                    Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + USERNAME + " LOGIN PASSWORD '" + PASSWORD + "'");
                s.execute("CREATE DATABASE " + database + " OWNER " + USERNAME);
            }
        } catch (IOException | SQLException | RuntimeException e) {
            stop();
            throw new IllegalStateException("Could not start PostgreSQL from " + bin, e);
        }
        running = this;
        return Map.of(
                "quarkus.datasource.db-kind",
                "postgresql",
                "quarkus.datasource.jdbc.url",
                url(database),
                "quarkus.datasource.username",
                USERNAME,
                "quarkus.datasource.password",
                PASSWORD);
    }

    @Override
    public synchronized void stop() {
        if (dir == null) {
            return;
        }
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                runAsPostgres("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
            }
        } finally {
            deleteRecursively(dir);
            dir = null;
            if (running == this) {
                running = null;
            }
            removeShutdownHook();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void removeShutdownHook() {
        if (shutdownHook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmAlreadyShuttingDown) {
            // The hook runs (or ran) anyway; stop() is idempotent.
        }
        shutdownHook = null;
    }

    private void startServerOnFreePort() throws IOException {
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            String options = String.join(
                    " ",
                    "-p " + port,
                    "-h 127.0.0.1",
                    "-k " + dir,
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off");
            try {
                runAsPostgres(
                        "pg_ctl",
                        "-D",
                        dir.resolve("data").toString(),
                        "-l",
                        dir.resolve("server.log").toString(),
                        "-o",
                        options,
                        "-w",
                        "-t",
                        "60",
                        "start");
                return;
            } catch (IllegalStateException e) {
                if (attempt == START_ATTEMPTS) {
                    throw new IllegalStateException(e.getMessage() + "\nserver.log:\n" + serverLog(), e);
                }
            }
        }
    }

    private String url(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }

    private String serverLog() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private void runAsPostgres(String program, String... args) {
        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        exec(command);
    }

    private static void exec(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("Command failed: " + String.join(" ", command) + "\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command.get(0), e);
        }
    }

    private static Path findBinaries() {
        String hint = "PostgreSQL server binaries not found: need initdb and pg_ctl in " + DEBIAN_POSTGRESQL
                + "/<version>/bin (Debian package postgresql-<version>)";
        try (Stream<Path> versions = Files.list(DEBIAN_POSTGRESQL)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                    .map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingDouble(
                            b -> Double.parseDouble(b.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException(hint));
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(hint, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + root, e);
        }
    }
}
