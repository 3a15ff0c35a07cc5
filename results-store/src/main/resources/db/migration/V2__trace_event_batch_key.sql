-- Bulk-load speed of trace_event (docs/benchmarks.md, pipeline). Its primary key was (run_id, attempt, sequence, idx):
-- a B-tree on a ~45-character text key that every COPYed row had to be inserted into at a random place (run ids are
-- UUID-based), which made PostgreSQL's side of a COPY about twice as expensive as the heap insert alone. Each stored
-- batch now gets a surrogate, increasing batch_id, and trace_event is keyed by (batch_id, idx): a 12-byte key
-- appended at the right edge of the index. run_id, attempt and sequence stay in every row, so queries that read
-- them keep working; to find a run's events quickly go through event_batch (indexed by run) or v_run_trace.
-- Idempotency is unchanged: the event_batch row (run_id, attempt, sequence) is written in the same transaction as
-- its events, and a redelivered batch finds it and writes nothing.
ALTER TABLE event_batch ADD COLUMN batch_id BIGINT GENERATED ALWAYS AS IDENTITY;
ALTER TABLE event_batch ADD CONSTRAINT event_batch_batch_id_uq UNIQUE (batch_id);

ALTER TABLE trace_event ADD COLUMN batch_id BIGINT;
UPDATE trace_event t
SET batch_id = b.batch_id
FROM event_batch b
WHERE b.run_id = t.run_id AND b.attempt = t.attempt AND b.sequence = t.sequence;
ALTER TABLE trace_event DROP CONSTRAINT trace_event_pk;
ALTER TABLE trace_event ALTER COLUMN batch_id SET NOT NULL;
ALTER TABLE trace_event ADD CONSTRAINT trace_event_pk PRIMARY KEY (batch_id, idx);

-- The same columns and rows as before (plus batch_id), but run_id, attempt and sequence are event_batch's, so that a
-- filter on run_id reaches the events through event_batch's key and trace_event's (batch_id, idx) instead of a scan.
DROP VIEW v_run_trace;
CREATE VIEW v_run_trace AS
SELECT b.run_id, b.attempt, b.sequence, t.idx, t.kind, t.time_ns, t.vm, t.vcpu, t.reason, t.duration_ns, t.target,
       t.cause, t.failure, t.batch_id
FROM run_result r
JOIN event_batch b ON b.run_id = r.run_id AND b.attempt = r.attempt
JOIN trace_event t ON t.batch_id = b.batch_id;
