package dev.kvmfleetsim.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.TraceEvent;
import dev.kvmfleetsim.store.persistence.EventBatchWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A load figure for docs/benchmarks.md, not part of verify (surefire runs only *Test classes): how many trace events per second the COPY writer stores into
 * a real PostgreSQL, one transaction per batch as the consumer does. Run it with
 * {@code ./mvnw -B -o -pl results-store verify -Dtest=TraceEventLoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dstore.load.events=500000 [-Dstore.load.batch=5000] [-Dstore.load.rounds=3]}. Each round loads the events into an
 * emptied {@code trace_event} twice: with the writer's COPY, and for comparison with JDBC batched INSERTs
 * (reWriteBatchedInserts=true); the medians over the rounds are printed last.
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
        List<Double> insertRates = new ArrayList<>();
        try (PlainDatabase db = new PlainDatabase("load_test");
                Connection c = db.connect()) {
            c.setAutoCommit(false);
            EventBatchWriter writer = new EventBatchWriter();
            for (int round = 1; round <= rounds; round++) {
                for (boolean copy : new boolean[] {true, false}) {
                    double rate = load(c, writer, load, copy);
                    (copy ? copyRates : insertRates).add(rate);
                    try (Statement st = c.createStatement();
                            ResultSet rs = st.executeQuery("SELECT count(*), pg_size_pretty(pg_total_relation_size("
                                    + "'trace_event')) FROM trace_event")) {
                        rs.next();
                        assertThat(rs.getLong(1)).isEqualTo(total);
                        System.out.printf(
                                Locale.ROOT,
                                "TraceEventLoadBenchmark round %d, %s: %d events in %d batches of %d (one transaction"
                                        + " each): %.0f events/s; trace_event %s%n",
                                round,
                                copy ? "COPY" : "batched INSERT",
                                total,
                                batches,
                                perBatch,
                                rate,
                                rs.getString(2));
                    }
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "TraceEventLoadBenchmark median of %d rounds: COPY %.0f events/s, batched INSERT %.0f events/s%n",
                rounds,
                median(copyRates),
                median(insertRates));
    }

    /** Empties the tables, writes a warm-up batch, then times the load; returns events per second. */
    private static double load(Connection c, EventBatchWriter writer, List<EventBatch> load, boolean copy)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("TRUNCATE trace_event, event_batch");
        }
        write(c, writer, StoreFixtures.batch("warm-up", 1, 0, 5_000, 0, true), copy);
        c.commit();
        try (Statement st = c.createStatement()) {
            st.execute("TRUNCATE trace_event, event_batch");
        }
        c.commit();
        long start = System.nanoTime();
        long written = 0;
        for (EventBatch b : load) {
            written += write(c, writer, b, copy);
            c.commit();
        }
        return written / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static final String INSERT = "INSERT INTO trace_event (run_id, attempt, sequence, idx, kind, time_ns, vm,"
            + " vcpu, reason, duration_ns, target, cause, failure) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static int write(Connection c, EventBatchWriter writer, EventBatch b, boolean copy) throws SQLException {
        if (copy) {
            return writer.insert(c, b).events();
        }
        // The comparison path: exits then yields (idx order does not matter for the measurement).
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            int idx = 0;
            for (TraceEvent.Exit e : b.exits()) {
                row(ps, b, idx++, "exit", e.timeNs(), e.vm(), e.vcpu());
                ps.setString(9, e.reason());
                ps.setLong(10, e.durationNs());
                ps.setNull(11, Types.INTEGER);
                ps.setNull(12, Types.VARCHAR);
                ps.setNull(13, Types.VARCHAR);
                ps.addBatch();
            }
            for (TraceEvent.Yield y : b.yields()) {
                row(ps, b, idx++, "yield", y.timeNs(), y.vm(), y.vcpu());
                ps.setNull(9, Types.VARCHAR);
                ps.setNull(10, Types.BIGINT);
                ps.setInt(11, y.target());
                ps.setString(12, y.cause());
                ps.setString(13, y.failure());
                ps.addBatch();
            }
            ps.executeBatch();
            return idx;
        }
    }

    private static void row(PreparedStatement ps, EventBatch b, int idx, String kind, long time, int vm, int vcpu)
            throws SQLException {
        ps.setString(1, b.runId());
        ps.setInt(2, b.attempt());
        ps.setLong(3, b.sequence());
        ps.setInt(4, idx);
        ps.setString(5, kind);
        ps.setLong(6, time);
        ps.setInt(7, vm);
        ps.setInt(8, vcpu);
    }
}
