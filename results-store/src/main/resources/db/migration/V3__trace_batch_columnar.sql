-- FULL traces stored one row per event batch, in array columns (docs/benchmarks.md, pipeline). A row per event cost
-- PostgreSQL about 3.4 us of CPU (heap tuple, index entry, per-row COPY parsing of 14 fields): a full core at 300k
-- events/s. trace_batch holds a batch's events as parallel arrays in event order (idx = position - 1), so the
-- per-row costs are paid once per batch of thousands of events.
--
-- Columns: names is the batch's dictionary of the exit reasons, yield causes and failures it uses; reason, cause and
-- failure are 1-based positions in it (smallint). Exits have reason and duration_ns, yields have target, cause and
-- failure; the other kind's elements are NULL, and kind is "exit" exactly when reason is not NULL. The large arrays
-- are stored out of line without compression (STORAGE EXTERNAL): pglz costs CPU on every write and gains little on
-- increasing times and small integers.
--
-- Idempotency is unchanged: the event_batch row (run_id, attempt, sequence) is written in the same transaction as
-- the trace_batch row, and a redelivered batch finds it and writes nothing; trace_batch's key is the batch's batch_id.
--
-- trace_event becomes a view that unnests trace_batch with the same columns as the table had (run_id, attempt,
-- sequence, idx, kind, time_ns, vm, vcpu, reason, duration_ns, target, cause, failure, batch_id), so queries on
-- trace_event and v_run_trace keep working. The old table's rows are migrated into trace_batch (one row per batch,
-- in idx order, idx renumbered from 0 without gaps) and then the table is dropped: the traces are kept, and there is
-- one place for them.
CREATE TABLE trace_batch (
    batch_id    BIGINT     NOT NULL,
    names       TEXT[]     NOT NULL,
    time_ns     BIGINT[]   NOT NULL,
    vm          INTEGER[]  NOT NULL,
    vcpu        INTEGER[]  NOT NULL,
    reason      SMALLINT[] NOT NULL,
    duration_ns BIGINT[]   NOT NULL,
    target      INTEGER[]  NOT NULL,
    cause       SMALLINT[] NOT NULL,
    failure     SMALLINT[] NOT NULL,
    CONSTRAINT trace_batch_pk PRIMARY KEY (batch_id)
);
ALTER TABLE trace_batch
    ALTER COLUMN names SET STORAGE EXTERNAL,
    ALTER COLUMN time_ns SET STORAGE EXTERNAL,
    ALTER COLUMN vm SET STORAGE EXTERNAL,
    ALTER COLUMN vcpu SET STORAGE EXTERNAL,
    ALTER COLUMN reason SET STORAGE EXTERNAL,
    ALTER COLUMN duration_ns SET STORAGE EXTERNAL,
    ALTER COLUMN target SET STORAGE EXTERNAL,
    ALTER COLUMN cause SET STORAGE EXTERNAL,
    ALTER COLUMN failure SET STORAGE EXTERNAL;

INSERT INTO trace_batch (batch_id, names, time_ns, vm, vcpu, reason, duration_ns, target, cause, failure)
WITH dictionary AS (
    SELECT batch_id, array_agg(name ORDER BY name) AS names
    FROM (SELECT batch_id, reason AS name FROM trace_event WHERE reason IS NOT NULL
          UNION SELECT batch_id, cause FROM trace_event WHERE cause IS NOT NULL
          UNION SELECT batch_id, failure FROM trace_event WHERE failure IS NOT NULL) n
    GROUP BY batch_id)
SELECT t.batch_id,
       d.names,
       array_agg(t.time_ns ORDER BY t.idx),
       array_agg(t.vm ORDER BY t.idx),
       array_agg(t.vcpu ORDER BY t.idx),
       array_agg(array_position(d.names, t.reason)::SMALLINT ORDER BY t.idx),
       array_agg(t.duration_ns ORDER BY t.idx),
       array_agg(t.target ORDER BY t.idx),
       array_agg(array_position(d.names, t.cause)::SMALLINT ORDER BY t.idx),
       array_agg(array_position(d.names, t.failure)::SMALLINT ORDER BY t.idx)
FROM trace_event t
JOIN dictionary d ON d.batch_id = t.batch_id
GROUP BY t.batch_id, d.names;

DROP VIEW v_run_trace;
DROP TABLE trace_event;

-- One row per event, as the trace_event table was. A filter on run_id reaches the events through event_batch's key
-- and trace_batch's; a batch is unnested whole.
CREATE VIEW trace_event AS
SELECT b.run_id,
       b.attempt,
       b.sequence,
       (e.pos - 1)::INTEGER AS idx,
       CASE WHEN e.reason IS NULL THEN 'yield' ELSE 'exit' END AS kind,
       e.time_ns,
       e.vm,
       e.vcpu,
       t.names[e.reason] AS reason,
       e.duration_ns,
       e.target,
       t.names[e.cause] AS cause,
       t.names[e.failure] AS failure,
       t.batch_id
FROM trace_batch t
JOIN event_batch b ON b.batch_id = t.batch_id
CROSS JOIN LATERAL unnest(t.time_ns, t.vm, t.vcpu, t.reason, t.duration_ns, t.target, t.cause, t.failure)
    WITH ORDINALITY AS e(time_ns, vm, vcpu, reason, duration_ns, target, cause, failure, pos);

-- The same columns and rows as before: the events of the attempt whose result is stored.
CREATE VIEW v_run_trace AS
SELECT t.run_id, t.attempt, t.sequence, t.idx, t.kind, t.time_ns, t.vm, t.vcpu, t.reason, t.duration_ns, t.target,
       t.cause, t.failure, t.batch_id
FROM trace_event t
JOIN run_result r ON r.run_id = t.run_id AND r.attempt = t.attempt;
