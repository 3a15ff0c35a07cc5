package dev.kvmfleetsim.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.DetailLevel;
import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.TraceEvent;
import dev.kvmfleetsim.store.persistence.EventBatchWriter;
import dev.kvmfleetsim.store.persistence.RunResultWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JDBC writers against a real PostgreSQL with the Flyway schema, without Quarkus or Kafka. */
class EventBatchWriterTest {
    private static PlainDatabase db;

    @BeforeAll
    static void start() {
        db = new PlainDatabase("writer_test");
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void aBatchIsCopiedOnceInTimeOrderWithNullsForTheOtherKind() throws SQLException {
        EventBatch b = new EventBatch(
                ContractVersion.CURRENT,
                "w-1",
                2,
                5,
                DetailLevel.FULL,
                List.of(new TraceEvent.Exit(100, 0, 1, "MSR_WRITE", 580), new TraceEvent.Exit(300, 1, 3, "HLT", 9000)),
                List.of(
                        new TraceEvent.Yield(100, 0, 2, 3, "IPI_RECEIVER", "NONE", "PREEMPTED_KERNEL"),
                        // from a host-sim older than target_state: NULL
                        new TraceEvent.Yield(200, 0, 2, -1, "NONE", "NO_CANDIDATE")),
                true);
        EventBatchWriter writer = new EventBatchWriter();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            assertThat(writer.insert(c, b)).isEqualTo(new EventBatchWriter.Outcome(true, 4));
            assertThat(writer.insert(c, b)).isEqualTo(new EventBatchWriter.Outcome(false, 0));
            c.commit();
            assertThat(rows(
                            c,
                            "SELECT idx, kind, time_ns, vm, vcpu, reason, duration_ns, target, cause, failure,"
                                    + " target_state FROM trace_event WHERE run_id = 'w-1' ORDER BY idx"))
                    .containsExactly(
                            "0|exit|100|0|1|MSR_WRITE|580|null|null|null|null",
                            "1|yield|100|0|2|null|null|3|IPI_RECEIVER|NONE|PREEMPTED_KERNEL",
                            "2|yield|200|0|2|null|null|-1|NONE|NO_CANDIDATE|null",
                            "3|exit|300|1|3|HLT|9000|null|null|null|null");
            assertThat(
                            rows(
                                    c,
                                    "SELECT attempt, sequence, detail, event_count, last::text FROM event_batch WHERE run_id = 'w-1'"))
                    .containsExactly("2|5|full|4|true");
            // One trace_batch row for the batch (not one per event, not two after the redelivery), with its dictionary.
            assertThat(rows(
                            c,
                            "SELECT count(*), min(array_to_string(t.names, ',')), min(cardinality(t.time_ns))"
                                    + " FROM trace_batch t JOIN event_batch b USING (batch_id) WHERE b.run_id = 'w-1'"))
                    .containsExactly("1|MSR_WRITE,HLT,IPI_RECEIVER,NONE,PREEMPTED_KERNEL,NO_CANDIDATE|4");
        }
    }

