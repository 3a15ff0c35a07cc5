package dev.kvmfleetsim.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.store.persistence.EventBatchWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A load figure for docs/benchmarks.md, not part of verify (surefire runs only *Test classes): how many trace events per second the COPY writer stores into
 * a real PostgreSQL, one transaction per batch as the consumer does. Run it with
 * {@code ./mvnw -B -o -pl results-store verify -Dtest=TraceEventLoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dstore.load.events=500000 [-Dstore.load.batch=5000] [-Dstore.load.rounds=3]}. Each round loads the events into an
 * emptied {@code trace_batch} with the writer's COPY (one row of arrays per batch, migration V3); the median over the
 * rounds is printed last. (The former comparison with batched INSERTs of one row per event went with the row-per-event
 * table.)
 */
class TraceEventLoadBenchmark {

    @Test
    void copyWriterThroughput() throws SQLException {
        int total = Integer.getInteger("store.load.events", 500_000);
        int perBatch = Integer.getInteger("store.load.batch", 5_000);
        int rounds = Integer.getInteger("store.load.rounds", 3);
        int batches = (total + perBatch - 1) / perBatch;
        // Built up front (3 exits per yield, like a PLE-heavy run) so that only the writing is timed.
        List<EventBatch> load = new ArrayList<>(batches);
        for (int s = 0; s < batches; s++) {
            int n = Math.min(perBatch, total - s * perBatch);
            load.add(StoreFixtures.batch("load-run-" + (s / 100), 1, s % 100, n - n / 4, n / 4, false));
        }
        List<Double> copyRates = new ArrayList<>();
        try (PlainDatabase db = new PlainDatabase("load_test");
                Connection c = db.connect()) {
            c.setAutoCommit(false);
            EventBatchWriter writer = new EventBatchWriter();
            for (int round = 1; round <= rounds; round++) {
                double rate = load(c, writer, load);
                copyRates.add(rate);
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT sum(cardinality(time_ns)), pg_size_pretty("
                                + "pg_total_relation_size('trace_batch')) FROM trace_batch")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(total);
                    System.out.printf(
                            Locale.ROOT,
                            "TraceEventLoadBenchmark round %d: %d events in %d batches of %d (one transaction each):"
                                    + " %.0f events/s; trace_batch %s%n",
                            round,
                            total,
                            batches,
                            perBatch,
                            rate,
                            rs.getString(2));
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "TraceEventLoadBenchmark median of %d rounds: COPY %.0f events/s%n",
                rounds,
                median(copyRates));
    }

    /** Empties the tables, writes a warm-up batch, then times the load; returns events per second. */
    private static double load(Connection c, EventBatchWriter writer, List<EventBatch> load) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("TRUNCATE trace_batch, event_batch");
        }
        write(c, writer, StoreFixtures.batch("warm-up", 1, 0, 5_000, 0, true));
        c.commit();
        try (Statement st = c.createStatement()) {
            st.execute("TRUNCATE trace_batch, event_batch");
        }
        c.commit();
        long start = System.nanoTime();
        long written = 0;
        for (EventBatch b : load) {
            written += write(c, writer, b);
            c.commit();
        }
        return written / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static int write(Connection c, EventBatchWriter writer, EventBatch b) throws SQLException {
        return writer.insert(c, b).events();
    }
}
