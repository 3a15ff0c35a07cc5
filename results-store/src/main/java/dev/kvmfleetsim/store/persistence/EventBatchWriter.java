package dev.kvmfleetsim.store.persistence;

import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.TraceEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes one {@link EventBatch}: a row in {@code event_batch}, then, if it has events, one row in {@code trace_batch}
 * holding them all as parallel arrays (migration V3), with one {@code COPY ... FROM STDIN} on a caller's connection
 * (the caller owns the transaction). A batch whose (run_id, attempt, sequence) is already stored writes nothing.
 * Events are in time order, exits before yields at equal times (the view {@code trace_event} numbers them {@code idx}
 * 0, 1, ...); exit reasons, yield causes, failures and target states are positions in the row's dictionary
 * {@code names}.
 * Thread-safe (no state beyond the buffer size).
 */
public final class EventBatchWriter {
    /** Default size of the buffer streamed to the server. */
    public static final int DEFAULT_BUFFER_BYTES = 64 * 1024;

    private static final String INSERT_BATCH = "INSERT INTO event_batch (run_id, attempt, sequence, detail,"
            + " event_count, last) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT ON CONSTRAINT event_batch_pk DO NOTHING"
            + " RETURNING batch_id";
    private static final String COPY_BATCH = "COPY trace_batch (batch_id, names, time_ns, vm, vcpu, reason,"
            + " duration_ns, target, cause, failure, target_state) FROM STDIN";

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
        List<TraceEvent.Exit> exits = b.exits();
        List<TraceEvent.Yield> yields = b.yields();
        int n = exits.size() + yields.size();
        // Event order: time, exits before yields at equal times. order[k] >= 0 is an exit's index, ~order[k] a yield's.
        int[] order = new int[n];
        int i = 0;
        int j = 0;
        for (int k = 0; k < n; k++) {
            boolean exitNext = j == yields.size()
                    || (i < exits.size()
                            && exits.get(i).timeNs() <= yields.get(j).timeNs());
            order[k] = exitNext ? i++ : ~j++;
        }
        // The batch's dictionary of names, 1-based as PostgreSQL arrays are.
        Map<String, Integer> names = new LinkedHashMap<>();
        short[] reason = new short[exits.size()];
        for (int e = 0; e < reason.length; e++) {
            reason[e] = name(names, exits.get(e).reason());
        }
        short[] cause = new short[yields.size()];
        short[] failure = new short[yields.size()];
        // 0: no target state (a batch from a host-sim older than the field), stored as NULL.
        short[] targetState = new short[yields.size()];
        for (int y = 0; y < cause.length; y++) {
            cause[y] = name(names, yields.get(y).cause());
            failure[y] = name(names, yields.get(y).failure());
            String state = yields.get(y).targetState();
            targetState[y] = state == null ? 0 : name(names, state);
        }

        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_BATCH);
        try {
            CopyTextEncoder out = new CopyTextEncoder(copy, bufferBytes);
            out.field(batchId);
            out.beginArray();
            for (String name : names.keySet()) {
                out.element(name);
            }
            out.endArray();
            out.beginArray();
            for (int o : order) {
                out.element(o >= 0 ? exits.get(o).timeNs() : yields.get(~o).timeNs());
            }
            out.endArray().beginArray();
            for (int o : order) {
                out.element(o >= 0 ? exits.get(o).vm() : yields.get(~o).vm());
            }
            out.endArray().beginArray();
            for (int o : order) {
                out.element(o >= 0 ? exits.get(o).vcpu() : yields.get(~o).vcpu());
            }
            out.endArray().beginArray();
            for (int o : order) {
                if (o >= 0) {
                    out.element(reason[o]);
                } else {
                    out.nullElement();
                }
            }
            out.endArray().beginArray();
            for (int o : order) {
                if (o >= 0) {
                    out.element(exits.get(o).durationNs());
                } else {
                    out.nullElement();
                }
            }
            out.endArray().beginArray();
            for (int o : order) {
                if (o >= 0) {
                    out.nullElement();
                } else {
                    out.element(yields.get(~o).target());
                }
            }
            out.endArray().beginArray();
            for (int o : order) {
                if (o >= 0) {
                    out.nullElement();
                } else {
                    out.element(cause[~o]);
                }
            }
            out.endArray().beginArray();
            for (int o : order) {
                if (o >= 0) {
                    out.nullElement();
                } else {
                    out.element(failure[~o]);
                }
            }
            out.endArray().beginArray();
            for (int o : order) {
                if (o >= 0 || targetState[~o] == 0) {
                    out.nullElement();
                } else {
                    out.element(targetState[~o]);
                }
            }
            out.endArray();
            out.endRow();
            out.flush();
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private static short name(Map<String, Integer> names, String name) throws SQLException {
        Integer known = names.get(name);
        if (known != null) {
            return known.shortValue();
        }
        int next = names.size() + 1;
        if (next > Short.MAX_VALUE) {
            // A data error (class 22), like a value PostgreSQL itself rejects: the same batch would fail again.
            throw new SQLException("more than " + Short.MAX_VALUE + " distinct names in one batch", "22003");
        }
        names.put(name, next);
        return (short) next;
    }
}
