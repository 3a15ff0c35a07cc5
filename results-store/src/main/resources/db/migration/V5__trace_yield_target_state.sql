-- A directed yield's target state in FULL traces (issue 12 item 7): what the vCPU that kvm_vcpu_on_spin chose was
-- doing when it was chosen (PREEMPTED_KERNEL, PREEMPTED_USER, READY, HALTED, RUNNING, or NONE without a target), a
-- position in the batch's dictionary `names` like cause and failure. Rows stored before this migration, and batches
-- from host-sims older than the field, have NULL. trace_event and v_run_trace gain the column at the end.
ALTER TABLE trace_batch ADD COLUMN target_state SMALLINT[];
ALTER TABLE trace_batch ALTER COLUMN target_state SET STORAGE EXTERNAL;

DROP VIEW v_run_trace;
DROP VIEW trace_event;

-- unnest pads a shorter (or NULL) array with NULLs, so old rows unnest as before with a NULL target_state.
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
       t.batch_id,
       t.names[e.target_state] AS target_state
FROM trace_batch t
JOIN event_batch b ON b.batch_id = t.batch_id
CROSS JOIN LATERAL unnest(t.time_ns, t.vm, t.vcpu, t.reason, t.duration_ns, t.target, t.cause, t.failure,
                          t.target_state)
    WITH ORDINALITY AS e(time_ns, vm, vcpu, reason, duration_ns, target, cause, failure, target_state, pos);

CREATE VIEW v_run_trace AS
SELECT t.run_id, t.attempt, t.sequence, t.idx, t.kind, t.time_ns, t.vm, t.vcpu, t.reason, t.duration_ns, t.target,
       t.cause, t.failure, t.batch_id, t.target_state
FROM trace_event t
JOIN run_result r ON r.run_id = t.run_id AND r.attempt = t.attempt;