    @Test
    void namesThatNeedArrayQuotingSurviveTheDictionary() throws SQLException {
        List<String> odd = List.of("", "NULL", "a,b", "{x}", "q\"uote", "back\\slash", " sp ", "tab\t", "é中");
        List<TraceEvent.Exit> exits = new ArrayList<>();
        List<TraceEvent.Yield> yields = new ArrayList<>();
        for (int i = 0; i < odd.size(); i++) {
            exits.add(new TraceEvent.Exit(10L * i, 0, i, odd.get(i), i));
            yields.add(new TraceEvent.Yield(10L * i + 5, 1, i, i, odd.get(odd.size() - 1 - i), odd.get(i)));
        }
        EventBatch b = new EventBatch(ContractVersion.CURRENT, "w-names", 1, 0, DetailLevel.FULL, exits, yields, true);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            new EventBatchWriter(64).insert(c, b);
            c.commit();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < odd.size(); i++) {
                expected.add((2 * i) + "|exit|" + odd.get(i) + "|null|null");
                expected.add((2 * i + 1) + "|yield|null|" + odd.get(odd.size() - 1 - i) + "|" + odd.get(i));
            }
            assertThat(rows(
                            c,
                            "SELECT idx, kind, reason, cause, failure FROM trace_event WHERE run_id = 'w-names'"
                                    + " ORDER BY idx"))
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    void textNeedingEscapesAndNonAsciiSurvivesCopy() throws SQLException {
        String odd = "tab\there\\back\nline\rcr é中 \\N";
        EventBatch b = new EventBatch(
                ContractVersion.CURRENT,
                "w-odd\t1",
                1,
                Long.MAX_VALUE,
                DetailLevel.SAMPLED,
                List.of(new TraceEvent.Exit(Long.MIN_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, odd, -1)),
                List.of(),
                false);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            // A 64-byte buffer forces many flushes in the middle of rows.
            assertThat(new EventBatchWriter(64).insert(c, b).events()).isEqualTo(1);
            c.commit();
            assertThat(rows(
                            c,
                            "SELECT run_id, sequence, time_ns, vm, vcpu, reason FROM trace_event"
                                    + " WHERE run_id = 'w-odd\t1'"))
                    .containsExactly("w-odd\t1|" + Long.MAX_VALUE + "|" + Long.MIN_VALUE + "|" + Integer.MIN_VALUE + "|"
                            + Integer.MAX_VALUE + "|" + odd);
        }
    }

    @Test
    void aLargeBatchAndItsRedeliveryInSeparateTransactions() throws SQLException {
        EventBatch big = StoreFixtures.batch("w-big", 1, 0, 15_000, 5_000, true);
        EventBatchWriter writer = new EventBatchWriter();
        for (int delivery = 0; delivery < 2; delivery++) {
            try (Connection c = db.connect()) {
                c.setAutoCommit(false);
                writer.insert(c, big);
                c.commit();
            }
        }
        try (Connection c = db.connect()) {
            assertThat(
                            rows(
                                    c,
                                    "SELECT count(*), count(DISTINCT idx), min(idx), max(idx),"
                                            + " count(*) FILTER (WHERE kind = 'yield') FROM trace_event WHERE run_id = 'w-big'"))
                    .containsExactly("20000|20000|0|19999|5000");
            // The view gives back exactly the events sent, in the writer's order (time, exits first at equal times).
            List<String> expected = new ArrayList<>();
            int i = 0;
            int j = 0;
            while (i < big.exits().size() || j < big.yields().size()) {
                if (j == big.yields().size()
                        || (i < big.exits().size()
                                && big.exits().get(i).timeNs()
                                        <= big.yields().get(j).timeNs())) {
                    TraceEvent.Exit e = big.exits().get(i++);
                    expected.add((i + j - 1) + "|exit|" + e.timeNs() + "|" + e.vm() + "|" + e.vcpu() + "|" + e.reason()
                            + "|" + e.durationNs() + "|null|null|null");
                } else {
                    TraceEvent.Yield y = big.yields().get(j++);
                    expected.add((i + j - 1) + "|yield|" + y.timeNs() + "|" + y.vm() + "|" + y.vcpu() + "|null|null|"
                            + y.target() + "|" + y.cause() + "|" + y.failure());
                }
            }
            assertThat(rows(
                            c,
                            "SELECT idx, kind, time_ns, vm, vcpu, reason, duration_ns, target, cause, failure"
                                    + " FROM trace_event WHERE run_id = 'w-big' ORDER BY idx"))
                    .containsExactlyElementsOf(expected);
            assertThat(rows(
                            c,
                            "SELECT count(*) FROM trace_batch t JOIN event_batch b USING (batch_id)"
                                    + " WHERE b.run_id = 'w-big'"))
                    .containsExactly("1");
        }
    }

    @Test
    void aFailedCopyRollsBackTheBatchRowToo() throws SQLException {
        // PostgreSQL text cannot hold NUL: the COPY fails, and with it the whole transaction.
        EventBatch bad = new EventBatch(
                ContractVersion.CURRENT,
                "w-nul",
                1,
                0,
                DetailLevel.FULL,
                List.of(new TraceEvent.Exit(1, 0, 0, "BAD\0REASON", 1)),
                List.of(),
                true);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> new EventBatchWriter().insert(c, bad)).isInstanceOf(SQLException.class);
            c.rollback();
            assertThat(rows(c, "SELECT count(*) FROM event_batch WHERE run_id = 'w-nul'"))
                    .containsExactly("0");
        }
    }

    @Test
    void aResultIsWrittenOnceWithItsChildren() throws SQLException {
        var result = StoreFixtures.simulated("w-run", "w-sweep", 1);
        RunResultWriter writer = new RunResultWriter();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            assertThat(writer.insert(c, result)).isTrue();
            assertThat(writer.insert(c, StoreFixtures.simulated("w-run", "w-sweep", 2)))
                    .isFalse();
            c.commit();
            assertThat(rows(
                            c,
                            "SELECT attempt, (SELECT count(*) FROM exit_stat e WHERE e.run_id = r.run_id),"
                                    + " (SELECT count(*) FROM latency_summary l WHERE l.run_id = r.run_id)"
                                    + " FROM run_result r WHERE run_id = 'w-run'"))
                    .containsExactly("1|" + result.result().exits().size() + "|4");
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }
}
