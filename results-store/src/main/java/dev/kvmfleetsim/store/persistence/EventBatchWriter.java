package dev.kvmfleetsim.store.persistence;

import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.TraceEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes one {@link EventBatch}: a row in {@code event_batch}, then its events into {@code trace_event} with one
 * {@code COPY ... FROM STDIN} on a caller's connection (the caller owns the transaction). A batch whose (run_id,
 * attempt, sequence) is already stored writes nothing. Events get {@code idx} 0, 1, ... in time order, exits before
 * yields at equal times, and the batch's {@code batch_id} (trace_event's key with idx). The columns every row of a
 * batch shares are encoded once per batch. Thread-safe (no state beyond the buffer size).
 */
public final class EventBatchWriter {
    /** Default size of the buffer streamed to the server. */
    public static final int DEFAULT_BUFFER_BYTES = 64 * 1024;

    private static final String INSERT_BATCH = "INSERT INTO event_batch (run_id, attempt, sequence, detail,"
            + " event_count, last) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT ON CONSTRAINT event_batch_pk DO NOTHING"
            + " RETURNING batch_id";
    private static final String COPY_EVENTS = "COPY trace_event (batch_id, run_id, attempt, sequence, idx, kind,"
            + " time_ns, vm, vcpu, reason, duration_ns, target, cause, failure) FROM STDIN";

    private static final String KIND_EXIT = "exit";
    private static final String KIND_YIELD = "yield";

    private final int bufferBytes;

    public EventBatchWriter() {
        this(DEFAULT_BUFFER_BYTES);
    }

    public EventBatchWriter(int bufferBytes) {
        this.bufferBytes = bufferBytes;
    }

    /** What one call wrote. */
    public record Outcome(boolean stored, int events) {
        static final Outcome DUPLICATE = new Outcome(false, 0);
    }

    /**
     * Stores the batch unless it is already stored.
     *
     * @param b a batch that passed {@link ContractChecks#check(EventBatch)}
     * @param c a PostgreSQL connection (or a pool's wrapper of one) in a transaction
     */
    public Outcome insert(Connection c, EventBatch b) throws SQLException {
        int events = b.exits().size() + b.yields().size();
        long batchId;
        try (PreparedStatement ps = c.prepareStatement(INSERT_BATCH)) {
            ps.setString(1, b.runId());
            ps.setInt(2, b.attempt());
            ps.setLong(3, b.sequence());
            ps.setString(4, b.detail().name().toLowerCase(Locale.ROOT));
            ps.setInt(5, events);
            ps.setBoolean(6, b.last());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Outcome.DUPLICATE;
                }
                batchId = rs.getLong(1);
            }
        }
        if (events > 0) {
            copyEvents(c, b, batchId);
        }
        return new Outcome(true, events);
    }

    private void copyEvents(Connection c, EventBatch b, long batchId) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_EVENTS);
        try {
            CopyTextEncoder out = new CopyTextEncoder(copy, bufferBytes);
            byte[] shared = CopyTextEncoder.rowPrefix(batchId, b.runId(), b.attempt(), b.sequence());
            List<TraceEvent.Exit> exits = b.exits();
            List<TraceEvent.Yield> yields = b.yields();
            int i = 0;
            int j = 0;
            int idx = 0;
            while (i < exits.size() || j < yields.size()) {
                boolean exitNext = j == yields.size()
                        || (i < exits.size()
                                && exits.get(i).timeNs() <= yields.get(j).timeNs());
                out.prefix(shared).field(idx++);
                if (exitNext) {
                    TraceEvent.Exit e = exits.get(i++);
                    out.field(KIND_EXIT).field(e.timeNs()).field(e.vm()).field(e.vcpu());
                    out.field(e.reason())
                            .field(e.durationNs())
                            .nullField()
                            .nullField()
                            .nullField();
                } else {
                    TraceEvent.Yield y = yields.get(j++);
                    out.field(KIND_YIELD).field(y.timeNs()).field(y.vm()).field(y.vcpu());
                    out.nullField()
                            .nullField()
                            .field(y.target())
                            .field(y.cause())
                            .field(y.failure());
                }
                out.endRow();
            }
            out.flush();
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }
}
